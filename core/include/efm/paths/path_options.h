#pragma once
// The settings of the probability paths (JSON key "path" of a run configuration). Which
// paths exist and what each accepts: efm/paths/path_registry.h.
#include <string>

namespace efm {

struct PathOptions {
  std::string kind = "ray";  // a name of pathKinds(): ours first, then the peers
  double smoothing = 0.01;   // eps: w1 = (1 - eps) onehot(x) + eps / c
  double magnitude = 0.5;    // m: speed of the ray variant
  double gammaShape = 1.0;   // k: t ~ Gamma(k, rate r) for the ray variant
  double gammaRate = 0.25;   // r
  double timeEnd = 0;        // t_end used for sampling; 0 = the path's default (15 / 1)
  double alphaMax = 8;       // the Dirichlet path's largest concentration (Stark et al.)
};

}  // namespace efm

// The path table, the checks of path settings, and the factory.
#include "efm/paths/path_registry.h"

#include "efm/base/errors.h"
#include "paths/path_factories.h"

#include <cmath>

namespace efm {

const std::vector<PathKind>& pathKinds() {
  static const std::vector<PathKind> kinds = {
      {"ray",
       "ours: the journal's e-geodesic ray path; the flow runs in logit coordinates from "
       "t = 0 to 15, sampled with Euler in 60 steps",
       true,
       {214, 39, 40},
       detail::makeRayPath},
      {"bridge",
       "ours: the preprint's e-geodesic bridge; the same flow and sampler as ray",
       true,
       {255, 127, 14},
       detail::makeBridgePath},
      {"linear",
       "peer: linear simplex flow matching (Dirichlet(1) prior, straight lines to the data, "
       "cross-entropy denoiser); t from 0 to 1, Euler only (singular at t = 1)",
       false,
       {127, 127, 127},
       detail::makeLinearPath},
      {"dirichlet",
       "peer: Dirichlet flow matching (Stark et al. 2024); its time is the concentration "
       "alpha from 1 to alpha_max (8), Euler steps over alpha",
       false,
       {44, 160, 44},
       detail::makeDirichletPath},
      {"fisher",
       "peer: Fisher-Rao flow matching on the sphere (Davis et al. 2024, Cheng et al. 2024); "
       "t from 0 to 1, Euler steps along great circles",
       false,
       {31, 119, 180},
       detail::makeFisherPath},
  };
  return kinds;
}

std::vector<std::string> pathNames() {
  std::vector<std::string> names;
  for (const PathKind& kind : pathKinds()) names.push_back(kind.name);
  return names;
}

const PathKind* findPathKind(std::string_view name) {
  for (const PathKind& kind : pathKinds())
    if (kind.name == name) return &kind;
  return nullptr;
}

const PathKind& pathKind(const std::string& name) {
  if (const PathKind* kind = findPathKind(name)) return *kind;
  std::string known;
  for (const PathKind& kind : pathKinds()) known += (known.empty() ? "'" : ", '") + kind.name + "'";
  throw InputError("configuration: path.kind must be one of " + known + ", got '" + name + "'");
}

bool isEGeodesicPath(const std::string& name) {
  const PathKind* kind = findPathKind(name);
  return kind && kind->ours;
}

void checkPathOptions(const PathOptions& p) {
  const PathKind& kind = pathKind(p.kind);
  auto finitePositive = [](double x) { return std::isfinite(x) && x > 0; };
  requireSetting(std::isfinite(p.smoothing) && p.smoothing > 0 && p.smoothing < 1,
                 "path.smoothing must lie in (0, 1)");
  requireSetting(finitePositive(p.magnitude), "path.magnitude must be a positive number");
  requireSetting(finitePositive(p.gammaShape), "path.gamma_shape must be a positive number");
  requireSetting(finitePositive(p.gammaRate), "path.gamma_rate must be a positive number");
  requireSetting(std::isfinite(p.timeEnd) && p.timeEnd >= 0,
                 "path.t_end must be >= 0 (0 selects the path's default)");
  // The peers' conditional paths reach the data at a fixed time (t = 1, alpha = alpha_max).
  requireSetting(p.timeEnd == 0 || kind.ours,
                 "path.t_end applies to ray and bridge only; the " + p.kind +
                     " path ends where its conditional paths reach the data");
  requireSetting(std::isfinite(p.alphaMax) && p.alphaMax > 1 && p.alphaMax <= 1000,
                 "path.alpha_max must lie in (1, 1000]");
}

ProbabilityPathPtr makeProbabilityPath(const PathOptions& options) {
  return pathKind(options.kind).make(options);
}

}  // namespace efm

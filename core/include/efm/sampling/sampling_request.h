#pragma once
// What a person asks of the sampler, in the terms the command line, the studio, `efm eval`
// and the benchmarks take it (names and numbers, each optional), turned into SampleOptions
// in one place: the path's own solver unless the request names one, checked by the path.
#include "efm/paths/probability_path.h"
#include "efm/sampling/sampler.h"

#include <cstdint>
#include <string>

namespace efm {

struct SamplingRequest {
  int64_t count = 1000;
  std::string solver;  // "euler", "heun", "rk4", "dopri5"; "" = the path's own
  double step = 0;     // fixed step (dopri5: the first step); 0 = the path's own
  // > 0: the fixed step that spends this many network evaluations per labeling over the
  // path's time range (a comparison at equal cost); overrides `step`.
  int64_t evaluations = 0;
  double relativeTolerance = 1e-5;  // dopri5
  double absoluteTolerance = 1e-6;  // dopri5
  double timeEnd = 0;               // 0 = the path's own
  std::string readout = "argmax";   // or "factorized"
  uint64_t seed = 0;
  bool keepTrajectory = false;
  double lateFraction = 0;  // SampleOptions::lateFraction
  bool earlyStop = false;   // SampleOptions::earlyStop
  double earlyStopSafety = 1;
};

// The options that sample `request` from a model of `variables` nodes and `classes` classes
// on `path`. Throws InputError for a name it does not know and for a solver, step or t_end
// the path cannot integrate (the linear path's singular end, a t_end before its start).
SampleOptions sampleOptionsFor(const ProbabilityPath& path, int64_t variables, int64_t classes,
                               const SamplingRequest& request, torch::Device device = torch::kCPU);

}  // namespace efm

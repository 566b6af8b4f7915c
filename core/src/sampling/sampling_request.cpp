// SamplingRequest -> SampleOptions.
#include "efm/sampling/sampling_request.h"

#include "efm/base/errors.h"

namespace efm {
namespace {

// Network evaluations of one fixed step.
int64_t evaluationsPerStep(SolverKind kind) {
  switch (kind) {
    case SolverKind::Euler:
      return 1;
    case SolverKind::Heun:
      return 2;
    case SolverKind::Rk4:
      return 4;
    case SolverKind::Dopri5:
      break;
  }
  throw InputError("a number of network evaluations needs a fixed-step solver, not dopri5");
}

}  // namespace

SampleOptions sampleOptionsFor(const ProbabilityPath& path, int64_t variables, int64_t classes,
                               const SamplingRequest& request, torch::Device device) {
  SampleOptions options;
  options.count = request.count;
  options.variables = variables;
  options.classes = classes;
  // The path's own sampler (ProbabilityPath::defaultSolver).
  options.solver = path.defaultSolver();
  if (!request.solver.empty()) options.solver.kind = parseSolverKind(request.solver);
  if (request.step > 0) options.solver.step = request.step;
  options.timeEnd = request.timeEnd;
  if (request.evaluations > 0) {
    const double end = request.timeEnd > 0 ? request.timeEnd : path.timeEnd();
    options.solver.step = (end - path.timeStart()) *
                          static_cast<double>(evaluationsPerStep(options.solver.kind)) /
                          static_cast<double>(request.evaluations);
  }
  options.solver.relativeTolerance = request.relativeTolerance;
  options.solver.absoluteTolerance = request.absoluteTolerance;
  options.solver.keepTrajectory = request.keepTrajectory;
  options.readout = parseReadout(request.readout);
  options.seed = request.seed;
  options.lateFraction = request.lateFraction;
  options.device = device;
  options.earlyStop = request.earlyStop;
  options.earlyStopSafety = request.earlyStopSafety;
  path.checkSampling(options.solver, options.timeEnd);
  if (options.earlyStop) checkEarlyStopping(path, options);
  return options;
}

}  // namespace efm

// The registry of probability paths and the defaults they share.
#include "efm/probability_path.h"

#include "path_factories.h"

#include "efm/errors.h"

#include <cmath>

namespace efm {

const std::vector<std::string>& probabilityPathNames() {
  static const std::vector<std::string> names = {"ray", "bridge", "linear", "dirichlet", "fisher"};
  return names;
}

bool isEGeodesicPath(const std::string& kind) { return kind == "ray" || kind == "bridge"; }

ProbabilityPathPtr makeProbabilityPath(const PathOptions& options) {
  if (options.kind == "ray") return detail::makeRayPath(options);
  if (options.kind == "bridge") return detail::makeBridgePath(options);
  if (options.kind == "linear") return detail::makeLinearPath(options);
  if (options.kind == "dirichlet") return detail::makeDirichletPath(options);
  if (options.kind == "fisher") return detail::makeFisherPath(options);
  throw InputError("unknown probability path '" + options.kind +
                   "' (expected ray, bridge, linear, dirichlet or fisher)");
}

SolverOptions ProbabilityPath::defaultSolver() const { return SolverOptions{}; }

void ProbabilityPath::checkSampling(const SolverOptions& solver, double timeEnd) const {
  if (!(std::isfinite(timeEnd) && timeEnd >= 0))
    throw InputError("t_end must be a number >= 0 (0 selects the path's own)");
  if (timeEnd > 0 && timeEnd <= timeStart())
    throw InputError("t_end must be later than the " + name() + " path's start time");
  if (solver.kind != SolverKind::Dopri5 && !(std::isfinite(solver.step) && solver.step > 0))
    throw InputError("solver step must be a positive number");
}

}  // namespace efm

#include "engine/path_catalog.h"

#include <efm/probability_path.h>

namespace efm::ui {

std::vector<std::string> pathNames() { return probabilityPathNames(); }

PathInfo pathInfo(const std::string& name) {
  PathOptions options;
  options.kind = name;
  const ProbabilityPathPtr path = makeProbabilityPath(options);
  const SolverOptions solver = path->defaultSolver();
  PathInfo info;
  info.name = name;
  info.ours = isEGeodesicPath(name);
  info.timeStart = path->timeStart();
  info.timeEnd = path->timeEnd();
  info.solver = solverName(solver.kind);
  info.step = solver.step;
  return info;
}

}  // namespace efm::ui

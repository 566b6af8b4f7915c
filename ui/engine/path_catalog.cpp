#include "engine/path_catalog.h"

#include "efm/paths/path_registry.h"

namespace efm::ui {

std::vector<std::string> pathNames() { return efm::pathNames(); }

bool isPathName(const std::string& name) { return findPathKind(name) != nullptr; }

namespace {

PathInfo describe(const PathKind& kind) {
  const std::string& name = kind.name;
  PathOptions options;
  options.kind = name;
  const ProbabilityPathPtr path = kind.make(options);
  const SolverOptions solver = path->defaultSolver();
  PathInfo info;
  info.name = name;
  info.description = kind.description;
  info.red = kind.colour.r;
  info.green = kind.colour.g;
  info.blue = kind.colour.b;
  info.ours = kind.ours;
  info.timeStart = path->timeStart();
  info.timeEnd = path->timeEnd();
  info.solver = solverName(solver.kind);
  info.step = solver.step;
  return info;
}

}  // namespace

PathInfo pathInfo(const std::string& name) {
  // Built once: widgets ask for colours while painting.
  static const std::vector<PathInfo> infos = [] {
    std::vector<PathInfo> all;
    for (const PathKind& kind : pathKinds()) all.push_back(describe(kind));
    return all;
  }();
  for (const PathInfo& info : infos)
    if (info.name == name) return info;
  return describe(pathKind(name));  // throws InputError naming the known paths
}

}  // namespace efm::ui

#pragma once
// One factory per probability path, for makeProbabilityPath's registry.
#include "efm/paths/probability_path.h"

namespace efm::detail {

ProbabilityPathPtr makeRayPath(const PathOptions& options);
ProbabilityPathPtr makeBridgePath(const PathOptions& options);
ProbabilityPathPtr makeLinearPath(const PathOptions& options);
ProbabilityPathPtr makeDirichletPath(const PathOptions& options);
ProbabilityPathPtr makeFisherPath(const PathOptions& options);

}  // namespace efm::detail

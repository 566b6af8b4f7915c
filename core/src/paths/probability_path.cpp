// What the probability paths share: their default solver, the checks of a sampling
// request, and the loss's sum over counted nodes.
#include "efm/paths/probability_path.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <cmath>

namespace efm {

SolverOptions ProbabilityPath::defaultSolver() const { return SolverOptions{}; }

void ProbabilityPath::checkSampling(const SolverOptions& solver, double timeEnd) const {
  if (!(std::isfinite(timeEnd) && timeEnd >= 0))
    throw InputError("t_end must be a number >= 0 (0 selects the path's own)");
  if (timeEnd > 0 && timeEnd <= timeStart())
    throw InputError("t_end must be later than the " + name() + " path's start time");
  if (solver.kind != SolverKind::Dopri5 && !(std::isfinite(solver.step) && solver.step > 0))
    throw InputError("solver step must be a positive number");
}

Tensor ProbabilityPath::conditionalOutput(const Tensor& w, const Tensor& labels,
                                          const Tensor& t) const {
  (void)w;
  (void)labels;
  (void)t;
  throw InputError("the " + name() + " path cannot move given nodes along a conditional path");
}

Tensor sumOverCountedNodes(const Tensor& perNode, const PathBatch& batch) {
  const Tensor counted = batch.nodeWeight.defined() ? perNode * batch.nodeWeight : perNode;
  return counted.sum(-1).mean();
}

}  // namespace efm

#include "efm/evaluation.h"

#include <torch/torch.h>

namespace efm {

Evaluation evaluateSamples(const Dataset& data, const Tensor& labels) {
  Evaluation result;
  result.samples = labels.size(0);
  result.modelMarginals = empiricalMarginals(labels, data.classes());
  result.marginalKl = marginalKl(labels, data.marginals());
  if (auto table = data.jointTable()) result.joint = compareJoint(*table, labels, data.classes());
  return result;
}

}  // namespace efm

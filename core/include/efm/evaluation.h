#pragma once
// Compares labelings sampled from a model with the dataset's known distribution: the
// numbers `efm eval` prints and the desktop application plots.
#include "efm/dataset.h"
#include "efm/metrics.h"

#include <optional>

namespace efm {

struct Evaluation {
  int64_t samples = 0;
  std::optional<JointComparison> joint;  // when the dataset's joint table is known
  double marginalKl = 0;                 // mean over nodes of KL(model marginal || data marginal)
  Tensor modelMarginals;                 // float64 [n, c]
};

// labels: int64 [S, n] sampled from the model.
Evaluation evaluateSamples(const Dataset& data, const Tensor& labels);

}  // namespace efm

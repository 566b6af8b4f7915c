#pragma once
// Distances between the model's distribution, estimated from samples, and a known target.
//
// Conventions (also in README.md, "Metrics"):
// - 0 log 0 = 0.
// - KL(p || q) is +infinity when some cell has p > 0 and q = 0.
// - kl_target_model compares the exact target with the sample estimate of the model. A
//   model cell that received no sample is not evidence of probability 0 (only of
//   probability below about 1/S), so such cells get half a count before normalising;
//   the number of these cells and the target mass on them are reported alongside.
// - kl_model_target uses the raw sample estimate; samples landing where the target is 0
//   make it +infinity and are reported as model_mass_outside_support.
#include "efm/data/labelings.h"

#include <torch/types.h>

#include <cstdint>

namespace efm {

using torch::Tensor;

// KL(p || q) over all elements, natural log; +infinity where p > 0 and q = 0.
double klDivergence(const Tensor& p, const Tensor& q);
// (1/2) sum |p - q|.
double totalVariation(const Tensor& p, const Tensor& q);

struct JointComparison {
  double klTargetModel = 0;  // KL(target || model estimate with half-count floor)
  double klModelTarget = 0;  // KL(model estimate || target), may be +infinity
  double totalVariation = 0;
  int64_t samples = 0;
  int64_t emptyModelCells = 0;        // target > 0 but no sample
  double targetMassOnEmptyCells = 0;  // target mass on those cells
  double modelMassOutsideSupport = 0;
};
JointComparison compareJoint(const Tensor& target, const Tensor& labels, int64_t classes);

// Class-scaling protocol: mean over nodes of KL(empirical marginal || target marginal).
double marginalKl(const Tensor& labels, const Tensor& targetMarginals);

}  // namespace efm

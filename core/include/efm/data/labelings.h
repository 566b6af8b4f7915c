#pragma once
// Labelings x in {0..c-1}^n as row-major indices into the c^n cells of a joint table, and
// the empirical distributions of a batch of them. Shared by the datasets (their tables) and
// the metrics (the model's estimate).
#include <torch/types.h>

#include <cstdint>

namespace efm {

using torch::Tensor;

// Largest joint table (c^n entries) that is ever materialised.
inline constexpr int64_t kMaxJointTableSize = int64_t{1} << 24;

// Row-major index of each labeling: int64 [B, n] -> int64 [B], sum_i a_i c^(n-1-i).
Tensor labelingIndex(const Tensor& labels, int64_t classes);
// Inverse of labelingIndex: int64 [B] -> int64 [B, n].
Tensor labelingsFromIndex(const Tensor& index, int64_t variables, int64_t classes);

// Counts per labeling, float64 [c^n], of int64 labelings [S, n] (S >= 1, c^n at most
// kMaxJointTableSize); std::invalid_argument otherwise.
Tensor labelingCounts(const Tensor& labels, int64_t classes);
// Empirical joint distribution (float64 [c^n]) of int64 labelings [S, n].
Tensor empiricalJoint(const Tensor& labels, int64_t classes);
// Empirical per-node class distribution (float64 [n, c]).
Tensor empiricalMarginals(const Tensor& labels, int64_t classes);

}  // namespace efm

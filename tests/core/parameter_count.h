#pragma once
// The number of trainable parameters of a network, as PyTorch's sum(p.numel()) counts them:
// what the tests compare with counts computed from a network's definition.
#include "efm/models/vector_field.h"

#include <cstdint>

namespace efm_test {

inline int64_t trainableParameters(const efm::VectorFieldImpl& net) {
  int64_t count = 0;
  for (const torch::Tensor& p : net.parameters()) count += p.numel();
  return count;
}

}  // namespace efm_test

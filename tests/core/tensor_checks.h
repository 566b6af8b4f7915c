#pragma once
// Small helpers that many core tests use to compare tensors and to seed draws.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdint>

namespace efm_test {

// The largest magnitude of any element: max |t|.
inline double maxAbs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

// A CPU generator with a fixed seed.
inline at::Generator generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

}  // namespace efm_test

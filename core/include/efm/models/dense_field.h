#pragma once
// The reference's dense network ("dense"), layer for layer: for comparing with the authors'
// code at equal architecture (docs/METHOD.md section 3).
#include "efm/models/network_options.h"
#include "efm/models/vector_field.h"

#include <torch/nn/modules/container/modulelist.h>

namespace efm {

// Input: the n * c probabilities with raw t appended (n * c + 1 features). Each of the
// `layers` hidden layers of `hidden` units and the output layer is [BatchNorm1d, Linear,
// ReLU], the output layer's ReLU included (only R_W F enters the loss and the flow, and R_W
// ignores constants, so a non-negative output loses nothing). Batch statistics in training,
// running statistics when sampling (the trainer's and sampler's eval mode): training needs a
// batch of at least 2.
class DenseFieldImpl : public VectorFieldImpl {
 public:
  DenseFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options);
  Tensor forward(const Tensor& w, const Tensor& t) override;
  double multiplyAddsPerSample() const override;

 private:
  int64_t n_, c_;
  torch::nn::ModuleList layers_;  // Sequential(BatchNorm1d, Linear, ReLU) each
};

}  // namespace efm

#pragma once
// The MLP vector field: for data whose n * c is small (toys, tables).
#include "efm/models/network_options.h"
#include "efm/models/time_features.h"
#include "efm/models/vector_field.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>

namespace efm {

// MLP on the flattened W with the time features appended: for small n * c.
class MlpFieldImpl : public VectorFieldImpl {
 public:
  MlpFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options);
  Tensor forward(const Tensor& w, const Tensor& t) override;
  double multiplyAddsPerSample() const override;

 private:
  int64_t n_, c_;
  TimeFeatures time_{nullptr};
  // The first layer acting on [W, time features] is split into its two column blocks, so
  // that a time shared by the batch costs one row.
  torch::nn::Linear inputLayer_{nullptr}, timeLayer_{nullptr};
  torch::nn::ModuleList layers_;  // hidden layers after the first, and the output layer
};

}  // namespace efm

#pragma once
// The MLP vector field: for data whose n * c is small (toys, tables).
#include "efm/models/network_options.h"
#include "efm/models/time_features.h"
#include "efm/models/vector_field.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>

namespace efm {

// MLP on the flattened W with the time input appended: for small n * c. Its variant settings
// (NetworkOptions: time_input, activation, input, norm; resolved, never empty here) choose
// how W and t enter and what sits between the layers, so that each of the reference dense
// net's differences can be measured on its own (docs/RESULTS.md, "Ablation").
class MlpFieldImpl : public VectorFieldImpl {
 public:
  MlpFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options);
  Tensor forward(const Tensor& w, const Tensor& t) override;
  double multiplyAddsPerSample() const override;

 private:
  enum class Input { kProbabilities, kLogProbabilities, kCentredLogits };
  enum class Activation { kSilu, kRelu, kGelu };
  Tensor inputFeatures(const Tensor& w) const;  // [B, n, c] -> [B, n * c]
  Tensor normalised(size_t layer, const Tensor& h);
  Tensor activation(const Tensor& h) const;

  int64_t n_, c_;
  Input input_ = Input::kProbabilities;
  Activation activation_ = Activation::kSilu;
  TimeFeatures time_{nullptr};  // null for the raw time input
  // The first layer acting on [W, time input] is split into its two column blocks, so that
  // a time shared by the batch costs one row.
  torch::nn::Linear inputLayer_{nullptr}, timeLayer_{nullptr};
  torch::nn::ModuleList layers_;  // hidden layers after the first, and the output layer
  // One normalisation before each linear layer's W part (the input layer first); empty for
  // norm = "none". The time input is not normalised: batch statistics of a time shared by
  // the batch would map it to zero.
  torch::nn::ModuleList norms_;
};

}  // namespace efm

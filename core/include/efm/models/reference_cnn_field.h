#pragma once
// The reference's CNN ("cnn-ref"), the Dirichlet flow matching toy model the authors adopted,
// layer for layer: for class scaling at the reference's protocol (docs/METHOD.md section 3).
#include "efm/models/network_options.h"
#include "efm/models/time_features.h"
#include "efm/models/vector_field.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace efm {

// With h = hidden (128) channels over the n positions:
//   time  e = ReLU(Linear(GaussianFourier_h(t))), frequencies N(0, 30^2), fixed;
//   embed x = ReLU(Conv1d(c -> h, kernel, "same")(W));
//   per dilation d: y = LayerNorm_channels(x + Linear_d(e)); x = x + ReLU(Conv1d_d(y));
//   out = Conv1x1(h -> c)(ReLU(Conv1x1(h -> h)(x))).
// Kernel and dilations come from the options (reference: 9 and 1, 1, 4, 16, 64). Taps that
// only see the zero padding are skipped (the same output, less work).
class ReferenceCnnFieldImpl : public VectorFieldImpl {
 public:
  ReferenceCnnFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options);
  Tensor forward(const Tensor& w, const Tensor& t) override;
  double multiplyAddsPerSample() const override;

  static constexpr double kTimeScale = 30;  // standard deviation of the time frequencies

 private:
  int64_t positions_;
  TimeFeatures time_{nullptr};
  torch::nn::Linear timeLayer_{nullptr};
  torch::nn::Conv1d embed_{nullptr};
  torch::nn::ModuleList timeProjections_, norms_, convs_;
  torch::nn::Sequential readout_{nullptr};
};

}  // namespace efm

#pragma once
// The dilated 1-D CNN vector field: for sequences (the class-scaling toy, long tables).
#include "efm/models/network_options.h"
#include "efm/models/time_features.h"
#include "efm/models/vector_field.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace efm {

// Dilated 1-D CNN over the n positions with c input channels (the peers' sequence model):
// a 1x1 embedding, residual blocks of [layer norm, + time embedding, dilated conv, ReLU],
// a 1x1 read-out. Taps of a dilated kernel that can only ever see the zero padding (those
// more than n - 1 positions from the centre) are skipped: the same output for less work,
// which matters for short sequences with wide dilations (n = 4 with dilation 64).
class DilatedCnnFieldImpl : public VectorFieldImpl {
 public:
  DilatedCnnFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options);
  Tensor forward(const Tensor& w, const Tensor& t) override;
  double multiplyAddsPerSample() const override;

 private:
  int64_t positions_;
  TimeFeatures time_{nullptr};
  torch::nn::Conv1d embed_{nullptr}, readout_{nullptr};
  torch::nn::ModuleList norms_, timeProjections_, convs_;
};

}  // namespace efm

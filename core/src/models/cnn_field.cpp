#include "efm/models/cnn_field.h"

#include "models/layer_counts.h"

#include <torch/torch.h>

namespace efm {

namespace nn = torch::nn;

DilatedCnnFieldImpl::DilatedCnnFieldImpl(int64_t variables, int64_t classes,
                                         const NetworkOptions& options)
    : positions_(variables) {
  const int64_t h = options.hidden;
  time_ = register_module("time", TimeFeatures(options.timeFeatures, options.maxFrequency));
  embed_ = register_module("embed", nn::Conv1d(nn::Conv1dOptions(classes, h, 1)));
  for (int64_t d : options.dilations) {
    norms_->push_back(nn::LayerNorm(nn::LayerNormOptions({h})));
    timeProjections_->push_back(nn::Linear(options.timeFeatures, h));
    convs_->push_back(nn::Conv1d(
        nn::Conv1dOptions(h, h, options.kernel).dilation(d).padding(d * (options.kernel / 2))));
  }
  register_module("norms", norms_);
  register_module("time_projections", timeProjections_);
  register_module("convs", convs_);
  readout_ = register_module("readout", nn::Conv1d(nn::Conv1dOptions(h, classes, 1)));
}

Tensor DilatedCnnFieldImpl::forward(const Tensor& w, const Tensor& t) {
  const Tensor tf = time_(t);
  Tensor x = embed_(w.transpose(1, 2));  // [B, h, n]
  for (size_t k = 0; k < convs_->size(); ++k) {
    // Layer norm over channels: move channels last and back.
    Tensor y = norms_[k]->as<nn::LayerNorm>()->forward(x.transpose(1, 2)).transpose(1, 2);
    y = y + timeProjections_[k]->as<nn::Linear>()->forward(tf).unsqueeze(-1);
    y = torch::relu(sameConv1d(*convs_[k]->as<nn::Conv1d>(), y));
    x = x + y;
  }
  return readout_(x).transpose(1, 2);  // [B, n, c]
}

double DilatedCnnFieldImpl::multiplyAddsPerSample() const {
  return multiplyAddsOfLayers(*this, positions_);
}

}  // namespace efm

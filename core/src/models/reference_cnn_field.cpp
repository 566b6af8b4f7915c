#include "efm/models/reference_cnn_field.h"

#include "models/layer_counts.h"

#include <torch/torch.h>

namespace efm {

namespace nn = torch::nn;

ReferenceCnnFieldImpl::ReferenceCnnFieldImpl(int64_t variables, int64_t classes,
                                             const NetworkOptions& options)
    : positions_(variables) {
  const int64_t h = options.hidden, k = options.kernel;
  time_ = register_module("time", TimeFeatures(2 * (h / 2), kTimeScale, TimeSpacing::kGaussian));
  timeLayer_ = register_module("time_layer", nn::Linear(2 * (h / 2), h));
  embed_ = register_module("embed", nn::Conv1d(nn::Conv1dOptions(classes, h, k).padding(k / 2)));
  for (int64_t d : options.dilations) {
    timeProjections_->push_back(nn::Linear(h, h));
    norms_->push_back(nn::LayerNorm(nn::LayerNormOptions({h})));
    convs_->push_back(nn::Conv1d(nn::Conv1dOptions(h, h, k).dilation(d).padding(d * (k / 2))));
  }
  register_module("time_projections", timeProjections_);
  register_module("norms", norms_);
  register_module("convs", convs_);
  readout_ =
      register_module("readout", nn::Sequential(nn::Conv1d(nn::Conv1dOptions(h, h, 1)), nn::ReLU(),
                                                nn::Conv1d(nn::Conv1dOptions(h, classes, 1))));
}

Tensor ReferenceCnnFieldImpl::forward(const Tensor& w, const Tensor& t) {
  const Tensor e = torch::relu(timeLayer_(time_(t)));                           // [B or 1, h]
  Tensor x = torch::relu(sameConv1d(*embed_, w.transpose(1, 2).contiguous()));  // [B, h, n]
  for (size_t k = 0; k < convs_->size(); ++k) {
    Tensor y = x + timeProjections_[k]->as<nn::Linear>()->forward(e).unsqueeze(-1);
    // Layer norm over channels: move channels last and back.
    y = norms_[k]->as<nn::LayerNorm>()->forward(y.transpose(1, 2)).transpose(1, 2);
    x = x + torch::relu(sameConv1d(*convs_[k]->as<nn::Conv1d>(), y));
  }
  return readout_->forward(x).transpose(1, 2);  // [B, n, c]
}

double ReferenceCnnFieldImpl::multiplyAddsPerSample() const {
  return multiplyAddsOfLayers(*this, positions_);
}

}  // namespace efm

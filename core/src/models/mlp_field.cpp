#include "efm/models/mlp_field.h"

#include "models/layer_counts.h"

#include <torch/torch.h>

namespace efm {

namespace nn = torch::nn;

MlpFieldImpl::MlpFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options)
    : n_(variables), c_(classes) {
  time_ = register_module("time", TimeFeatures(options.timeFeatures, options.maxFrequency));
  inputLayer_ = register_module("input", nn::Linear(n_ * c_, options.hidden));
  timeLayer_ = register_module(
      "time_input",
      nn::Linear(nn::LinearOptions(options.timeFeatures, options.hidden).bias(false)));
  for (int64_t k = 1; k < options.layers; ++k)
    layers_->push_back(nn::Linear(options.hidden, options.hidden));
  layers_->push_back(nn::Linear(options.hidden, n_ * c_));
  register_module("layers", layers_);
}

Tensor MlpFieldImpl::forward(const Tensor& w, const Tensor& t) {
  const int64_t batch = w.size(0);
  // [B, h] + [B or 1, h]: the time contribution broadcasts when t is shared.
  Tensor h = torch::silu(inputLayer_(w.reshape({batch, n_ * c_})) + timeLayer_(time_(t)));
  const size_t last = layers_->size() - 1;
  for (size_t k = 0; k < last; ++k) h = torch::silu(layers_[k]->as<nn::Linear>()->forward(h));
  return layers_[last]->as<nn::Linear>()->forward(h).view({batch, n_, c_});
}

double MlpFieldImpl::multiplyAddsPerSample() const { return multiplyAddsOfLayers(*this, 1); }

}  // namespace efm

#include "efm/models/cnn_field.h"

#include <torch/torch.h>

#include <algorithm>

namespace efm {

namespace nn = torch::nn;

DilatedCnnFieldImpl::DilatedCnnFieldImpl(int64_t /*variables*/, int64_t classes,
                                         const NetworkOptions& options)
    : kernel_(options.kernel), dilations_(options.dilations) {
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

namespace {
// conv1d with "same" padding that drops the taps lying wholly in the padding.
Tensor dilatedConv(nn::Conv1dImpl& conv, const Tensor& x, int64_t dilation, int64_t kernel) {
  const int64_t length = x.size(-1);
  const int64_t half = kernel / 2;
  const int64_t reach = std::min(half, (length - 1) / dilation);  // taps that can see data
  if (reach == half) return conv.forward(x);
  const Tensor weight = conv.weight.narrow(2, half - reach, 2 * reach + 1);
  return torch::conv1d(x, weight, conv.bias, /*stride=*/1, /*padding=*/reach * dilation, dilation);
}
}  // namespace

Tensor DilatedCnnFieldImpl::forward(const Tensor& w, const Tensor& t) {
  const Tensor tf = time_(t);
  Tensor x = embed_(w.transpose(1, 2));  // [B, h, n]
  for (size_t k = 0; k < convs_->size(); ++k) {
    // Layer norm over channels: move channels last and back.
    Tensor y = norms_[k]->as<nn::LayerNorm>()->forward(x.transpose(1, 2)).transpose(1, 2);
    y = y + timeProjections_[k]->as<nn::Linear>()->forward(tf).unsqueeze(-1);
    y = torch::relu(dilatedConv(*convs_[k]->as<nn::Conv1d>(), y, dilations_[k], kernel_));
    x = x + y;
  }
  return readout_(x).transpose(1, 2);  // [B, n, c]
}

}  // namespace efm

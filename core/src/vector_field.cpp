#include "efm/vector_field.h"

#include "efm/errors.h"
#include "efm/unet_field.h"

#include <torch/torch.h>

#include <cmath>

namespace efm {

namespace nn = torch::nn;

TimeFeaturesImpl::TimeFeaturesImpl(int64_t features, double maxFrequency) : features_(features) {
  const int64_t half = features / 2;
  const double ratio = 2.0;
  auto f = torch::empty({half}, torch::kFloat32);
  for (int64_t k = 0; k < half; ++k)
    f[k] = 2 * M_PI * maxFrequency * std::pow(ratio, static_cast<double>(k - half + 1));
  frequencies_ = register_buffer("frequencies", f);
}

Tensor TimeFeaturesImpl::forward(const Tensor& t) {
  const Tensor phase = t.to(frequencies_.dtype()).unsqueeze(-1) * frequencies_;
  return torch::cat({torch::sin(phase), torch::cos(phase)}, -1);
}

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

VectorFieldPtr makeVectorField(int64_t variables, int64_t classes, const NetworkOptions& options,
                               const ImageLayout& image) {
  if (options.kind == "mlp") return std::make_shared<MlpFieldImpl>(variables, classes, options);
  if (options.kind == "cnn")
    return std::make_shared<DilatedCnnFieldImpl>(variables, classes, options);
  if (options.kind == "unet") {
    if (!image.isImage() || image.pixels() != variables)
      throw InputError(
          "network 'unet' needs image data (cityscapes:, idx:): the data has no label-map "
          "shape; use --model mlp or cnn");
    return std::make_shared<UNetFieldImpl>(image.height, image.width, classes, options);
  }
  throw InputError("unknown network '" + options.kind + "' (expected mlp, cnn or unet)");
}

}  // namespace efm

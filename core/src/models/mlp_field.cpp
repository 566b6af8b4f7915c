#include "efm/models/mlp_field.h"

#include "efm/models/network_registry.h"
#include "models/layer_counts.h"

#include <torch/torch.h>

namespace efm {

namespace nn = torch::nn;

namespace {

// The smallest probability whose logarithm the log inputs see: far below what float32
// arithmetic on the ray path produces in its time range, and finite.
constexpr double kSmallestLogInput = 1e-30;

// A Sequential of one module, so that the list of normalisations holds either kind.
nn::Sequential normalisation(const std::string& norm, int64_t features) {
  if (norm == "batch") return nn::Sequential(nn::BatchNorm1d(features));
  return nn::Sequential(nn::LayerNorm(nn::LayerNormOptions({features})));
}

// The options with the defaults filled in (the registry's, so that an MLP built from
// partial options is the one `efm train` would build) and checked.
NetworkOptions resolvedMlpOptions(NetworkOptions options) {
  options.kind = "mlp";
  resolveNetworkOptions(options);
  return options;
}

}  // namespace

MlpFieldImpl::MlpFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& given)
    : n_(variables), c_(classes) {
  const NetworkOptions options = resolvedMlpOptions(given);
  input_ = options.input == "log-probabilities" ? Input::kLogProbabilities
           : options.input == "centred-logits"  ? Input::kCentredLogits
                                                : Input::kProbabilities;
  activation_ = options.activation == "relu"   ? Activation::kRelu
                : options.activation == "gelu" ? Activation::kGelu
                                               : Activation::kSilu;
  int64_t timeWidth = 1;
  if (options.timeInput != "raw") {
    time_ = register_module("time", TimeFeatures(options.timeFeatures, options.maxFrequency));
    timeWidth = options.timeFeatures;
  }
  inputLayer_ = register_module("input", nn::Linear(n_ * c_, options.hidden));
  timeLayer_ = register_module(
      "time_input", nn::Linear(nn::LinearOptions(timeWidth, options.hidden).bias(false)));
  for (int64_t k = 1; k < options.layers; ++k)
    layers_->push_back(nn::Linear(options.hidden, options.hidden));
  layers_->push_back(nn::Linear(options.hidden, n_ * c_));
  register_module("layers", layers_);
  if (options.norm != "none") {
    norms_->push_back(normalisation(options.norm, n_ * c_));
    for (int64_t k = 0; k < options.layers; ++k)
      norms_->push_back(normalisation(options.norm, options.hidden));
    register_module("norms", norms_);
  }
}

Tensor MlpFieldImpl::inputFeatures(const Tensor& w) const {
  const int64_t batch = w.size(0);
  if (input_ == Input::kProbabilities) return w.reshape({batch, n_ * c_});
  Tensor logW = torch::log(w.clamp_min(kSmallestLogInput));
  // Centred logits: the coordinates of the simplex's e-flat (exponential family) chart, in
  // which the ray path is a straight line; the same for W and any positive multiple.
  if (input_ == Input::kCentredLogits) logW = logW - logW.mean(-1, /*keepdim=*/true);
  return logW.reshape({batch, n_ * c_});
}

Tensor MlpFieldImpl::normalised(size_t layer, const Tensor& h) {
  return norms_->is_empty() ? h : norms_[layer]->as<nn::Sequential>()->forward(h);
}

Tensor MlpFieldImpl::activation(const Tensor& h) const {
  switch (activation_) {
    case Activation::kRelu:
      return torch::relu(h);
    case Activation::kGelu:
      return torch::gelu(h);
    case Activation::kSilu:
      break;
  }
  return torch::silu(h);
}

Tensor MlpFieldImpl::forward(const Tensor& w, const Tensor& t) {
  const int64_t batch = w.size(0);
  const Tensor time = time_ ? time_(t) : t.to(w.dtype()).reshape({-1, 1});
  // [B, h] + [B or 1, h]: the time contribution broadcasts when t is shared.
  Tensor h = activation(inputLayer_(normalised(0, inputFeatures(w))) + timeLayer_(time));
  const size_t last = layers_->size() - 1;
  for (size_t k = 0; k <= last; ++k) {
    h = layers_[k]->as<nn::Linear>()->forward(normalised(k + 1, h));
    if (k < last) h = activation(h);
  }
  return h.view({batch, n_, c_});
}

double MlpFieldImpl::multiplyAddsPerSample() const { return multiplyAddsOfLayers(*this, 1); }

}  // namespace efm

#include "efm/models/dense_field.h"

#include "models/layer_counts.h"

#include <torch/torch.h>

namespace efm {

namespace nn = torch::nn;

DenseFieldImpl::DenseFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options)
    : n_(variables), c_(classes) {
  std::vector<int64_t> widths = {n_ * c_ + 1};
  for (int64_t k = 0; k < options.layers; ++k) widths.push_back(options.hidden);
  widths.push_back(n_ * c_);
  for (size_t k = 0; k + 1 < widths.size(); ++k)
    layers_->push_back(nn::Sequential(nn::BatchNorm1d(widths[k]),
                                      nn::Linear(widths[k], widths[k + 1]), nn::ReLU()));
  register_module("layers", layers_);
}

Tensor DenseFieldImpl::forward(const Tensor& w, const Tensor& t) {
  const int64_t batch = w.size(0);
  // Batch normalisation mixes the rows, so a time shared by the batch is expanded to a column.
  const Tensor time = t.to(w.dtype()).reshape({-1, 1}).expand({batch, 1});
  Tensor h = torch::cat({w.reshape({batch, n_ * c_}), time}, 1);
  for (const auto& layer : *layers_) h = layer->as<nn::Sequential>()->forward(h);
  return h.view({batch, n_, c_});
}

double DenseFieldImpl::multiplyAddsPerSample() const { return multiplyAddsOfLayers(*this, 1); }

}  // namespace efm

#include "efm/models/given_nodes_field.h"

#include <torch/torch.h>

namespace efm {

GivenNodesFieldImpl::GivenNodesFieldImpl(std::shared_ptr<VectorFieldImpl> inner, int64_t classes)
    : inner_(register_module("inner", std::move(inner))), classes_(classes) {}

Tensor GivenNodesFieldImpl::forward(const Tensor& w, const Tensor& t) {
  const Tensor flag = torch::zeros({w.size(0), w.size(1), 1}, w.options());
  return inner_->forward(torch::cat({w, flag}, -1), t).narrow(-1, 0, classes_);
}

Tensor GivenNodesFieldImpl::forwardGiven(const Tensor& w, const Tensor& t, const Tensor& labels,
                                         const Tensor& given) {
  const Tensor flag = given.to(w.options()).unsqueeze(-1).expand({w.size(0), w.size(1), 1});
  const Tensor vertex = torch::one_hot(labels.clamp(0, classes_ - 1), classes_).to(w.options());
  const Tensor point = torch::where(flag > 0.5, vertex, w);
  return inner_->forward(torch::cat({point, flag}, -1), t).narrow(-1, 0, classes_);
}

double GivenNodesFieldImpl::multiplyAddsPerSample() const {
  return inner_->multiplyAddsPerSample();
}

}  // namespace efm

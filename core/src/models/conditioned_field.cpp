#include "efm/models/conditioned_field.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

namespace efm {

ConditionedFieldImpl::ConditionedFieldImpl(std::shared_ptr<VectorFieldImpl> inner, int64_t classes,
                                           bool givenNodes, int64_t labelClasses)
    : inner_(register_module("inner", std::move(inner))),
      classes_(classes),
      givenNodes_(givenNodes),
      labelClasses_(labelClasses) {}

int64_t ConditionedFieldImpl::extraChannels(bool givenNodes, int64_t labelClasses) {
  return (givenNodes ? 1 : 0) + labelClasses;
}

Tensor ConditionedFieldImpl::forward(const Tensor& w, const Tensor& t) {
  return forwardConditioned(w, t, {});
}

Tensor ConditionedFieldImpl::forwardConditioned(const Tensor& w, const Tensor& t,
                                                const FieldConditions& conditions) {
  const int64_t batch = w.size(0), nodes = w.size(1);
  std::vector<Tensor> parts;
  if (!givenNodes_) {
    if (conditions.givenMask.defined())
      throw InputError("given nodes need a model trained with --mask-training");
    parts.push_back(w);
  } else if (!conditions.givenMask.defined()) {
    parts.push_back(w);
    parts.push_back(torch::zeros({batch, nodes, 1}, w.options()));
  } else {
    const Tensor flag =
        conditions.givenMask.to(w.options()).unsqueeze(-1).expand({batch, nodes, 1});
    const Tensor vertex =
        torch::one_hot(conditions.givenLabels.clamp(0, classes_ - 1), classes_).to(w.options());
    parts.push_back(torch::where(flag > 0.5, vertex, w));
    parts.push_back(flag);
  }
  if (labelClasses_ > 0) {
    Tensor label = torch::zeros({batch, 1, labelClasses_}, w.options());
    if (conditions.classes.defined()) {
      // -1 (no class) becomes the all-zero row: one_hot of class + 1, first column dropped.
      const Tensor shifted = (conditions.classes.clamp(-1, labelClasses_ - 1) + 1).view({-1, 1});
      label = torch::one_hot(shifted, labelClasses_ + 1)
                  .narrow(-1, 1, labelClasses_)
                  .to(w.options())
                  .expand({batch, 1, labelClasses_});
    }
    parts.push_back(label.expand({batch, nodes, labelClasses_}));
  } else if (conditions.classes.defined()) {
    throw InputError("a class label needs a model trained with --condition-on-class");
  }
  return inner_->forward(torch::cat(parts, -1), t).narrow(-1, 0, classes_);
}

double ConditionedFieldImpl::multiplyAddsPerSample() const {
  return inner_->multiplyAddsPerSample();
}

}  // namespace efm

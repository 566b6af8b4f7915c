#include "sampling/conditioned_view.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <cmath>

namespace efm::detail {

bool hasConditions(const SampleOptions& options) {
  return options.given.any() || options.labelClass >= 0;
}

ConditionedFieldImpl* checkConditions(VectorFieldImpl& network, const SampleOptions& options) {
  auto* conditioned = dynamic_cast<ConditionedFieldImpl*>(&network);
  const GivenNodes& given = options.given;
  if (given.any()) {
    const auto fits = [&](const Tensor& x) {
      return x.defined() && x.dim() == 2 && (x.size(0) == 1 || x.size(0) == options.count) &&
             x.size(1) == options.variables;
    };
    if (!fits(given.mask) || !fits(given.labels) || given.mask.scalar_type() != torch::kBool)
      throw InputError("given nodes: expected labels and a mask of " +
                       std::to_string(options.variables) + " nodes each");
    const Tensor labels = given.labels.masked_select(given.mask.expand_as(given.labels));
    if (labels.numel() > 0 &&
        (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= options.classes))
      throw InputError("given nodes: a label is outside the classes 0.." +
                       std::to_string(options.classes - 1));
    if (given.method == ConditioningMethod::Trained &&
        !(conditioned && conditioned->takesGivenNodes()))
      throw InputError(
          "conditioning 'trained' needs a model trained with --mask-training; this one was not "
          "(use --conditioning replace)");
  }
  if (options.labelClass >= 0) {
    const int64_t available = conditioned ? conditioned->labelClasses() : 0;
    if (available == 0)
      throw InputError(
          "a class label needs a model trained with --condition-on-class; this "
          "one was not");
    if (options.labelClass >= available)
      throw InputError("class " + std::to_string(options.labelClass) +
                       " is outside the model's class labels 0.." + std::to_string(available - 1));
  }
  if (!(std::isfinite(options.guidance) && options.guidance >= 0))
    throw InputError("guidance must be a number >= 0 (1 = the conditional model itself)");
  return conditioned;
}

ConditionedView::ConditionedView(VectorFieldImpl& network, ConditionedFieldImpl* conditioned,
                                 const ProbabilityPath& path, const SampleOptions& options,
                                 Tensor givenLabels, Tensor givenMask)
    : network_(network),
      conditioned_(conditioned),
      path_(path),
      method_(options.given.method),
      labelClass_(options.labelClass),
      guidance_(options.guidance),
      givenLabels_(std::move(givenLabels)),
      givenMask_(std::move(givenMask)) {}

int64_t ConditionedView::passesPerEvaluation() const {
  return labelClass_ >= 0 && guidance_ != 1 ? 2 : 1;
}

Tensor ConditionedView::forward(const Tensor& w, const Tensor& t) {
  Tensor free;
  if (!conditioned_) {
    free = network_.forward(w, t);
  } else {
    FieldConditions conditions;
    if (givenMask_.defined() && method_ == ConditioningMethod::Trained) {
      conditions.givenLabels = givenLabels_;
      conditions.givenMask = givenMask_;
    }
    if (labelClass_ >= 0)
      conditions.classes =
          torch::full({1}, labelClass_, torch::TensorOptions(torch::kLong).device(w.device()));
    free = conditioned_->forwardConditioned(w, t, conditions);
    if (passesPerEvaluation() == 2) {
      conditions.classes =
          torch::full({1}, -1, torch::TensorOptions(torch::kLong).device(w.device()));
      const Tensor unconditional = conditioned_->forwardConditioned(w, t, conditions);
      free = unconditional + guidance_ * (free - unconditional);
    }
  }
  if (!givenMask_.defined()) return free;
  return torch::where(givenMask_.unsqueeze(-1), path_.conditionalOutput(w, givenLabels_, t), free);
}

}  // namespace efm::detail

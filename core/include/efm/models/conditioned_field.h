#pragma once
// A network that takes conditions (docs/METHOD.md §9 and §10): any kind of network, built
// with more input channels per node than the c of the flow, its first c output channels the
// field.
// - Given nodes (efm train --mask-training): one channel that says whether the node is given;
//   a given node shows the vertex of its label in place of its point W.
// - A class label (efm train --condition-on-class): one channel per label class, the one-hot
//   label repeated at every node, all zero for "no class" (what classifier-free guidance
//   contrasts with, and what the training's class dropout shows).
// With no condition it is an ordinary field of the flow, so unconditional sampling, the
// likelihood and the studio use it like any other network.
#include "efm/models/vector_field.h"

namespace efm {

struct FieldConditions {
  Tensor givenLabels;  // int64 [B or 1, n], read where givenMask is set
  Tensor givenMask;    // bool [B or 1, n]; undefined: no node given
  Tensor classes;      // int64 [B or 1]: the class label, -1 for none; undefined: none
};

class ConditionedFieldImpl : public VectorFieldImpl {
 public:
  // `inner` was built for `classes` + inputChannels(givenNodes, labelClasses) channels.
  ConditionedFieldImpl(std::shared_ptr<VectorFieldImpl> inner, int64_t classes, bool givenNodes,
                       int64_t labelClasses);
  static int64_t extraChannels(bool givenNodes, int64_t labelClasses);

  // No condition.
  Tensor forward(const Tensor& w, const Tensor& t) override;
  Tensor forwardConditioned(const Tensor& w, const Tensor& t, const FieldConditions& conditions);
  double multiplyAddsPerSample() const override;
  bool hasBf16Path() const override { return inner_->hasBf16Path(); }
  void setPrecision(Precision precision) override {
    VectorFieldImpl::setPrecision(precision);
    inner_->setPrecision(precision);
  }

  bool takesGivenNodes() const { return givenNodes_; }
  int64_t labelClasses() const { return labelClasses_; }

 private:
  std::shared_ptr<VectorFieldImpl> inner_;
  int64_t classes_;
  bool givenNodes_;
  int64_t labelClasses_;
};

}  // namespace efm

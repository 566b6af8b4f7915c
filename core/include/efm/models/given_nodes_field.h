#pragma once
// A network trained with given nodes (efm train --mask-training; docs/METHOD.md,
// "Conditioning"): any kind of network, built for c + 1 channels per node, that reads for
// each node either its point W of the flow (free nodes) or the vertex of its given label
// (given nodes), and in the extra channel whether the node is given. Its first c output
// channels are the field; the loss and the sampler ignore the output at given nodes. With no
// node given it is an ordinary field of the flow, so unconditional sampling, the likelihood
// and the studio use it like any other network.
#include "efm/models/vector_field.h"

namespace efm {

class GivenNodesFieldImpl : public VectorFieldImpl {
 public:
  // `inner` was built for `classes` + 1 channels.
  GivenNodesFieldImpl(std::shared_ptr<VectorFieldImpl> inner, int64_t classes);

  // No node given.
  Tensor forward(const Tensor& w, const Tensor& t) override;
  // `labels` int64 [B or 1, n] (read where `given` is true), `given` bool [B or 1, n].
  Tensor forwardGiven(const Tensor& w, const Tensor& t, const Tensor& labels, const Tensor& given);
  double multiplyAddsPerSample() const override;

 private:
  std::shared_ptr<VectorFieldImpl> inner_;
  int64_t classes_;
};

}  // namespace efm

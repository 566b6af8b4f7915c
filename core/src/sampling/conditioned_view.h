#pragma once
// Private to the sampler: the network as the flow sees it when sampling with conditions
// (docs/METHOD.md §9-10), for one chunk of labelings. Given nodes get the output that moves
// them along their own conditional path; the other nodes get the network's output, which
// reads the given nodes as points of the flow (replace) or as labels (trained), and a class
// label with classifier-free guidance: F_u + w (F_c - F_u).
#include "efm/models/conditioned_field.h"
#include "efm/paths/probability_path.h"
#include "efm/sampling/sampler.h"

namespace efm::detail {

// Throws InputError unless the conditions of `options` fit it (shapes, labels and class in
// range) and the network takes them (trained conditioning, a class label); returns the
// network as a ConditionedFieldImpl where it is one, else null.
ConditionedFieldImpl* checkConditions(VectorFieldImpl& network, const SampleOptions& options);

// Whether `options` asks for any condition.
bool hasConditions(const SampleOptions& options);

class ConditionedView final : public VectorFieldImpl {
 public:
  // `givenLabels`, `givenMask`: this chunk's rows, on the device (undefined: none given).
  ConditionedView(VectorFieldImpl& network, ConditionedFieldImpl* conditioned,
                  const ProbabilityPath& path, const SampleOptions& options, Tensor givenLabels,
                  Tensor givenMask);
  Tensor forward(const Tensor& w, const Tensor& t) override;
  double multiplyAddsPerSample() const override { return network_.multiplyAddsPerSample(); }
  // Network passes per evaluation of the flow: 2 with guidance (conditional and not), else 1.
  int64_t passesPerEvaluation() const;

 private:
  VectorFieldImpl& network_;
  ConditionedFieldImpl* conditioned_;
  const ProbabilityPath& path_;
  ConditioningMethod method_;
  int64_t labelClass_;
  double guidance_;
  Tensor givenLabels_, givenMask_;
};

}  // namespace efm::detail

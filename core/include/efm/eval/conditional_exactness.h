#pragma once
// How exact conditional sampling is where the truth is known (docs/CONDITIONING.md): on a
// table small enough to enumerate, for every set A of given nodes (not empty, not all) and
// every value x_A of positive probability, KL(p(x_B | x_A) || q(x_B | x_A)) between the exact
// conditional of the rest and the one sampled with A given.
#include "efm/models/vector_field.h"
#include "efm/paths/probability_path.h"
#include "efm/sampling/sampler.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace efm {

struct ConditionalCase {
  std::vector<int64_t> nodes;   // A, ascending
  std::vector<int64_t> labels;  // x_A, one per node of A
  double probability = 0;       // p(x_A)
  double kl = 0;                // KL(exact || sampled, half-count floor) over x_B
};

struct ConditionalExactness {
  std::vector<ConditionalCase> cases;
  int64_t samplesPerCase = 0;
  double meanKl = 0;      // over the cases, each counted once
  double weightedKl = 0;  // mean over the sets A of E_{x_A} KL (cases weighted by p(x_A))
  double maxKl = 0;
};

// KL(p(x_B | x_A) || the labelings `samples`' x_B) for one set of given nodes, `given`
// holding each node's given label or -1 for a free node (B); `samples` int64 [S, n]. The
// half-count floor of compareJoint. nullopt when p(x_A) = 0 or no node is free.
std::optional<double> conditionalKl(const Tensor& joint, int64_t variables, int64_t classes,
                                    const std::vector<int64_t>& given, const Tensor& samples);

// The exact conditional p(x | x_A) as a joint over all n nodes: float64 [c^n], the joint
// where every given node has its label and 0 elsewhere, normalised (`given` as for
// conditionalKl). nullopt when p(x_A) = 0 or nothing is given.
std::optional<Tensor> conditionalJoint(const Tensor& joint, int64_t variables, int64_t classes,
                                       const std::vector<int64_t>& given);

// `joint`: float64 [c^n], a_1 slowest (Dataset::jointTable()); `options` says how to sample
// (count is replaced by samplesPerCase per case, given by each case). All cases are sampled
// in one call of sampleLabelings, so `progress` and `cancelled` are its.
ConditionalExactness measureConditionalExactness(
    VectorFieldImpl& network, const ProbabilityPath& path, const Tensor& joint, int64_t variables,
    int64_t classes, ConditioningMethod method, int64_t samplesPerCase, SampleOptions options,
    const std::function<void(int64_t, int64_t)>& progress = nullptr,
    const std::function<bool()>& cancelled = nullptr);

}  // namespace efm

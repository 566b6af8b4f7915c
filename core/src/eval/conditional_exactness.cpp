#include "efm/eval/conditional_exactness.h"

#include "efm/base/errors.h"
#include "efm/eval/metrics.h"

#include <torch/torch.h>

#include <algorithm>

namespace efm {

namespace {

// p(x_B | x_A) as float64 [c^|B|] (B ascending, the first slowest), unnormalised: the
// slice of the joint at x_A.
Tensor jointSlice(const Tensor& joint, int64_t variables, int64_t classes,
                  const ConditionalCase& given) {
  Tensor slice = joint.view(std::vector<int64_t>(static_cast<size_t>(variables), classes));
  // From the last given node back, so that the earlier dimensions keep their positions.
  for (size_t k = given.nodes.size(); k-- > 0;)
    slice = slice.select(given.nodes[k], given.labels[k]);
  return slice.reshape({-1});
}

// Every (A, x_A) with A neither empty nor every node and p(x_A) > 0.
std::vector<ConditionalCase> allCases(const Tensor& joint, int64_t variables, int64_t classes) {
  std::vector<ConditionalCase> cases;
  for (int64_t subset = 1; subset + 1 < (int64_t{1} << variables); ++subset) {
    ConditionalCase base;
    for (int64_t node = 0; node < variables; ++node)
      if (subset & (int64_t{1} << node)) base.nodes.push_back(node);
    int64_t values = 1;
    for (size_t k = 0; k < base.nodes.size(); ++k) values *= classes;
    for (int64_t value = 0; value < values; ++value) {
      ConditionalCase given = base;
      int64_t rest = value;
      given.labels.assign(base.nodes.size(), 0);
      for (size_t k = base.nodes.size(); k-- > 0;) {
        given.labels[k] = rest % classes;
        rest /= classes;
      }
      given.probability = jointSlice(joint, variables, classes, given).sum().item<double>();
      if (given.probability > 0) cases.push_back(given);
    }
  }
  return cases;
}

}  // namespace

std::optional<double> conditionalKl(const Tensor& joint, int64_t variables, int64_t classes,
                                    const std::vector<int64_t>& given, const Tensor& samples) {
  ConditionalCase known;
  std::vector<int64_t> rest;
  for (int64_t node = 0; node < variables; ++node) {
    const int64_t label = given[static_cast<size_t>(node)];
    if (label >= 0) {
      known.nodes.push_back(node);
      known.labels.push_back(label);
    } else {
      rest.push_back(node);
    }
  }
  if (rest.empty()) return std::nullopt;
  const Tensor slice = jointSlice(joint.to(torch::kFloat64).cpu(), variables, classes, known);
  const double probability = slice.sum().item<double>();
  if (!(probability > 0)) return std::nullopt;
  const Tensor sampled = samples.index_select(1, torch::tensor(rest, torch::kLong));
  return compareJoint(slice / probability, sampled, classes).klTargetModel;
}

std::optional<Tensor> conditionalJoint(const Tensor& joint, int64_t variables, int64_t classes,
                                       const std::vector<int64_t>& given) {
  if (static_cast<int64_t>(given.size()) != variables)
    throw InputError("conditional joint: " + std::to_string(given.size()) + " given labels for " +
                     std::to_string(variables) + " nodes");
  Tensor table = joint.to(torch::kFloat64)
                     .cpu()
                     .reshape(std::vector<int64_t>(static_cast<size_t>(variables), classes));
  bool any = false;
  for (int64_t node = 0; node < variables; ++node) {
    const int64_t label = given[static_cast<size_t>(node)];
    if (label < 0) continue;
    if (label >= classes)
      throw InputError("conditional joint: label " + std::to_string(label) + " of node " +
                       std::to_string(node) + " is outside the " + std::to_string(classes) +
                       " classes");
    // Keep the slice of this node's label: multiply by its one-hot along the node's axis.
    std::vector<int64_t> shape(static_cast<size_t>(variables), 1);
    shape[static_cast<size_t>(node)] = classes;
    table = table * torch::one_hot(torch::tensor(label), classes).to(torch::kFloat64).view(shape);
    any = true;
  }
  const double mass = table.sum().item<double>();
  if (!any || !(mass > 0)) return std::nullopt;
  return (table / mass).reshape({-1});
}

ConditionalExactness measureConditionalExactness(
    VectorFieldImpl& network, const ProbabilityPath& path, const Tensor& joint, int64_t variables,
    int64_t classes, ConditioningMethod method, int64_t samplesPerCase, SampleOptions options,
    const std::function<void(int64_t, int64_t)>& progress, const std::function<bool()>& cancelled) {
  if (variables < 2) throw InputError("conditional exactness needs at least 2 nodes");
  if (samplesPerCase < 1) throw InputError("conditional exactness needs samples per case");
  const Tensor table = joint.to(torch::kFloat64).cpu();
  ConditionalExactness result;
  result.cases = allCases(table, variables, classes);
  result.samplesPerCase = samplesPerCase;
  const auto caseCount = static_cast<int64_t>(result.cases.size());

  // One row of given nodes per labeling, the cases one after the other.
  Tensor labels = torch::zeros({caseCount, variables}, torch::kLong);
  Tensor mask = torch::zeros({caseCount, variables}, torch::kBool);
  for (int64_t k = 0; k < caseCount; ++k) {
    const ConditionalCase& given = result.cases[static_cast<size_t>(k)];
    for (size_t j = 0; j < given.nodes.size(); ++j) {
      labels[k][given.nodes[j]] = given.labels[j];
      mask[k][given.nodes[j]] = true;
    }
  }
  options.count = caseCount * samplesPerCase;
  options.variables = variables;
  options.classes = classes;
  options.given = {labels.repeat_interleave(samplesPerCase, 0),
                   mask.repeat_interleave(samplesPerCase, 0), method};
  const SampleResult drawn = sampleLabelings(network, path, options, progress, cancelled);

  double total = 0, weighted = 0, mass = 0;
  for (int64_t k = 0; k < caseCount; ++k) {
    ConditionalCase& given = result.cases[static_cast<size_t>(k)];
    std::vector<int64_t> perNode(static_cast<size_t>(variables), -1);
    for (size_t j = 0; j < given.nodes.size(); ++j)
      perNode[static_cast<size_t>(given.nodes[j])] = given.labels[j];
    given.kl = *conditionalKl(table, variables, classes, perNode,
                              drawn.labels.narrow(0, k * samplesPerCase, samplesPerCase));
    total += given.kl;
    weighted += given.probability * given.kl;
    mass += given.probability;
    result.maxKl = std::max(result.maxKl, given.kl);
  }
  result.meanKl = total / static_cast<double>(std::max<int64_t>(caseCount, 1));
  result.weightedKl = mass > 0 ? weighted / mass : 0;
  return result;
}

}  // namespace efm

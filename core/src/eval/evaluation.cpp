#include "efm/eval/evaluation.h"

#include <torch/torch.h>

#include <stdexcept>

namespace efm {

Evaluation evaluateSamples(const Dataset& data, const Tensor& labels) {
  Evaluation result;
  result.samples = labels.size(0);
  result.modelMarginals = empiricalMarginals(labels, data.classes());
  result.marginalKl = marginalKl(labels, data.marginals());
  if (auto table = data.jointTable()) result.joint = compareJoint(*table, labels, data.classes());
  return result;
}

ImageEvaluation evaluateLabelMaps(const Dataset& data, const SampleResult& samples) {
  if (!samples.lateProbabilities.defined())
    throw std::invalid_argument("evaluateLabelMaps: sample with lateFraction > 0");
  ImageEvaluation result;
  const int64_t classes = data.classes();
  result.dataFrequencies = data.marginals().mean(0);
  result.modelFrequencies =
      torch::bincount(samples.labels.reshape({-1}), {}, classes).to(torch::kFloat64) /
      static_cast<double>(samples.labels.numel());
  result.klDataModel = klDivergence(result.dataFrequencies, result.modelFrequencies);
  result.klModelData = klDivergence(result.modelFrequencies, result.dataFrequencies);
  result.totalVariation = totalVariation(result.dataFrequencies, result.modelFrequencies);
  const Tensor w = samples.endProbabilities.to(torch::kFloat64);
  // 0 log 0 = 0: xlogy is exactly 0 where w = 0.
  result.meanPixelEntropy = -torch::xlogy(w, w).sum(-1).mean().item<double>();
  result.lateChangeFraction =
      (samples.lateProbabilities.argmax(-1) != samples.endProbabilities.argmax(-1))
          .to(torch::kFloat64)
          .mean()
          .item<double>();
  result.lateTime = samples.lateTime;
  return result;
}

}  // namespace efm

#pragma once
// Compares labelings sampled from a model with the dataset's known distribution: the
// numbers `efm eval` prints and the desktop application plots.
#include "efm/data/dataset.h"
#include "efm/eval/metrics.h"
#include "efm/sampling/sampler.h"

#include <optional>

namespace efm {

struct Evaluation {
  int64_t samples = 0;
  std::optional<JointComparison> joint;  // when the dataset's joint table is known
  double marginalKl = 0;                 // mean over nodes of KL(model marginal || data marginal)
  Tensor modelMarginals;                 // float64 [n, c]
};

// labels: int64 [S, n] sampled from the model.
Evaluation evaluateSamples(const Dataset& data, const Tensor& labels);

// Image data, where joints are far too large to compare: the classes' pixel frequencies, how
// certain the end points are, and whether the maps were still changing near the end.
struct ImageEvaluation {
  Tensor dataFrequencies;   // float64 [c]: class frequencies over all pixels of the data
  Tensor modelFrequencies;  // float64 [c]: the same over the sampled maps
  double klDataModel = 0;   // KL(data || model), +infinity if the model never uses a class
  double klModelData = 0;   // KL(model || data)
  double totalVariation = 0;
  double meanPixelEntropy = 0;    // nats: mean over maps and pixels of H(W_end,i)
  double lateChangeFraction = 0;  // pixels whose argmax differs between lateTime and t_end
  double lateTime = 0;
};
// `samples` must come from sampleLabelings with lateFraction > 0 (0.9: the last 10%).
ImageEvaluation evaluateLabelMaps(const Dataset& data, const SampleResult& samples);

}  // namespace efm

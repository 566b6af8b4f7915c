#pragma once
// Drawing labelings from a trained model (docs/METHOD.md section 3): initial states from the
// reference distribution, the flow integrated to t_end, then a read-out per node.
#include "efm/models/vector_field.h"
#include "efm/paths/probability_path.h"
#include "efm/solvers/ode_solver.h"

#include <cstdint>
#include <functional>

namespace efm {

enum class Readout { Argmax, Factorized };
Readout parseReadout(const std::string& name);  // throws InputError
std::string readoutName(Readout readout);       // "argmax" or "factorized"

// Sampling with some nodes given (docs/METHOD.md, "Conditioning"): the given nodes move
// along their own conditional path towards their label and carry it in the output; the
// others flow. `Replace` works with any model: the network sees the given nodes' points on
// their paths, as in RePaint. `Trained` needs a model trained with --mask-training
// (ConditionedFieldImpl), which sees the given labels themselves.
enum class ConditioningMethod { Replace, Trained };
ConditioningMethod parseConditioningMethod(const std::string& name);  // throws InputError
std::string conditioningMethodName(ConditioningMethod method);        // "replace" or "trained"

struct GivenNodes {
  Tensor labels;  // int64 [1 or count, n]: the given label of each node (where `mask` is set)
  Tensor mask;    // bool [1 or count, n]: true where the node is given; undefined: none
  ConditioningMethod method = ConditioningMethod::Replace;
  bool any() const { return mask.defined(); }
};

struct SampleOptions {
  int64_t count = 1000;
  int64_t variables = 0;  // n
  int64_t classes = 0;    // c
  SolverOptions solver;
  double timeEnd = 0;  // 0 = the path's default
  Readout readout = Readout::Argmax;
  uint64_t seed = 0;
  int64_t chunk = 2048;  // labelings integrated together (cache-sized: see bench/)
  // In (0, 1): also keep W at the first solver time >= lateFraction * t_end (for `efm eval`
  // on images: which pixels still change in the last part of the flow). 0 = off.
  double lateFraction = 0;
  GivenNodes given;
  // A class-conditional model (efm train --condition-on-class): the class label to sample,
  // -1 = none (the unconditional model), and the classifier-free guidance weight w of
  // F_u + w (F_c - F_u): 1 = the conditional model, > 1 sharper, 0 = unconditional.
  int64_t labelClass = -1;
  double guidance = 1;
  // Early decision stopping (efm/sampling/early_stopping.h): a labeling stops integrating
  // once its argmax labels cannot change any more; the e-geodesic paths, argmax readout, no
  // conditions. The safety factor (>= 1) multiplies the measured velocity bound.
  bool earlyStop = false;
  double earlyStopSafety = 1;
  torch::Device device = torch::kCPU;
};

struct SampleResult {
  Tensor labels;              // int64 [count, n], on the CPU
  Tensor endProbabilities;    // W_end, float32 [count, n, c], on the CPU
  Tensor trajectories;        // W(t), float32 [steps + 1, count, n, c] when requested
  std::vector<double> times;  // the times of `trajectories`
  Tensor lateProbabilities;   // W at lateTime, float32 [count, n, c], if lateFraction > 0
  double lateTime = 0;
  int64_t evaluations = 0;  // network evaluations per labeling (2 per step with guidance)
  // The mean over labelings of the evaluations each one took (fewer than `evaluations` with
  // early stopping).
  double meanEvaluations = 0;
};

// Throws InputError when early stopping cannot be used for `path` and `options`.
void checkEarlyStopping(const ProbabilityPath& path, const SampleOptions& options);

// progress(done, total) is called after each chunk; `cancelled` is polled between solver
// steps (throws efm::Cancelled). Runs under InferenceMode; `network` must not be trained
// concurrently (use a snapshot).
SampleResult sampleLabelings(VectorFieldImpl& network, const ProbabilityPath& path,
                             const SampleOptions& options,
                             const std::function<void(int64_t, int64_t)>& progress = nullptr,
                             const std::function<bool()>& cancelled = nullptr);

}  // namespace efm

#pragma once
// Simulation-free training (docs/METHOD.md section 4): draw labelings, put them on conditional
// paths, regress the network onto the path's target with Adam. The trainer owns the model
// and the optimizer; callers observe it through progress callbacks and snapshots, and can
// cancel it between steps.
#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/dist/distributed.h"
#include "efm/io/checkpoint_io.h"
#include "efm/models/vector_field.h"
#include "efm/paths/probability_path.h"

#include <torch/optim/adam.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace efm {

class ConditionedFieldImpl;

struct TrainProgress {
  int64_t step = 0;  // steps completed
  int64_t totalSteps = 0;
  double loss = 0;  // loss of the last step
  double learningRate = 0;
  double stepsPerSecond = 0;  // over this session's steps
  double etaSeconds = 0;
};

class Trainer {
 public:
  // The configuration must have passed resolveAndValidate().
  Trainer(const RunConfig& config, DatasetPtr data, torch::Device device = torch::kCPU);

  // One optimisation step; returns its loss. Throws TrainingDiverged (efm/errors.h), naming
  // the step, on a non-finite loss or gradient, before the parameters change.
  double step();

  // Learning rate of the schedule for the step about to be taken.
  double learningRate() const;

  int64_t completedSteps() const { return step_; }
  const RunConfig& config() const { return config_; }
  const Dataset& data() const { return *data_; }
  const ProbabilityPath& path() const { return *path_; }
  VectorFieldImpl& network() { return *network_; }
  VectorFieldPtr networkPtr() const { return network_; }
  torch::Device device() const { return device_; }

  // Checkpoint: network, optimizer, step, random generator states and the configuration, in
  // one file written atomically (temporary file, fsync, rename).
  void saveCheckpoint(const std::string& file) const;
  // Restores a checkpoint written by saveCheckpoint for the same network architecture.
  // Throws InputError naming the file if it cannot be read or does not fit.
  void loadCheckpoint(const std::string& file);

  // After a divergence: restores `checkpoint` (same architecture), multiplies the learning
  // rate by train.rollback_factor and spends one of train.rollbacks (which must be >= 1).
  void rollBack(const std::string& checkpoint);

  // About how many bytes a checkpoint of this model takes (for the free-space check).
  int64_t checkpointBytesEstimate() const;

  // Trains on other data from the next step on (a target edited while training): same n, c,
  // image shape and class labels, else InputError naming both; `spec` becomes config().data,
  // so checkpoints and config.json name the new data. The model and optimizer are kept.
  void replaceData(DatasetPtr data, const std::string& spec);

  // Changes the total step budget (for resuming with a larger --steps).
  void setTotalSteps(int64_t steps) { config_.train.steps = steps; }

  // Data-parallel training (efm/distributed.h); call on every rank, after any
  // loadCheckpoint. Copies rank 0's state (parameters, optimizer, step, generators) to every
  // rank; from then on each step computes this rank's slice of the global batch and averages
  // the gradients and the loss over all ranks, so every rank takes the same step. InputError
  // unless train.batch divides by the number of ranks.
  void distribute(CollectivePtr collective);
  Collective* collective() const { return collective_.get(); }
  // Rank 0 (or a trainer that is not distributed) writes the run's files; the others don't.
  bool writesFiles() const { return !collective_ || collective_->rank() == 0; }

 private:
  // network.label_classes -1 becomes the data's number; InputError when the data has none
  // or another number than the run.
  void resolveLabelClasses();
  CheckpointContents state() const;
  void restore(const CheckpointContents& contents);
  void copyStateFromRankZero();
  // Sums gradients and loss over the ranks and divides by their number; returns the loss.
  double averageOverRanks(const Tensor& loss);

  RunConfig config_;
  DatasetPtr data_;
  ProbabilityPathPtr path_;
  VectorFieldPtr network_;
  // network_ itself when it takes conditions (given nodes, a class label), else null.
  std::shared_ptr<ConditionedFieldImpl> conditioned_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  torch::Device device_;
  at::Generator dataGenerator_;   // CPU: draws labelings
  at::Generator noiseGenerator_;  // device: path times and noise
  int64_t step_ = 0;
  CollectivePtr collective_;
};

// Reads only the configuration and step stored in a checkpoint (InputError on failure).
struct CheckpointInfo {
  RunConfig config;
  int64_t step = 0;
  int64_t formatVersion = 0;
};
CheckpointInfo readCheckpointInfo(const std::string& file);

// Loads the network of a checkpoint for sampling and evaluation.
VectorFieldPtr loadNetwork(const std::string& file, int64_t variables, int64_t classes,
                           const RunConfig& config, torch::Device device = torch::kCPU);

}  // namespace efm

#pragma once
// A training run on disk: RUN_DIR/config.json (resolved configuration), checkpoint.pt and
// metrics.csv. runTraining drives a Trainer step by step, logs, checkpoints periodically
// and at the end, and stops cleanly between steps when asked to. Shared by `efm train` and
// the desktop application.
#include "efm/trainer.h"

#include <atomic>
#include <filesystem>
#include <functional>

namespace efm {

struct RunDirectory {
  std::filesystem::path root;
  std::filesystem::path checkpoint() const { return root / "checkpoint.pt"; }
  std::filesystem::path config() const { return root / "config.json"; }
  std::filesystem::path metrics() const { return root / "metrics.csv"; }

  // Creates the folder and checks that it is writable (InputError naming it otherwise).
  void prepare() const;
  // Reads config.json of an existing run (InputError if missing or invalid).
  RunConfig readConfig() const;
  void writeConfig(const RunConfig& config) const;
};

// A trained model ready for sampling: its configuration, network (eval mode) and path.
struct TrainedModel {
  RunConfig config;
  int64_t step = 0;
  VectorFieldPtr network;
  ProbabilityPathPtr path;
};
// Loads RUN_DIR/checkpoint.pt (InputError naming the file on any problem).
TrainedModel loadTrainedModel(const RunDirectory& run, torch::Device device = torch::kCPU);

enum class TrainOutcome { Finished, Cancelled };

struct TrainingHooks {
  std::function<void(const TrainProgress&)> progress;  // after every step
  const std::atomic<bool>* cancel = nullptr;           // polled between steps
};

// Trains until config().train.steps are done or `cancel` is set; the checkpoint is saved
// every checkpoint_every steps and always before returning. metrics.csv gets a row every
// log_every steps (rows past the trainer's step, left by a run that crashed after its last
// checkpoint, are dropped first). A diverging step throws; the last checkpoint stays.
TrainOutcome runTraining(Trainer& trainer, const RunDirectory& run, const TrainingHooks& hooks);

}  // namespace efm

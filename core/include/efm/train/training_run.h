#pragma once
// A training run on disk: RUN_DIR/config.json (resolved configuration), checkpoint.pt and
// metrics.csv. runTraining drives a Trainer step by step, logs, checkpoints periodically
// and at the end, and stops cleanly between steps when asked to. Shared by `efm train` and
// the desktop application.
#include "efm/train/trainer.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

namespace efm {

struct RunDirectory {
  std::filesystem::path root;
  std::filesystem::path checkpoint() const { return root / "checkpoint.pt"; }
  std::filesystem::path config() const { return root / "config.json"; }
  std::filesystem::path metrics() const { return root / "metrics.csv"; }

  // Creates the folder and checks that it is writable (InputError naming it otherwise).
  void prepare() const;
  // InputError naming the folder if its file system has less than `bytes` available.
  void requireFreeSpace(int64_t bytes) const;
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

// An automatic rollback after a diverging step (train.rollbacks).
struct Rollback {
  int64_t divergedAt = 0;   // the step that diverged
  int64_t resumedFrom = 0;  // the checkpoint's step, where training goes on
  double learningRate = 0;  // the lowered base learning rate
  int64_t rollbacksLeft = 0;
  std::string reason;  // the divergence message
};

struct TrainingHooks {
  std::function<void(const TrainProgress&)> progress;  // after every step
  std::function<void(const Rollback&)> rolledBack;     // after each automatic rollback
  const std::atomic<bool>* cancel = nullptr;           // polled between steps
};

// Trains until config().train.steps are done or `cancel` is set. The checkpoint is saved
// when training starts, every checkpoint_every steps, whenever
// checkpoint_seconds have passed since the last save, and always before returning; each save
// is atomic, so a crash or kill leaves the previous one readable. First checks that the run
// directory has room for a checkpoint and its temporary copy (InputError otherwise).
// metrics.csv gets a row every log_every steps (rows past the trainer's step, left by a run
// that crashed after its last checkpoint, are dropped first). A diverging step rolls back to
// the last checkpoint with a lower learning rate while train.rollbacks last, and otherwise
// throws TrainingDiverged; the last checkpoint stays as it was. A distributed trainer
// (Trainer::distribute) runs this on every rank: rank 0 writes the files, and a stop request
// on any rank stops every rank after the same step.
TrainOutcome runTraining(Trainer& trainer, const RunDirectory& run, const TrainingHooks& hooks);

}  // namespace efm

#pragma once
// The posterior of `efm likelihood --estimator bound`: loaded from RUN_DIR/posterior.pt when
// it was trained for this model and these settings, trained on the run's data (with a
// progress bar) and saved there otherwise.
#include "efm/sampling/likelihood_bound.h"
#include "efm/train/training_run.h"

#include <functional>
#include <string>

namespace efm::cli {

struct PosteriorSettings {
  int64_t steps = 500;
  int64_t batch = 16;
  double learningRate = 1e-3;
  std::string data;  // the labelings it trains on; "" = the run's training data
  bool retrain = false;
};

struct PreparedPosterior {
  NoisePosterior posterior{nullptr};
  std::string file;
  bool loaded = false;   // from `file`, trained earlier
  double seconds = 0;    // spent training (0 when loaded)
  double finalElbo = 0;  // per node, mean of the last tenth of training (NaN when loaded)
};

PreparedPosterior preparePosterior(const TrainedModel& model, const RunDirectory& run,
                                   const BoundOptions& options, const PosteriorSettings& settings,
                                   uint64_t seed, const std::function<bool()>& cancelled);

}  // namespace efm::cli

// Loads or trains the likelihood bound's posterior for `efm likelihood --estimator bound`.
#include "likelihood_posterior.h"

#include "terminal_progress.h"

#include "efm/base/errors.h"
#include "efm/data/dataset.h"
#include "efm/io/posterior_io.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>

namespace efm::cli {

PreparedPosterior preparePosterior(const TrainedModel& model, const RunDirectory& run,
                                   const BoundOptions& options, const PosteriorSettings& settings,
                                   uint64_t seed, const std::function<bool()>& cancelled) {
  const RunConfig& config = model.config;
  const std::string data = settings.data.empty() ? config.data : settings.data;
  PreparedPosterior out;
  out.file = (run.root / "posterior.pt").string();
  torch::manual_seed(static_cast<uint64_t>(seed));  // the encoders' initial weights
  out.posterior = NoisePosterior(config.variables, config.classes, config.network, config.image,
                                 config.path.smoothing);
  out.posterior->to(options.device);
  PosteriorTrainingOptions training;
  training.steps = settings.steps;
  training.batch = settings.batch;
  training.learningRate = settings.learningRate;
  training.seed = seed;
  const std::string key = posteriorKey(config, model.step, options, training, data);
  if (!settings.retrain && readPosteriorFor(out.file, *out.posterior, key)) {
    out.loaded = true;
    out.finalElbo = std::numeric_limits<double>::quiet_NaN();
    out.posterior->to(options.device);
    return out;
  }

  DatasetPtr labelings;
  try {
    labelings = openDataset(data);
  } catch (const InputError& e) {
    throw InputError("the likelihood bound's posterior trains on the run's data '" + data +
                     "', which cannot be opened (" + e.what() +
                     "); name the training data with --posterior-data SPEC");
  }
  if (labelings->variables() != config.variables || labelings->classes() != config.classes)
    throw InputError("--posterior-data " + data +
                     " has n=" + std::to_string(labelings->variables()) +
                     ", c=" + std::to_string(labelings->classes()) +
                     " but the run was trained with n=" + std::to_string(config.variables) +
                     ", c=" + std::to_string(config.classes));
  TerminalProgress bar("posterior");
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const std::vector<double> history = trainNoisePosterior(
      *model.network, *model.path, *out.posterior,
      [&](int64_t batch, at::Generator& g) { return labelings->sample(batch, g); }, options,
      training,
      [&](int64_t step, int64_t steps, double elbo) {
        const double seconds = elapsed();
        std::ostringstream detail;
        detail << "ELBO " << std::setprecision(4) << elbo << " nats per node";
        bar.update(step, steps, seconds / static_cast<double>(step) * (steps - step), detail.str());
      },
      cancelled);
  bar.finish();
  out.seconds = elapsed();
  const std::size_t tail = std::max<std::size_t>(1, history.size() / 10);
  out.finalElbo = history.empty() ? std::numeric_limits<double>::quiet_NaN()
                                  : std::accumulate(history.end() - static_cast<long>(tail),
                                                    history.end(), 0.0) /
                                        static_cast<double>(tail);
  writePosterior(out.file, *out.posterior, key);
  return out;
}

}  // namespace efm::cli

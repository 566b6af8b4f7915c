#pragma once
// The complete configuration of a run: what is trained on, which probability path, which
// network, how it is optimised. Written to RUN_DIR/config.json and into every checkpoint,
// read back by `efm sample`, `efm eval`, `--resume` and the desktop application. Defaults
// are the reference settings of docs/METHOD.md section 4.
#include "efm/base/image_layout.h"
#include "efm/base/limits.h"
#include "efm/models/network_options.h"
#include "efm/paths/path_options.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace efm {

inline constexpr Limits<int64_t> kStepsLimits{1, 1000000000};
inline constexpr Limits<int64_t> kBatchLimits{1, int64_t{1} << 24};
inline constexpr Limits<double> kLearningRateLimits{1e-8, 1.0};
inline constexpr Limits<int64_t> kRollbackLimits{0, 1000};

struct TrainOptions {
  int64_t steps = 5000;
  // 0, 0 and "" stand for the network's defaults (NetworkKind::defaultBatch etc., chosen by
  // docs/RESULTS.md's measurements), replaced by resolveAndValidate.
  int64_t batch = 0;
  double learningRate = 0;
  std::string schedule;  // "constant" or "cosine" (decays to 0 at `steps`)
  double gradClip = 0;   // max global grad norm; 0 = off (reference)
  uint64_t seed = 0;
  int64_t checkpointEvery = 1000;  // steps; the final step is always saved
  double checkpointSeconds = 60;   // wall-clock seconds between checkpoints; 0 = off
  // On a diverging step (non-finite loss or gradient): reload the last checkpoint, multiply
  // the learning rate by rollbackFactor and go on, at most `rollbacks` times (0 = stop).
  // Each rollback lowers train.lr and train.rollbacks in the run's recorded configuration and
  // counts in rollbacksDone, so that the settings the run started with can be recovered
  // (efm/config/resume.h).
  int64_t rollbacks = 0;
  double rollbackFactor = 0.5;
  int64_t rollbacksDone = 0;
  int64_t logEvery = 50;  // steps between rows of metrics.csv
};

struct RunConfig {
  std::string data = "toy:coupled-binary";
  int64_t variables = 0;  // n and c of the data, recorded when training starts, so that a
  int64_t classes = 0;    // run can be sampled without its data files
  ImageLayout image;      // image data: label-map shape and class set (recorded likewise)
  PathOptions path;
  NetworkOptions network;
  TrainOptions train;
};

void to_json(nlohmann::json& j, const RunConfig& config);
// Reads a (possibly partial) configuration over the defaults in `config`. Unknown keys and
// values of the wrong type or out of range throw InputError naming the key; `origin` (a
// file name) is included in the message.
void mergeConfig(RunConfig& config, const nlohmann::json& j, const std::string& origin);
// Replaces "default" markers (network.hidden = 0, train.batch = 0, ...) by the values they
// stand for, then checks every value against its Limits and the path and network
// registries; throws InputError naming the setting.
void resolveAndValidate(RunConfig& config);

std::string toJsonString(const RunConfig& config);
RunConfig configFromJsonString(const std::string& text, const std::string& origin);

}  // namespace efm

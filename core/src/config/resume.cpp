// Comparing a requested configuration with the one a run was trained with.
#include "efm/config/resume.h"

#include "efm/data/dataset.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace efm {

using nlohmann::json;

RunConfig configAsStarted(const RunConfig& recorded) {
  RunConfig started = recorded;
  const int64_t done = recorded.train.rollbacksDone;
  started.train.learningRate =
      recorded.train.learningRate / std::pow(recorded.train.rollbackFactor, double(done));
  started.train.rollbacks = recorded.train.rollbacks + done;
  started.train.rollbacksDone = 0;
  return started;
}

bool mayChangeOnResume(const std::string& key) {
  static const std::set<std::string> free = {
      "train.steps",     "train.checkpoint_every", "train.checkpoint_seconds",
      "train.rollbacks", "train.rollbacks_done",   "train.log_every"};
  return free.count(key) > 0;
}

namespace {

bool sameValue(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    if (!a.is_number() || !b.is_number()) return false;
    const double x = a.get<double>(), y = b.get<double>();
    return std::abs(x - y) <= 1e-12 * std::max(std::abs(x), std::abs(y));
  }
  return a == b;
}

}  // namespace

std::vector<SettingChange> conflictingSettings(const RunConfig& asStarted,
                                               const RunConfig& requested) {
  std::vector<SettingChange> changes;
  if (!sameDataSpec(asStarted.data, requested.data))
    changes.push_back({"data", json(asStarted.data).dump(), json(requested.data).dump()});
  // Every other setting, leaf by leaf; a list (CNN dilations, U-Net levels) is one setting.
  json a = asStarted, b = requested;
  a.erase("data");
  b.erase("data");
  for (const char* group : {"data_shape", "image", "path", "network", "train"})
    for (auto it = a[group].begin(); it != a[group].end(); ++it) {
      const std::string key = std::string(group) + "." + it.key();
      if (mayChangeOnResume(key)) continue;
      const json& other = b[group][it.key()];
      if (!sameValue(*it, other)) changes.push_back({key, it->dump(), other.dump()});
    }
  return changes;
}

RunConfig resumedConfig(const RunConfig& recorded, const RunConfig& requested) {
  RunConfig resumed = recorded;
  resumed.data = requested.data;
  const TrainOptions& want = requested.train;
  TrainOptions& train = resumed.train;
  train.steps = want.steps;
  train.checkpointEvery = want.checkpointEvery;
  train.checkpointSeconds = want.checkpointSeconds;
  train.logEvery = want.logEvery;
  train.rollbacks = std::max<int64_t>(0, want.rollbacks - recorded.train.rollbacksDone);
  return resumed;
}

}  // namespace efm

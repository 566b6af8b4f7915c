#include "efm/config/run_config.h"

#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"

#include "efm/base/errors.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>

namespace efm {

using nlohmann::json;

namespace {

// Every setting with its group ("" for top-level keys) and key: the one list that writing
// (to_json) and reading (mergeConfig) share, in the order of config.json.
template <typename Config, typename Visit>
void forEachSetting(Config& c, Visit&& visit) {
  visit("", "data", c.data);
  visit("data_shape", "n", c.variables);
  visit("data_shape", "c", c.classes);
  visit("image", "height", c.image.height);
  visit("image", "width", c.image.width);
  visit("image", "class_set", c.image.classSet);
  visit("path", "kind", c.path.kind);
  visit("path", "smoothing", c.path.smoothing);
  visit("path", "magnitude", c.path.magnitude);
  visit("path", "gamma_shape", c.path.gammaShape);
  visit("path", "gamma_rate", c.path.gammaRate);
  visit("path", "t_end", c.path.timeEnd);
  visit("path", "alpha_max", c.path.alphaMax);
  visit("network", "kind", c.network.kind);
  visit("network", "hidden", c.network.hidden);
  visit("network", "layers", c.network.layers);
  visit("network", "time_features", c.network.timeFeatures);
  visit("network", "max_frequency", c.network.maxFrequency);
  visit("network", "time_input", c.network.timeInput);
  visit("network", "activation", c.network.activation);
  visit("network", "input", c.network.input);
  visit("network", "norm", c.network.norm);
  visit("network", "given_nodes", c.network.givenNodes);
  visit("network", "label_classes", c.network.labelClasses);
  visit("network", "kernel", c.network.kernel);
  visit("network", "dilations", c.network.dilations);
  visit("network", "channel_multipliers", c.network.channelMultipliers);
  visit("network", "residual_blocks", c.network.residualBlocks);
  visit("network", "attention_resolutions", c.network.attentionResolutions);
  visit("network", "attention_heads", c.network.attentionHeads);
  visit("network", "norm_groups", c.network.normGroups);
  visit("train", "steps", c.train.steps);
  visit("train", "batch", c.train.batch);
  visit("train", "lr", c.train.learningRate);
  visit("train", "schedule", c.train.schedule);
  visit("train", "grad_clip", c.train.gradClip);
  visit("train", "seed", c.train.seed);
  visit("train", "checkpoint_every", c.train.checkpointEvery);
  visit("train", "checkpoint_seconds", c.train.checkpointSeconds);
  visit("train", "rollbacks", c.train.rollbacks);
  visit("train", "rollback_factor", c.train.rollbackFactor);
  visit("train", "rollbacks_done", c.train.rollbacksDone);
  visit("train", "log_every", c.train.logEvery);
}

}  // namespace

void to_json(json& j, const RunConfig& c) {
  j = json::object();
  forEachSetting(c, [&](const std::string& group, const char* key, const auto& value) {
    if (group.empty())
      j[key] = value;
    else
      j[group][key] = value;
  });
}

namespace {

// Reads one key of a JSON object into `out`, with a message that names the key and origin.
class Reader {
 public:
  Reader(const json& object, std::string prefix, const std::string& origin)
      : object_(object), prefix_(std::move(prefix)), origin_(origin) {
    if (!object_.is_object())
      fail(prefix_.empty() ? "configuration" : prefix_, "must be an object");
  }

  template <typename T>
  void read(const char* key, T& out) {
    seen_.insert(key);
    auto it = object_.find(key);
    if (it == object_.end()) return;
    try {
      if constexpr (std::is_same_v<T, bool>) {
        if (!it->is_boolean()) throw std::invalid_argument("");
      } else if constexpr (std::is_integral_v<T>) {
        if (!it->is_number_integer()) throw std::invalid_argument("");
        if (std::is_unsigned_v<T> && !it->is_number_unsigned()) throw std::invalid_argument("");
      } else if constexpr (std::is_same_v<T, double>) {
        if (!it->is_number()) throw std::invalid_argument("");
      } else if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string()) throw std::invalid_argument("");
      }
      out = it->template get<T>();
    } catch (const std::exception&) {
      fail(name(key), std::string("has the wrong type (") + it->type_name() + ")");
    }
  }

  const json& child(const char* key) {
    seen_.insert(key);
    auto it = object_.find(key);
    return it == object_.end() ? empty() : *it;
  }

  void rejectUnknownKeys() const {
    for (auto it = object_.begin(); it != object_.end(); ++it)
      if (!seen_.count(it.key())) fail(name(it.key()), "is not a known setting");
  }

  std::string name(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "." + key;
  }

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw InputError(origin_ + ": '" + key + "' " + problem);
  }

 private:
  static const json& empty() {
    static const json e = json::object();
    return e;
  }
  const json& object_;
  std::string prefix_;
  const std::string& origin_;
  std::set<std::string> seen_;
};

}  // namespace

void mergeConfig(RunConfig& c, const json& j, const std::string& origin) {
  Reader top(j, "", origin);
  std::map<std::string, Reader> groups;  // one reader per group, made at its first setting
  forEachSetting(c, [&](const std::string& group, const char* key, auto& value) {
    if (group.empty()) return top.read(key, value);
    auto it = groups.find(group);
    if (it == groups.end())
      it = groups.try_emplace(group, top.child(group.c_str()), group, origin).first;
    it->second.read(key, value);
  });
  for (const auto& [name, reader] : groups) reader.rejectUnknownKeys();
  top.rejectUnknownKeys();
}

void resolveAndValidate(RunConfig& c) {
  auto finitePositive = [](double x) { return std::isfinite(x) && x > 0; };
  requireSetting(c.variables >= 0 && c.classes >= 0, "data_shape values must be >= 0");
  requireSetting(c.image.height >= 0 && c.image.width >= 0,
                 "image.height and image.width must be >= 0");
  requireSetting(!c.image.isImage() || c.variables == 0 || c.image.pixels() == c.variables,
                 "image.height x image.width must equal data_shape.n");
  checkPathOptions(c.path);
  resolveNetworkOptions(c.network);
  const TrainingDefaults& defaults = networkKind(c.network.kind).training;
  if (c.train.batch == 0) c.train.batch = defaults.batch;
  if (c.train.learningRate == 0) c.train.learningRate = defaults.learningRate;
  if (c.train.schedule.empty()) c.train.schedule = defaults.schedule;

  requireSetting(kStepsLimits.contains(c.train.steps),
                 "train.steps must be in " + kStepsLimits.text());
  requireSetting(kBatchLimits.contains(c.train.batch),
                 "train.batch must be in " + kBatchLimits.text());
  const int64_t minBatch = minimumBatch(c.network);
  requireSetting(c.train.batch >= minBatch, "train.batch must be >= " + std::to_string(minBatch) +
                                                " for network '" + c.network.kind +
                                                "' (batch normalisation needs two samples)");
  requireSetting(
      std::isfinite(c.train.learningRate) && kLearningRateLimits.contains(c.train.learningRate),
      "train.lr must be in " + kLearningRateLimits.text());
  requireSetting(c.train.schedule == "constant" || c.train.schedule == "cosine",
                 "train.schedule must be 'constant' or 'cosine', got '" + c.train.schedule + "'");
  requireSetting(std::isfinite(c.train.gradClip) && c.train.gradClip >= 0,
                 "train.grad_clip must be >= 0 (0 = off)");
  requireSetting(c.train.checkpointEvery >= 1, "train.checkpoint_every must be >= 1");
  requireSetting(std::isfinite(c.train.checkpointSeconds) && c.train.checkpointSeconds >= 0,
                 "train.checkpoint_seconds must be >= 0 (0 = off)");
  requireSetting(kRollbackLimits.contains(c.train.rollbacks),
                 "train.rollbacks must be in " + kRollbackLimits.text());
  requireSetting(finitePositive(c.train.rollbackFactor) && c.train.rollbackFactor < 1,
                 "train.rollback_factor must be in (0, 1)");
  requireSetting(c.train.rollbacksDone >= 0 && c.train.rollbacksDone <= 1000,
                 "train.rollbacks_done must be in [0, 1000]");
  requireSetting(c.train.logEvery >= 1, "train.log_every must be >= 1");
}

std::string toJsonString(const RunConfig& config) { return json(config).dump(2) + "\n"; }

RunConfig configFromJsonString(const std::string& text, const std::string& origin) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // syntax, or a number beyond double's range
    throw InputError(origin + ": not valid JSON (" + e.what() + ")");
  }
  RunConfig config;
  mergeConfig(config, j, origin);
  // A configuration recorded before network.activation existed trained an MLP with SiLU,
  // the default then; the default has been ReLU since (issue 16), and the parameters alone
  // cannot tell the two apart.
  const bool recordedWithoutActivation = j.is_object() && j.contains("network") &&
                                         j["network"].is_object() &&
                                         !j["network"].contains("activation");
  if (recordedWithoutActivation && config.network.kind == "mlp") config.network.activation = "silu";
  resolveAndValidate(config);
  return config;
}

}  // namespace efm

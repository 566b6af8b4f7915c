#include "efm/config.h"

#include "efm/errors.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

namespace efm {

using nlohmann::json;

void to_json(json& j, const RunConfig& c) {
  j = json{
      {"data", c.data},
      {"data_shape", {{"n", c.variables}, {"c", c.classes}}},
      {"image",
       {{"height", c.image.height}, {"width", c.image.width}, {"class_set", c.image.classSet}}},
      {"path",
       {{"kind", c.path.kind},
        {"smoothing", c.path.smoothing},
        {"magnitude", c.path.magnitude},
        {"gamma_shape", c.path.gammaShape},
        {"gamma_rate", c.path.gammaRate},
        {"t_end", c.path.timeEnd},
        {"alpha_max", c.path.alphaMax}}},
      {"network",
       {{"kind", c.network.kind},
        {"hidden", c.network.hidden},
        {"layers", c.network.layers},
        {"time_features", c.network.timeFeatures},
        {"max_frequency", c.network.maxFrequency},
        {"kernel", c.network.kernel},
        {"dilations", c.network.dilations},
        {"channel_multipliers", c.network.channelMultipliers},
        {"residual_blocks", c.network.residualBlocks},
        {"attention_resolutions", c.network.attentionResolutions},
        {"attention_heads", c.network.attentionHeads},
        {"norm_groups", c.network.normGroups}}},
      {"train",
       {{"steps", c.train.steps},
        {"batch", c.train.batch},
        {"lr", c.train.learningRate},
        {"schedule", c.train.schedule},
        {"grad_clip", c.train.gradClip},
        {"seed", c.train.seed},
        {"checkpoint_every", c.train.checkpointEvery},
        {"checkpoint_seconds", c.train.checkpointSeconds},
        {"rollbacks", c.train.rollbacks},
        {"rollback_factor", c.train.rollbackFactor},
        {"rollbacks_done", c.train.rollbacksDone},
        {"log_every", c.train.logEvery}}},
  };
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
      if constexpr (std::is_integral_v<T>) {
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

void require(bool ok, const std::string& what) {
  if (!ok) throw InputError("configuration: " + what);
}

}  // namespace

void mergeConfig(RunConfig& c, const json& j, const std::string& origin) {
  Reader top(j, "", origin);
  top.read("data", c.data);
  Reader shape(top.child("data_shape"), "data_shape", origin);
  shape.read("n", c.variables);
  shape.read("c", c.classes);
  shape.rejectUnknownKeys();
  Reader image(top.child("image"), "image", origin);
  image.read("height", c.image.height);
  image.read("width", c.image.width);
  image.read("class_set", c.image.classSet);
  image.rejectUnknownKeys();

  Reader path(top.child("path"), "path", origin);
  path.read("kind", c.path.kind);
  path.read("smoothing", c.path.smoothing);
  path.read("magnitude", c.path.magnitude);
  path.read("gamma_shape", c.path.gammaShape);
  path.read("gamma_rate", c.path.gammaRate);
  path.read("t_end", c.path.timeEnd);
  path.read("alpha_max", c.path.alphaMax);
  path.rejectUnknownKeys();

  Reader net(top.child("network"), "network", origin);
  net.read("kind", c.network.kind);
  net.read("hidden", c.network.hidden);
  net.read("layers", c.network.layers);
  net.read("time_features", c.network.timeFeatures);
  net.read("max_frequency", c.network.maxFrequency);
  net.read("kernel", c.network.kernel);
  net.read("dilations", c.network.dilations);
  net.read("channel_multipliers", c.network.channelMultipliers);
  net.read("residual_blocks", c.network.residualBlocks);
  net.read("attention_resolutions", c.network.attentionResolutions);
  net.read("attention_heads", c.network.attentionHeads);
  net.read("norm_groups", c.network.normGroups);
  net.rejectUnknownKeys();

  Reader train(top.child("train"), "train", origin);
  train.read("steps", c.train.steps);
  train.read("batch", c.train.batch);
  train.read("lr", c.train.learningRate);
  train.read("schedule", c.train.schedule);
  train.read("grad_clip", c.train.gradClip);
  train.read("seed", c.train.seed);
  train.read("checkpoint_every", c.train.checkpointEvery);
  train.read("checkpoint_seconds", c.train.checkpointSeconds);
  train.read("rollbacks", c.train.rollbacks);
  train.read("rollback_factor", c.train.rollbackFactor);
  train.read("rollbacks_done", c.train.rollbacksDone);
  train.read("log_every", c.train.logEvery);
  train.rejectUnknownKeys();

  top.rejectUnknownKeys();
}

void resolveAndValidate(RunConfig& c) {
  if (c.network.hidden == 0)
    c.network.hidden = c.network.kind == "cnn" ? 128 : c.network.kind == "unet" ? 32 : 256;
  auto finitePositive = [](double x) { return std::isfinite(x) && x > 0; };
  require(c.variables >= 0 && c.classes >= 0, "data_shape values must be >= 0");
  require(c.image.height >= 0 && c.image.width >= 0, "image.height and image.width must be >= 0");
  require(!c.image.isImage() || c.variables == 0 || c.image.pixels() == c.variables,
          "image.height x image.width must equal data_shape.n");
  const std::set<std::string> paths = {"ray", "bridge", "linear", "dirichlet", "fisher"};
  require(paths.count(c.path.kind) == 1,
          "path.kind must be 'ray', 'bridge', 'linear', 'dirichlet' or 'fisher', got '" +
              c.path.kind + "'");
  require(std::isfinite(c.path.smoothing) && c.path.smoothing > 0 && c.path.smoothing < 1,
          "path.smoothing must lie in (0, 1)");
  require(finitePositive(c.path.magnitude), "path.magnitude must be a positive number");
  require(finitePositive(c.path.gammaShape), "path.gamma_shape must be a positive number");
  require(finitePositive(c.path.gammaRate), "path.gamma_rate must be a positive number");
  require(std::isfinite(c.path.timeEnd) && c.path.timeEnd >= 0,
          "path.t_end must be >= 0 (0 selects the path's default)");
  // The peers' conditional paths reach the data at a fixed time (t = 1, alpha = alpha_max).
  require(c.path.timeEnd == 0 || c.path.kind == "ray" || c.path.kind == "bridge",
          "path.t_end applies to ray and bridge only; the " + c.path.kind +
              " path ends where its conditional paths reach the data");
  require(std::isfinite(c.path.alphaMax) && c.path.alphaMax > 1 && c.path.alphaMax <= 1000,
          "path.alpha_max must lie in (1, 1000]");

  require(c.network.kind == "mlp" || c.network.kind == "cnn" || c.network.kind == "unet",
          "network.kind must be 'mlp', 'cnn' or 'unet', got '" + c.network.kind + "'");
  require(c.network.hidden >= 1 && c.network.hidden <= 65536,
          "network.hidden must be in [1, 65536]");
  require(c.network.layers >= 1 && c.network.layers <= 64, "network.layers must be in [1, 64]");
  require(c.network.timeFeatures >= 2 && c.network.timeFeatures % 2 == 0 &&
              c.network.timeFeatures <= 1024,
          "network.time_features must be an even number in [2, 1024]");
  require(finitePositive(c.network.maxFrequency), "network.max_frequency must be positive");
  require(c.network.kernel >= 1 && c.network.kernel % 2 == 1 && c.network.kernel <= 63,
          "network.kernel must be an odd number in [1, 63]");
  require(!c.network.dilations.empty() && c.network.dilations.size() <= 64,
          "network.dilations must list 1 to 64 layers");
  for (int64_t d : c.network.dilations)
    require(d >= 1 && d <= 4096, "network.dilations must be in [1, 4096]");
  require(!c.network.channelMultipliers.empty() && c.network.channelMultipliers.size() <= 8,
          "network.channel_multipliers must list 1 to 8 levels");
  for (int64_t m : c.network.channelMultipliers)
    require(m >= 1 && m <= 64, "network.channel_multipliers must be in [1, 64]");
  require(c.network.residualBlocks >= 1 && c.network.residualBlocks <= 16,
          "network.residual_blocks must be in [1, 16]");
  for (int64_t r : c.network.attentionResolutions)
    require(r >= 1, "network.attention_resolutions must be positive");
  require(c.network.attentionHeads >= 1 && c.network.attentionHeads <= 64,
          "network.attention_heads must be in [1, 64]");
  require(c.network.normGroups >= 1, "network.norm_groups must be >= 1");
  if (c.network.kind == "unet")
    for (int64_t m : c.network.channelMultipliers)
      require((c.network.hidden * m) % c.network.attentionHeads == 0,
              "network.attention_heads must divide every level's channels (hidden x multiplier)");

  require(c.train.steps >= 1 && c.train.steps <= kMaxTrainSteps,
          "train.steps must be in [1, " + std::to_string(kMaxTrainSteps) + "]");
  require(c.train.batch >= 1 && c.train.batch <= kMaxBatch,
          "train.batch must be in [1, " + std::to_string(kMaxBatch) + "]");
  require(finitePositive(c.train.learningRate) && c.train.learningRate < 10,
          "train.lr must be a positive number below 10");
  require(c.train.schedule == "constant" || c.train.schedule == "cosine",
          "train.schedule must be 'constant' or 'cosine', got '" + c.train.schedule + "'");
  require(std::isfinite(c.train.gradClip) && c.train.gradClip >= 0,
          "train.grad_clip must be >= 0 (0 = off)");
  require(c.train.checkpointEvery >= 1, "train.checkpoint_every must be >= 1");
  require(std::isfinite(c.train.checkpointSeconds) && c.train.checkpointSeconds >= 0,
          "train.checkpoint_seconds must be >= 0 (0 = off)");
  require(c.train.rollbacks >= 0 && c.train.rollbacks <= 1000,
          "train.rollbacks must be in [0, 1000]");
  require(finitePositive(c.train.rollbackFactor) && c.train.rollbackFactor < 1,
          "train.rollback_factor must be in (0, 1)");
  require(c.train.rollbacksDone >= 0 && c.train.rollbacksDone <= 1000,
          "train.rollbacks_done must be in [0, 1000]");
  require(c.train.logEvery >= 1, "train.log_every must be >= 1");
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
  resolveAndValidate(config);
  return config;
}

}  // namespace efm

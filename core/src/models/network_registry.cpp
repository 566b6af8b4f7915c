// The network table, the checks of network settings, and the factory.
#include "efm/models/network_registry.h"

#include "efm/base/errors.h"
#include "efm/models/cnn_field.h"
#include "efm/models/conditioned_field.h"
#include "efm/models/dense_field.h"
#include "efm/models/mlp_field.h"
#include "efm/models/reference_cnn_field.h"
#include "efm/models/unet_field.h"

#include <algorithm>
#include <cmath>

namespace efm {
namespace {

void noExtraChecks(const NetworkOptions&) {}

// The MLP's variant settings: each one's key, its values, the default first (chosen by the
// ablation in docs/RESULTS.md).
struct VariantSetting {
  const char* key;
  std::string NetworkOptions::*field;
  std::vector<std::string> values;
};
const std::vector<VariantSetting>& mlpVariantSettings() {
  static const std::vector<VariantSetting> settings = {
      {"time_input", &NetworkOptions::timeInput, {"fourier", "raw"}},
      // ReLU: potts3 0.0054 against SiLU's 0.0152 at the reference's budget, coupled-binary
      // within one standard error (docs/RESULTS.md §6).
      {"activation", &NetworkOptions::activation, {"relu", "silu", "gelu"}},
      {"input", &NetworkOptions::input, {"probabilities", "log-probabilities", "centred-logits"}},
      {"norm", &NetworkOptions::norm, {"none", "batch", "layer"}},
  };
  return settings;
}

// Fills one of the MLP's variant settings with its default when empty and checks it; any
// other kind accepts it empty only.
void resolveVariantSetting(NetworkOptions& o, const VariantSetting& setting) {
  std::string& value = o.*setting.field;
  const std::string key = std::string("network.") + setting.key;
  if (o.kind != "mlp") {
    requireSetting(
        value.empty(),
        key + " is a setting of the 'mlp' network only (network.kind is '" + o.kind + "')");
    return;
  }
  if (value.empty()) value = setting.values.front();
  std::string known;
  for (const std::string& v : setting.values) known += (known.empty() ? "'" : ", '") + v + "'";
  const bool found =
      std::find(setting.values.begin(), setting.values.end(), value) != setting.values.end();
  requireSetting(found, key + " must be one of " + known + ", got '" + value + "'");
}

void checkUNet(const NetworkOptions& o) {
  for (int64_t m : o.channelMultipliers)
    requireSetting(
        (o.hidden * m) % o.attentionHeads == 0,
        "network.attention_heads must divide every level's channels (hidden x multiplier)");
}

// The factory of a network over the n variables (tables, sequences).
template <typename Network>
VectorFieldPtr makeOverVariables(int64_t variables, int64_t classes, const NetworkOptions& options,
                                 const ImageLayout&) {
  return std::make_shared<Network>(variables, classes, options);
}

// The factory of a U-Net over the label map, with the given time features.
template <TimeSpacing spacing>
VectorFieldPtr makeUNet(int64_t, int64_t classes, const NetworkOptions& options,
                        const ImageLayout& image) {
  return std::make_shared<UNetFieldImpl>(image.height, image.width, classes, options, spacing);
}

template <typename T>
void requireWithin(const Limits<T>& limits, T value, const std::string& key) {
  requireSetting(limits.contains(value), key + " must be in " + limits.text());
}

// Training defaults per family of networks (docs/RESULTS.md, "Defaults"). Tables: the
// reference's toy configuration, at which the fidelity benchmark compares efm with the
// authors' code. Sequences: the reference's class-scaling configuration. Images: the
// reference's rate and cosine decay, with a batch that keeps 5000 steps of the default
// U-Net on 32 x 32 maps under an hour on two CPU cores (batch 256 took about ten).
constexpr TrainingDefaults kTableTraining{512, 5e-4, "constant"};
constexpr TrainingDefaults kSequenceTraining{128, 3e-4, "constant"};
constexpr TrainingDefaults kImageTraining{16, 3e-4, "cosine"};

}  // namespace

const std::vector<NetworkKind>& networkKinds() {
  static const std::vector<NetworkKind> kinds = {
      {"mlp",
       "MLP on the flattened W with Fourier time features (2 hidden layers of 256, ReLU): "
       "toys and tables with small n x c",
       256, false, 1, kTableTraining, noExtraChecks, makeOverVariables<MlpFieldImpl>},
      {"cnn",
       "dilated 1-D CNN over the n positions (128 channels, kernel 9, dilations 1,1,4,16,64, "
       "residual, layer norm): sequences and many classes",
       128, false, 1, kSequenceTraining, noExtraChecks, makeOverVariables<DilatedCnnFieldImpl>},
      {"unet",
       "U-Net over the label map (32 base channels, levels 1,2,2,2, attention at the "
       "bottleneck): image data only",
       32, true, 1, kImageTraining, checkUNet, makeUNet<TimeSpacing::kOctaves>},
      {"dense",
       "the reference's dense net: [batch norm, linear, ReLU] per layer, raw t appended to "
       "the probabilities (network.layers x network.hidden, default 2 x 256)",
       256, false, 2, kTableTraining, noExtraChecks, makeOverVariables<DenseFieldImpl>},
      {"cnn-ref",
       "the reference's CNN (from Dirichlet flow matching): kernel-9 embedding, random "
       "Fourier time features (sigma 30), dilations 1,1,4,16,64, 1x1-ReLU-1x1 read-out",
       128, false, 1, kSequenceTraining, noExtraChecks, makeOverVariables<ReferenceCnnFieldImpl>},
      {"unet-ref",
       "the U-Net with the reference's time input, guided diffusion's sinusoidal embedding "
       "of network.hidden features (max period 10000): image data only",
       32, true, 1, kImageTraining, checkUNet, makeUNet<TimeSpacing::kSinusoidal>},
  };
  return kinds;
}

std::vector<std::string> networkNames() {
  std::vector<std::string> names;
  for (const NetworkKind& kind : networkKinds()) names.push_back(kind.name);
  return names;
}

const NetworkKind& networkKind(const std::string& name) {
  std::string known;
  for (const NetworkKind& kind : networkKinds()) {
    if (kind.name == name) return kind;
    known += (known.empty() ? "'" : ", '") + kind.name + "'";
  }
  throw InputError("configuration: network.kind must be one of " + known + ", got '" + name + "'");
}

void resolveNetworkOptions(NetworkOptions& o) {
  const NetworkKind& kind = networkKind(o.kind);
  if (o.hidden == 0) o.hidden = kind.defaultHidden;
  requireWithin(kHiddenLimits, o.hidden, "network.hidden");
  requireWithin(kLayersLimits, o.layers, "network.layers");
  requireSetting(kTimeFeaturesLimits.contains(o.timeFeatures) && o.timeFeatures % 2 == 0,
                 "network.time_features must be an even number in " + kTimeFeaturesLimits.text());
  requireSetting(std::isfinite(o.maxFrequency) && o.maxFrequency > 0,
                 "network.max_frequency must be positive");
  requireSetting(kKernelLimits.contains(o.kernel) && o.kernel % 2 == 1,
                 "network.kernel must be an odd number in " + kKernelLimits.text());
  requireSetting(!o.dilations.empty() && o.dilations.size() <= 64,
                 "network.dilations must list 1 to 64 layers");
  for (int64_t d : o.dilations) requireWithin(kDilationLimits, d, "network.dilations");
  requireSetting(!o.channelMultipliers.empty() && o.channelMultipliers.size() <= 8,
                 "network.channel_multipliers must list 1 to 8 levels");
  for (int64_t m : o.channelMultipliers)
    requireWithin(kChannelMultiplierLimits, m, "network.channel_multipliers");
  requireWithin(kResidualBlockLimits, o.residualBlocks, "network.residual_blocks");
  for (int64_t r : o.attentionResolutions)
    requireSetting(r >= 1, "network.attention_resolutions must be positive");
  requireWithin(kAttentionHeadLimits, o.attentionHeads, "network.attention_heads");
  requireWithin(kLabelClassLimits, o.labelClasses, "network.label_classes");
  requireSetting(o.normGroups >= 1, "network.norm_groups must be >= 1");
  for (const VariantSetting& setting : mlpVariantSettings()) resolveVariantSetting(o, setting);
  kind.check(o);
}

int64_t minimumBatch(const NetworkOptions& options) {
  const int64_t kindMinimum = networkKind(options.kind).minBatch;
  return options.norm == "batch" ? std::max<int64_t>(kindMinimum, 2) : kindMinimum;
}

VectorFieldPtr makeVectorField(int64_t variables, int64_t classes, const NetworkOptions& options,
                               const ImageLayout& image) {
  const NetworkKind& kind = networkKind(options.kind);
  if (kind.imageOnly && (!image.isImage() || image.pixels() != variables))
    throw InputError("network '" + kind.name +
                     "' needs image data (cityscapes:, idx:): the data has no label-map "
                     "shape; choose another --model");
  if (options.labelClasses < 0)
    throw InputError("network.label_classes -1 (the data's) must be resolved before building");
  if (!options.givenNodes && options.labelClasses == 0)
    return kind.make(variables, classes, options, image);
  const int64_t extra =
      ConditionedFieldImpl::extraChannels(options.givenNodes, options.labelClasses);
  return std::make_shared<ConditionedFieldImpl>(
      kind.make(variables, classes + extra, options, image), classes, options.givenNodes,
      options.labelClasses);
}

}  // namespace efm

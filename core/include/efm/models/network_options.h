#pragma once
// The settings of the vector-field networks (JSON key "network" of a run configuration) and
// their ranges. Which kinds exist and what each accepts: efm/models/network_registry.h.
#include "efm/base/limits.h"

#include <cstdint>
#include <string>
#include <vector>

namespace efm {

struct NetworkOptions {
  std::string kind = "mlp";  // a name of networkKinds()
  // MLP width / CNN channels / U-Net base channels; 0 = the kind's default
  int64_t hidden = 0;
  int64_t layers = 2;         // hidden layers of the MLP
  int64_t timeFeatures = 16;  // Fourier features of t (sin and cos pairs: half each)
  double maxFrequency = 4.0;  // highest Fourier frequency (cycles per unit of t)
  // The MLP's variants (docs/RESULTS.md, "Ablation"); "" = the kind's default
  // (networkKinds()), and only the MLP accepts another value:
  std::string timeInput;   // "fourier" (the features above) or "raw" (t itself)
  std::string activation;  // "silu", "relu" or "gelu"
  std::string input;       // "probabilities", "log-probabilities" or "centred-logits" (log W
                           // minus its mean over the classes of each node)
  std::string norm;        // before each linear layer: "none", "batch" or "layer"
  // Conditions the network takes (efm/models/conditioned_field.h, docs/METHOD.md §9-10);
  // any kind. Given nodes: efm train --mask-training. Label classes: the number of class
  // labels of a class-conditional run (efm train --condition-on-class); 0 = none, -1 = as
  // many as the data's labels (replaced by that number when training starts).
  bool givenNodes = false;
  int64_t labelClasses = 0;
  int64_t kernel = 9;                                  // CNN kernel size
  std::vector<int64_t> dilations = {1, 1, 4, 16, 64};  // one CNN layer each
  // U-Net (reference: 32 base channels, multipliers 1,2,2,2, two residual blocks per level,
  // "attention at 16"). Attention resolutions are downsampling factors (1, 2, 4, ...), as in
  // the reference implementation's U-Net.
  std::vector<int64_t> channelMultipliers = {1, 2, 2, 2};
  int64_t residualBlocks = 2;
  std::vector<int64_t> attentionResolutions = {16};
  int64_t attentionHeads = 1;
  // GroupNorm groups (reference 32); a layer whose channel count it does not divide uses
  // gcd(normGroups, channels) groups.
  int64_t normGroups = 32;
};

inline constexpr Limits<int64_t> kHiddenLimits{1, 65536};
inline constexpr Limits<int64_t> kLayersLimits{1, 64};
inline constexpr Limits<int64_t> kTimeFeaturesLimits{2, 1024};  // and even
inline constexpr Limits<int64_t> kKernelLimits{1, 63};          // and odd
inline constexpr Limits<int64_t> kDilationLimits{1, 4096};
inline constexpr Limits<int64_t> kChannelMultiplierLimits{1, 64};
inline constexpr Limits<int64_t> kResidualBlockLimits{1, 16};
inline constexpr Limits<int64_t> kAttentionHeadLimits{1, 64};
inline constexpr Limits<int64_t> kLabelClassLimits{-1, 1024};

}  // namespace efm

#pragma once
// Shared pieces of the trainer, configuration, checkpoint and network tests: a small
// validated run configuration, a tiny U-Net, and copies of a network's parameters to compare.
#include "efm/config/run_config.h"
#include "efm/models/vector_field.h"

#include <torch/torch.h>

#include <cstddef>
#include <string>
#include <vector>

namespace efm_test {

// A validated run of 30 steps on a Dirichlet table of 3 nodes with 3 classes.
inline efm::RunConfig smallConfig(const std::string& network = "mlp") {
  efm::RunConfig config;
  config.data = "toy:dirichlet?n=3&c=3&alpha=0.5&seed=1";
  config.network.kind = network;
  config.network.hidden = 32;
  config.network.dilations = {1, 2};
  config.train.batch = 64;
  config.train.steps = 30;
  config.train.seed = 7;
  efm::resolveAndValidate(config);
  return config;
}

// A U-Net small enough for unit tests: 8 base channels, two levels, one block each,
// attention at the second level (downsampling factor 2).
inline efm::NetworkOptions tinyUNet() {
  efm::NetworkOptions options;
  options.kind = "unet";
  options.hidden = 8;
  options.channelMultipliers = {1, 2};
  options.residualBlocks = 1;
  options.attentionResolutions = {2};
  options.normGroups = 4;
  return options;
}

// Detached copies of a network's parameters.
inline std::vector<torch::Tensor> parameters(efm::VectorFieldImpl& net) {
  std::vector<torch::Tensor> out;
  for (const auto& p : net.parameters()) out.push_back(p.detach().clone());
  return out;
}

inline bool sameParameters(const std::vector<torch::Tensor>& a,
                           const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (!torch::equal(a[k], b[k])) return false;
  return true;
}

}  // namespace efm_test

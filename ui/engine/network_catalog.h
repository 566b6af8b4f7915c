#pragma once
// What the widgets need to know about the network kinds of the core's registry
// (efm/models/network_registry.h), as plain data (no LibTorch here).
#include <cstdint>
#include <string>
#include <vector>

namespace efm::ui {

struct NetworkInfo {
  std::string name;
  std::string description;
  int64_t defaultHidden = 0;
  bool imageOnly = false;  // a U-Net: image data only
  // What batch 0, learning rate 0 and schedule "default" stand for with this network.
  int64_t defaultBatch = 0;
  double defaultLearningRate = 0;
  std::string defaultSchedule;
};

// The kinds of the registry, the default first.
std::vector<NetworkInfo> networkInfos();
bool isImageOnlyNetwork(const std::string& name);
// The network the studio picks for image data: the first image-only kind.
std::string imageNetwork();

}  // namespace efm::ui

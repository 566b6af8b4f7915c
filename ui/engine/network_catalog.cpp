#include "engine/network_catalog.h"

#include "efm/models/network_registry.h"

namespace efm::ui {

std::vector<NetworkInfo> networkInfos() {
  std::vector<NetworkInfo> infos;
  for (const NetworkKind& kind : networkKinds())
    infos.push_back({kind.name, kind.description, kind.defaultHidden, kind.imageOnly,
                     kind.training.batch, kind.training.learningRate, kind.training.schedule});
  return infos;
}

bool isImageOnlyNetwork(const std::string& name) {
  for (const NetworkKind& kind : networkKinds())
    if (kind.name == name) return kind.imageOnly;
  return false;
}

std::string imageNetwork() {
  for (const NetworkKind& kind : networkKinds())
    if (kind.imageOnly) return kind.name;
  return networkKinds().front().name;
}

}  // namespace efm::ui

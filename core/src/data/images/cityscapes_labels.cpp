// The Cityscapes label table, as in cityscapesScripts helpers/labels.py.
#include "data/images/cityscapes_labels.h"

namespace efm::detail {

const std::array<CityscapesLabel, kCityscapesLabelCount>& cityscapesLabels() {
  static const std::array<CityscapesLabel, kCityscapesLabelCount> table = {{
      {"unlabeled", 0, 255, 0, {0, 0, 0}},
      {"ego vehicle", 1, 255, 0, {0, 0, 0}},
      {"rectification border", 2, 255, 0, {0, 0, 0}},
      {"out of roi", 3, 255, 0, {0, 0, 0}},
      {"static", 4, 255, 0, {0, 0, 0}},
      {"dynamic", 5, 255, 0, {111, 74, 0}},
      {"ground", 6, 255, 0, {81, 0, 81}},
      {"road", 7, 0, 1, {128, 64, 128}},
      {"sidewalk", 8, 1, 1, {244, 35, 232}},
      {"parking", 9, 255, 1, {250, 170, 160}},
      {"rail track", 10, 255, 1, {230, 150, 140}},
      {"building", 11, 2, 2, {70, 70, 70}},
      {"wall", 12, 3, 2, {102, 102, 156}},
      {"fence", 13, 4, 2, {190, 153, 153}},
      {"guard rail", 14, 255, 2, {180, 165, 180}},
      {"bridge", 15, 255, 2, {150, 100, 100}},
      {"tunnel", 16, 255, 2, {150, 120, 90}},
      {"pole", 17, 5, 3, {153, 153, 153}},
      {"polegroup", 18, 255, 3, {153, 153, 153}},
      {"traffic light", 19, 6, 3, {250, 170, 30}},
      {"traffic sign", 20, 7, 3, {220, 220, 0}},
      {"vegetation", 21, 8, 4, {107, 142, 35}},
      {"terrain", 22, 9, 4, {152, 251, 152}},
      {"sky", 23, 10, 5, {70, 130, 180}},
      {"person", 24, 11, 6, {220, 20, 60}},
      {"rider", 25, 12, 6, {255, 0, 0}},
      {"car", 26, 13, 7, {0, 0, 142}},
      {"truck", 27, 14, 7, {0, 0, 70}},
      {"bus", 28, 15, 7, {0, 60, 100}},
      {"caravan", 29, 255, 7, {0, 0, 90}},
      {"trailer", 30, 255, 7, {0, 0, 110}},
      {"train", 31, 16, 7, {0, 80, 100}},
      {"motorcycle", 32, 17, 7, {0, 0, 230}},
      {"bicycle", 33, 18, 7, {119, 11, 32}},
  }};
  return table;
}

const std::array<const char*, kCityscapesCategories>& cityscapesCategoryNames() {
  static const std::array<const char*, kCityscapesCategories> names = {
      "void", "flat", "construction", "object", "nature", "sky", "human", "vehicle"};
  return names;
}

const std::array<std::array<uint8_t, 3>, kCityscapesCategories>& cityscapesCategoryColours() {
  static const std::array<std::array<uint8_t, 3>, kCityscapesCategories> colours = {{
      {0, 0, 0},
      {128, 64, 128},
      {70, 70, 70},
      {153, 153, 153},
      {107, 142, 35},
      {70, 130, 180},
      {220, 20, 60},
      {0, 0, 142},
  }};
  return colours;
}

std::optional<CityscapesClassSet> parseCityscapesClassSet(const std::string& name) {
  if (name == "categories") return CityscapesClassSet::kCategories;
  if (name == "train") return CityscapesClassSet::kTrain;
  if (name == "ids") return CityscapesClassSet::kIds;
  return std::nullopt;
}

const char* classSetName(CityscapesClassSet set) {
  switch (set) {
    case CityscapesClassSet::kCategories:
      return "categories";
    case CityscapesClassSet::kTrain:
      return "train";
    case CityscapesClassSet::kIds:
      return "ids";
  }
  return "";
}

int64_t classCount(CityscapesClassSet set) {
  switch (set) {
    case CityscapesClassSet::kCategories:
      return kCityscapesCategories;
    case CityscapesClassSet::kTrain:
      return kCityscapesTrainClasses + 1;
    case CityscapesClassSet::kIds:
      return kCityscapesLabelCount;
  }
  return 0;
}

int classOfLabelId(int64_t labelId, CityscapesClassSet set) {
  const bool known = labelId >= 0 && labelId < kCityscapesLabelCount;
  switch (set) {
    case CityscapesClassSet::kCategories:
      return known ? cityscapesLabels()[labelId].category : 0;
    case CityscapesClassSet::kTrain: {
      const int trainId = known ? cityscapesLabels()[labelId].trainId : kIgnoreTrainId;
      return trainId == kIgnoreTrainId ? kCityscapesTrainClasses : trainId;
    }
    case CityscapesClassSet::kIds:
      return known ? static_cast<int>(labelId) : 0;
  }
  return 0;
}

std::array<uint8_t, 256> classLookup(CityscapesClassSet set) {
  std::array<uint8_t, 256> table{};
  for (int id = 0; id < 256; ++id) table[id] = static_cast<uint8_t>(classOfLabelId(id, set));
  return table;
}

}  // namespace efm::detail

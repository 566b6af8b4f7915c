#pragma once
// Private: the official Cityscapes label table (cityscapesScripts, helpers/labels.py) and the
// mapping of the label ids stored in *_gtFine_labelIds.png files to the classes of a class
// set. Shared by the palettes, the loader and the synthetic street generator.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace efm::detail {

struct CityscapesLabel {
  const char* name;
  int id;        // the value stored in labelIds files, 0..33
  int trainId;   // 0..18, or 255: ignored in training and evaluation
  int category;  // 0..7: void, flat, construction, object, nature, sky, human, vehicle
  std::array<uint8_t, 3> colour;
};

inline constexpr int kCityscapesLabelCount = 34;  // ids 0..33 ('license plate', -1, is
                                                  // never stored in a file)
inline constexpr int kCityscapesCategories = 8;
inline constexpr int kCityscapesTrainClasses = 19;  // "train" adds "ignore" as class 19
inline constexpr int kIgnoreTrainId = 255;

// Indexed by label id.
const std::array<CityscapesLabel, kCityscapesLabelCount>& cityscapesLabels();
const std::array<const char*, kCityscapesCategories>& cityscapesCategoryNames();
// Colour of each category (the one cityscapesScripts shows for the category's main class).
const std::array<std::array<uint8_t, 3>, kCityscapesCategories>& cityscapesCategoryColours();

// The Cityscapes class sets: "categories" (8), "train" (19 + ignore = 20), "ids" (34).
enum class CityscapesClassSet { kCategories, kTrain, kIds };
std::optional<CityscapesClassSet> parseCityscapesClassSet(const std::string& name);
const char* classSetName(CityscapesClassSet set);
int64_t classCount(CityscapesClassSet set);

// Class index in `set` of a label id read from a file. Ids outside the table (anything but
// 0..33) map to the class that means "nothing known": void (0) for categories, ignore (19)
// for train ids, unlabeled (0) for ids.
int classOfLabelId(int64_t labelId, CityscapesClassSet set);
// The same as a table over the 256 values of an 8-bit file.
std::array<uint8_t, 256> classLookup(CityscapesClassSet set);

}  // namespace efm::detail

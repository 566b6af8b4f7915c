#pragma once
// Shared pieces of the label-map tests: five distinct colours and a palette of them for a
// map of a given size and number of classes; a small folder in the Cityscapes layout.
#include "efm/data/images/synthetic_streets.h"
#include "engine/studio_data.h"
#include "views/label_map_images.h"

#include <cstdint>
#include <string>

namespace gui_test {

inline const efm::ui::Rgb kRed{200, 0, 0}, kGreen{0, 160, 0}, kBlue{0, 0, 220},
    kYellow{230, 200, 0}, kPurple{120, 0, 140};

// An H x W map's ImageInfo with classes named "class K", coloured red, green, blue, yellow,
// purple, red, ...
inline efm::ui::ImageInfo palette(int64_t height, int64_t width, int64_t classes) {
  efm::ui::ImageInfo info;
  info.height = height;
  info.width = width;
  const efm::ui::Rgb colours[5] = {kRed, kGreen, kBlue, kYellow, kPurple};
  for (int64_t k = 0; k < classes; ++k) {
    info.classNames.push_back("class " + std::to_string(k));
    info.classColours.push_back(colours[k % 5]);
  }
  return info;
}

// `count` synthetic street scenes of 64 x 128 in DIR/gtFine/train/ (the Cityscapes layout).
inline void writeSmallStreets(const std::string& dir, int64_t count, uint64_t seed) {
  efm::SyntheticCityscapesOptions options;
  options.height = 64;
  options.width = 128;
  options.trainFraction = 1.0;
  options.valFraction = 0.0;
  efm::writeSyntheticCityscapes(dir, count, seed, options);
}

}  // namespace gui_test

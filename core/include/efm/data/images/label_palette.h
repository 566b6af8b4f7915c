#pragma once
// Names and display colours of the classes of image data. The Cityscapes class sets follow
// the official label table (cityscapesScripts labels.py): "categories" (8: void, flat,
// construction, object, nature, sky, human, vehicle), "train" (the 19 training ids, then
// "ignore" as class 19), "ids" (all 34 label ids 0..33). "levels" are grey levels of
// quantised images (black to white). Any other set, or a class count that does not match,
// gets generic names "class k" and a documented qualitative palette (README "Label maps'
// palettes").
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace efm {

struct ClassPalette {
  std::vector<std::string> names;
  std::vector<std::array<uint8_t, 3>> colours;  // sRGB, one per class
};

ClassPalette classPalette(const std::string& classSet, int64_t classes);
}  // namespace efm

// Class names and colours: the Cityscapes sets from the official table, grey levels, and a
// generic qualitative palette for everything else.
#include "efm/data/images/label_palette.h"

#include "data/images/cityscapes_labels.h"

#include <algorithm>
#include <cmath>

namespace efm {
namespace {

using Colour = std::array<uint8_t, 3>;

// Tableau 20 (matplotlib's "tab20"): distinct neighbours, then the lighter partners.
constexpr std::array<Colour, 20> kTableau20 = {{
    {31, 119, 180},  {174, 199, 232}, {255, 127, 14},  {255, 187, 120}, {44, 160, 44},
    {152, 223, 138}, {214, 39, 40},   {255, 152, 150}, {148, 103, 189}, {197, 176, 213},
    {140, 86, 75},   {196, 156, 148}, {227, 119, 194}, {247, 182, 210}, {127, 127, 127},
    {199, 199, 199}, {188, 189, 34},  {219, 219, 141}, {23, 190, 207},  {158, 218, 229},
}};

uint8_t channel(double value) {
  return static_cast<uint8_t>(std::lround(std::clamp(value, 0.0, 1.0) * 255));
}

Colour fromHsv(double hueDegrees, double saturation, double value) {
  const double h = std::fmod(hueDegrees, 360.0) / 60.0;
  const double c = value * saturation;
  const double x = c * (1 - std::fabs(std::fmod(h, 2.0) - 1));
  const double m = value - c;
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(h)) {
    case 0:
      r = c, g = x;
      break;
    case 1:
      r = x, g = c;
      break;
    case 2:
      g = c, b = x;
      break;
    case 3:
      g = x, b = c;
      break;
    case 4:
      r = x, b = c;
      break;
    default:
      r = c, b = x;
      break;
  }
  return {channel(r + m), channel(g + m), channel(b + m)};
}

// Classes beyond Tableau's 20 step around the hue circle by the golden angle, so that any
// number of them stays spread out; two brightness levels alternate.
Colour genericColour(int64_t k) {
  if (k < static_cast<int64_t>(kTableau20.size())) return kTableau20[k];
  constexpr double kGoldenAngle = 137.50776405003785;
  return fromHsv(static_cast<double>(k) * kGoldenAngle, 0.65, k % 2 == 0 ? 0.9 : 0.7);
}

ClassPalette generic(int64_t classes) {
  ClassPalette palette;
  for (int64_t k = 0; k < classes; ++k) {
    palette.names.push_back("class " + std::to_string(k));
    palette.colours.push_back(genericColour(k));
  }
  return palette;
}

ClassPalette greyLevels(int64_t classes) {
  ClassPalette palette;
  for (int64_t k = 0; k < classes; ++k) {
    const double level =
        classes > 1 ? static_cast<double>(k) / static_cast<double>(classes - 1) : 0.0;
    const uint8_t grey = channel(level);
    palette.names.push_back("level " + std::to_string(k));
    palette.colours.push_back({grey, grey, grey});
  }
  return palette;
}

}  // namespace

ClassPalette classPalette(const std::string& classSet, int64_t classes) {
  using detail::CityscapesClassSet;
  if (classes <= 0) return {};
  if (classSet == "levels") return greyLevels(classes);
  const auto set = detail::parseCityscapesClassSet(classSet);
  if (!set || detail::classCount(*set) != classes) return generic(classes);
  const auto& labels = detail::cityscapesLabels();
  ClassPalette palette;
  switch (*set) {
    case CityscapesClassSet::kCategories:
      for (int k = 0; k < detail::kCityscapesCategories; ++k) {
        palette.names.emplace_back(detail::cityscapesCategoryNames()[k]);
        palette.colours.push_back(detail::cityscapesCategoryColours()[k]);
      }
      break;
    case CityscapesClassSet::kTrain:
      palette.names.resize(detail::kCityscapesTrainClasses);
      palette.colours.resize(detail::kCityscapesTrainClasses);
      for (const auto& label : labels) {
        if (label.trainId == detail::kIgnoreTrainId) continue;
        palette.names[label.trainId] = label.name;
        palette.colours[label.trainId] = label.colour;
      }
      palette.names.emplace_back("ignore");
      palette.colours.push_back({0, 0, 0});
      break;
    case CityscapesClassSet::kIds:
      for (const auto& label : labels) {
        palette.names.emplace_back(label.name);
        palette.colours.push_back(label.colour);
      }
      break;
  }
  return palette;
}

}  // namespace efm

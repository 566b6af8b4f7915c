#pragma once
// One colour per probability path, the same in the studio (curves, flows, legends) and in
// the benchmarks' plots, so that a reader who has seen one recognises the paths in the
// other: ours warm (ray red and drawn thickest, bridge orange), the peers cool or neutral.
// Plain numbers, no GUI library: each face turns them into its own colour type.
#include <string_view>

namespace efm {

struct PathRgb {
  int r = 0, g = 0, b = 0;
};

// The colour of "ray", "bridge", "linear", "dirichlet" or "fisher"; grey for anything else.
constexpr PathRgb pathRgb(std::string_view path) {
  if (path == "ray") return {214, 39, 40};
  if (path == "bridge") return {255, 127, 14};
  if (path == "linear") return {127, 127, 127};
  if (path == "dirichlet") return {44, 160, 44};
  if (path == "fisher") return {31, 119, 180};
  return {110, 110, 110};
}

constexpr bool isKnownPathColour(std::string_view path) {
  return path == "ray" || path == "bridge" || path == "linear" || path == "dirichlet" ||
         path == "fisher";
}

}  // namespace efm

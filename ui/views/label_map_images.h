#pragma once
// The pure side of the label-map view (no VTK, no Qt): what W(t) of one kept flow looks like
// as a map (argmax class and Shannon entropy of every pixel), palette colours, the gallery's
// grid, and which pixel a point of the picture falls on. Kept apart so that tests can check
// the numbers the view draws exactly (tests/gui/test_label_maps.cpp).

#include <array>
#include <cstdint>
#include <vector>

#include "engine/studio_data.h"

namespace efm::ui {

using Rgb = std::array<uint8_t, 3>;

// Samples whose whole flow is in `samples.trajectories` (the first ones of the set).
int64_t keptFlows(const SampleSet& samples);
// W at recorded time `timeIndex` of kept flow `flow`: n x c floats, row-major.
const float* flowState(const SampleSet& samples, int64_t flow, int64_t timeIndex);
// W_end of sample `sample` (every sample has one): n x c floats.
const float* endState(const SampleSet& samples, int64_t sample);
// Index of the recorded time nearest to t (the earlier one on a tie).
int64_t nearestTimeIndex(const std::vector<double>& times, double t);

// The class of largest probability of each node of an [n][c] block (the lower class on a
// tie: the read-out rule of the sampler).
std::vector<int64_t> argmaxClasses(const float* w, int64_t nodes, int64_t classes);
// Shannon entropy -sum_k p_k log p_k of each node, in nats (0 <= H <= log c).
std::vector<float> entropies(const float* w, int64_t nodes, int64_t classes);
// The k most probable classes of one distribution, most probable first (ties: lower class).
std::vector<int> topClasses(const float* p, int64_t classes, int k);

// Display colour of a class: the palette's, or a fixed qualitative colour when the palette
// does not cover it (generic data, a checkpoint without its class set).
Rgb classColour(const ImageInfo& image, int64_t cls);
// RGB bytes of a label map, [height][width][3] row-major (row 0 at the top).
std::vector<uint8_t> colourLabels(const std::vector<int64_t>& labels, const ImageInfo& image);

// Where a map of height x width pixels is drawn: its top-left corner at (x, y) in world
// units and `scale` world units per pixel; rows go down (-y), columns right (+x).
struct MapRect {
  double x = 0, y = 0, scale = 1;
  int64_t height = 0, width = 0;
  double right() const { return x + scale * double(width); }
  double bottom() const { return y - scale * double(height); }
  bool contains(double px, double py) const;
  // The node (row * width + column) under a world point, -1 outside the map.
  int64_t nodeAt(double px, double py) const;
  // World centre of a node's pixel.
  std::array<double, 2> centre(int64_t node) const;
};

// A grid of `count` maps of height x width pixels in `columns` columns (scale 1, `gap` pixels
// between them), the first map's top-left corner at (0, 0).
std::vector<MapRect> galleryGrid(int64_t count, int64_t height, int64_t width, int64_t columns,
                                 double gap);
// The grid with the number of columns that lets it fill a box of width/height `boxAspect`
// best (fewer rows on a tie).
std::vector<MapRect> galleryLayout(int64_t count, int64_t height, int64_t width, double boxAspect,
                                   double gap);

// The label-map view's picture: the gallery on top and, when a flow is scrubbed, a row of
// three maps below it (argmax W(t), entropy of W(t), entropy of W_end) as wide as the
// gallery and never smaller than its maps; each row has a title above it that needs
// `titlePixels` on the screen. The gallery's columns (at least three under a scrubbed row)
// are those that make the whole picture largest in a room of roomWidth x roomHeight pixels.
struct LabelMapLayout {
  std::vector<MapRect> gallery;
  std::array<MapRect, 3> scrub{};  // width 0 when nothing is scrubbed
  double left = 0, right = 0, bottom = 0, top = 0;  // world bounds, titles included
  double pixelsPerUnit = 1;  // the scale at which the picture fills the room
  double title = 0;          // the room of a title in world units
};
LabelMapLayout labelMapLayout(int64_t count, int64_t height, int64_t width, bool scrub,
                              double roomWidth, double roomHeight, double titlePixels);

}  // namespace efm::ui

// Synthetic Cityscapes-like street scenes: the street with its facades, patches on the ground,
// the ego vehicle, and renderStreetScene (geometry: synthetic_scene.h).
#include "efm/data/images/synthetic_streets.h"

#include "data/images/synthetic_scene.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace efm {
namespace {

using namespace detail::streets;

struct Block {
  double u0, u1;
  uint8_t id;       // building, wall, fence, vegetation, or terrain (a gap)
  double tallness;  // scales the block's height with its distance from the vanishing point
};

// Facades along one side of the street, from the image edge towards the vanishing point.
std::vector<Block> facadeBlocks(SplitMix& rng, double from, double to) {
  std::vector<Block> blocks;
  const double direction = to > from ? 1 : -1;
  double u = from;
  while ((to - u) * direction > 0) {
    const double length = rng.uniform(0.04, 0.16);
    const double end = u + direction * length;
    const double kind = rng.uniform();
    const uint8_t id = kind < 0.62   ? kBuilding
                       : kind < 0.78 ? kVegetation
                       : kind < 0.87 ? kWall
                       : kind < 0.94 ? kFence
                                     : kTerrain;
    blocks.push_back({std::min(u, end), std::max(u, end), id, rng.uniform(0.35, 1.0)});
    u = end;
  }
  return blocks;
}

// Sky above the facades, facades down to the sidewalks, sidewalks and road below.
void paintStreet(Canvas& canvas, const Street& street, SplitMix& rng) {
  const std::vector<Block> left = facadeBlocks(rng, -0.02, street.vanish - 0.01);
  const std::vector<Block> right = facadeBlocks(rng, 1.02, street.vanish + 0.01);
  // Tree crowns make the top of a vegetation block bumpy: one bump radius per block.
  const double bump = rng.uniform(0.015, 0.035);
  for (int64_t x = 0; x < canvas.width(); ++x) {
    const double u = canvas.centreU(x);
    const bool onLeft = u < street.vanish;
    const std::vector<Block>& blocks = onLeft ? left : right;
    const double sideBottom = onLeft ? street.sideLeft : street.sideRight;
    const Block* block = nullptr;
    for (const Block& b : blocks)
      if (u >= b.u0 && u < b.u1) block = &b;
    const double distance = std::fabs(u - street.vanish);
    // Where the outer sidewalk line passes this column: the foot of the facade.
    const double footDepth = std::min(1.0, street.facadeDepth(sideBottom, u));
    const double foot = street.rowAt(footDepth);
    double top = street.horizon;  // facade top (v)
    uint8_t id = kTerrain;
    if (block) {
      id = block->id;
      double height = block->tallness * (0.02 + 0.62 * distance);
      if (id == kTerrain) height = 0;
      if (id == kVegetation || id == kWall || id == kFence) {
        const double phase = std::fmod(u, 2 * bump) / bump - 1;  // -1..1 across one crown
        height *= 0.6 * (0.75 + 0.25 * std::sqrt(std::max(0.0, 1 - phase * phase)));
      }
      top = street.horizon - height;
    }
    const int64_t yTop = canvas.firstY(top), yFoot = canvas.firstY(foot);
    // Walls and fences stand along the sidewalk, 2 m and 1.4 m high, with trees behind.
    const bool low = id == kWall || id == kFence;
    const double lowHeight = (id == kWall ? 2.0 : 1.4) * street.metre(footDepth) * canvas.aspect();
    const int64_t yLow = low ? canvas.firstY(foot - lowHeight) : yFoot;
    for (int64_t y = yTop; y < yFoot; ++y)
      canvas.row(y)[x] = low && y < yLow ? uint8_t{kVegetation} : id;
  }
  for (int64_t y = canvas.firstY(street.horizon); y < canvas.height(); ++y) {
    const double t = street.depth(canvas.centreV(y));
    const double sideL = street.along(street.sideLeft, t);
    const double roadL = street.along(street.roadLeft, t);
    const double roadR = street.along(street.roadRight, t);
    const double sideR = street.along(street.sideRight, t);
    uint8_t* line = canvas.row(y);
    const int64_t x0 = canvas.firstX(sideL), x1 = canvas.firstX(roadL);
    const int64_t x2 = canvas.firstX(roadR), x3 = canvas.firstX(sideR);
    std::fill(line + x0, line + x1, kSidewalk);
    std::fill(line + x1, line + std::max(x1, x2), kRoad);
    std::fill(line + std::max(x1, x2), line + std::max(x2, x3), kSidewalk);
  }
}

// Patches on the ground: parking bays along a kerb, a stretch of ground or terrain.
void paintGroundPatches(Canvas& canvas, const Street& street, SplitMix& rng) {
  const int patches = rng.integer(0, 2);
  for (int i = 0; i < patches; ++i) {
    const double t0 = rng.uniform(0.1, 0.5), t1 = t0 + rng.uniform(0.1, 0.3);
    const bool leftSide = rng.chance(0.5);
    const double kerb = leftSide ? street.roadLeft : street.roadRight;
    const double inner = kerb + (leftSide ? 1 : -1) * rng.uniform(0.08, 0.18);
    const uint8_t id = rng.chance(0.6) ? kParking : kGround;
    for (int64_t y = canvas.firstY(street.rowAt(t0)), y1 = canvas.firstY(street.rowAt(t1)); y < y1;
         ++y) {
      const double t = street.depth(canvas.centreV(y));
      const double a = street.along(kerb, t), b = street.along(inner, t);
      std::fill(canvas.row(y) + canvas.firstX(std::min(a, b)),
                canvas.row(y) + canvas.firstX(std::max(a, b)), id);
    }
  }
}

// The bonnet of the recording car along the bottom, and the unlabeled corners beside it.
void paintEgoVehicle(Canvas& canvas, SplitMix& rng) {
  const double depth = rng.uniform(0.05, 0.11);
  const double middle = rng.uniform(0.45, 0.55);
  const double corner = rng.uniform(0.02, 0.05);
  for (int64_t y = canvas.firstY(1 - depth); y < canvas.height(); ++y) {
    const double rise = (canvas.centreV(y) - (1 - depth)) / depth;  // 0..1 downwards
    const double half = 0.55 * std::sqrt(rise);                     // a rounded bonnet
    std::fill(canvas.row(y) + canvas.firstX(middle - half),
              canvas.row(y) + canvas.firstX(middle + half), kEgoVehicle);
  }
  for (int64_t y = canvas.firstY(1 - corner); y < canvas.height(); ++y) {
    const double reach = 1.5 * corner * (canvas.centreV(y) - (1 - corner)) / corner;
    std::fill(canvas.row(y), canvas.row(y) + canvas.firstX(reach), kOutOfRoi);
    std::fill(canvas.row(y) + canvas.firstX(1 - reach), canvas.row(y) + canvas.width(), kUnlabeled);
  }
}

}  // namespace

Tensor renderStreetScene(uint64_t seed, int64_t height, int64_t width) {
  if (height < 8 || width < 8 || height > 8192 || width > 16384)
    throw std::invalid_argument("renderStreetScene: size must be 8x8 to 8192x16384");
  SplitMix rng(seed);
  Street street{};
  street.horizon = rng.uniform(0.38, 0.48);
  street.vanish = rng.uniform(0.4, 0.6);
  street.roadLeft = rng.uniform(-0.25, 0.12);
  street.roadRight = rng.uniform(0.88, 1.25);
  street.sideLeft = street.roadLeft - rng.uniform(0.3, 0.8);
  street.sideRight = street.roadRight + rng.uniform(0.3, 0.8);
  Canvas canvas(height, width);
  paintStreet(canvas, street, rng);
  paintGroundPatches(canvas, street, rng);
  paintObjects(canvas, street, rng);
  paintEgoVehicle(canvas, rng);
  Tensor out = torch::empty({height, width}, torch::kUInt8);
  std::copy(canvas.pixels().begin(), canvas.pixels().end(), out.data_ptr<uint8_t>());
  return out;
}

}  // namespace efm

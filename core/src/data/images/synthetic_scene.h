#pragma once
// Private pieces of the synthetic street scenes: the label ids they draw, their random
// generator, the canvas of label ids, and the street in perspective.
//
// Geometry lives in normalised image coordinates: u = column / width, v = row / height, with
// pixel centres at (x + 0.5) / width. The road, its sidewalks and the facades converge on a
// vanishing point on the horizon; an object at depth t (0 at the horizon, 1 at the bottom
// row) stands on row horizon + t (1 - horizon) and is drawn at a size proportional to t.
// Only +, -, *, / and sqrt are used, so scenes are bit-identical on every IEEE platform.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace efm::detail::streets {

// Cityscapes label ids used by the scenes.
enum Id : uint8_t {
  kUnlabeled = 0,
  kEgoVehicle = 1,
  kOutOfRoi = 3,
  kStatic = 4,
  kDynamic = 5,
  kGround = 6,
  kRoad = 7,
  kSidewalk = 8,
  kParking = 9,
  kBuilding = 11,
  kWall = 12,
  kFence = 13,
  kPole = 17,
  kTrafficLight = 19,
  kTrafficSign = 20,
  kVegetation = 21,
  kTerrain = 22,
  kSky = 23,
  kPerson = 24,
  kRider = 25,
  kCar = 26,
  kTruck = 27,
  kBus = 28,
  kMotorcycle = 32,
  kBicycle = 33,
};

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.
class SplitMix {
 public:
  explicit SplitMix(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  int integer(int low, int high) {  // inclusive
    return low + static_cast<int>(next() % static_cast<uint64_t>(high - low + 1));
  }
  bool chance(double p) { return uniform() < p; }

 private:
  uint64_t state_;
};

class Canvas {
 public:
  Canvas(int64_t height, int64_t width)
      : height_(height), width_(width), pixels_(static_cast<std::size_t>(height * width), kSky) {}

  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  double aspect() const { return static_cast<double>(width_) / static_cast<double>(height_); }
  uint8_t* row(int64_t y) { return pixels_.data() + y * width_; }
  std::vector<uint8_t>& pixels() { return pixels_; }

  // First pixel whose centre is at or after coordinate c (in [0, 1] units of `size`).
  static int64_t first(double c, int64_t size) {
    const double p = std::ceil(c * static_cast<double>(size) - 0.5);
    return static_cast<int64_t>(std::clamp(p, 0.0, static_cast<double>(size)));
  }
  int64_t firstX(double u) const { return first(u, width_); }
  int64_t firstY(double v) const { return first(v, height_); }
  double centreU(int64_t x) const { return (static_cast<double>(x) + 0.5) / width_; }
  double centreV(int64_t y) const { return (static_cast<double>(y) + 0.5) / height_; }

  void rect(double u0, double v0, double u1, double v1, uint8_t id) {
    for (int64_t y = firstY(v0), y1 = firstY(v1); y < y1; ++y)
      std::fill(row(y) + firstX(u0), row(y) + std::max(firstX(u0), firstX(u1)), id);
  }

  // Axis-aligned ellipse; radii in u and v units.
  void ellipse(double cu, double cv, double ru, double rv, uint8_t id) {
    if (ru <= 0 || rv <= 0) return;
    for (int64_t y = firstY(cv - rv), y1 = firstY(cv + rv); y < y1; ++y) {
      const double dv = (centreV(y) - cv) / rv;
      const double half = ru * std::sqrt(std::max(0.0, 1 - dv * dv));
      const int64_t x0 = firstX(cu - half), x1 = std::max(x0, firstX(cu + half));
      std::fill(row(y) + x0, row(y) + x1, id);
    }
  }

 private:
  int64_t height_;
  int64_t width_;
  std::vector<uint8_t> pixels_;
};

// The street: horizon, vanishing point, and the bottom ends of the lines that converge on it.
struct Street {
  double horizon;   // v of the horizon
  double vanish;    // u of the vanishing point
  double roadLeft;  // u where the road's edges meet the bottom row (may lie outside [0, 1])
  double roadRight;
  double sideLeft;  // outer edges of the sidewalks at the bottom row
  double sideRight;

  double depth(double v) const { return (v - horizon) / (1 - horizon); }
  double rowAt(double t) const { return horizon + t * (1 - horizon); }
  // u of the line from the vanishing point to `bottom` at depth t.
  double along(double bottom, double t) const { return vanish + t * (bottom - vanish); }
  // One metre at depth t in u units: the road is about 7 m wide.
  double metre(double t) const { return t * (roadRight - roadLeft) / 7.0; }
  // Depth at which the facade line through `bottom` passes column u (> 0 on its side).
  double facadeDepth(double bottom, double u) const { return (u - vanish) / (bottom - vanish); }
};

// Cars, trucks, buses, two-wheelers and their riders, people, poles with signs and traffic
// lights, and clutter, drawn far to near.
void paintObjects(Canvas& canvas, const Street& street, SplitMix& rng);

}  // namespace efm::detail::streets

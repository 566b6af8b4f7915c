// Synthetic Cityscapes-like street scenes and a Cityscapes-style folder of them.
//
// Geometry lives in normalised image coordinates: u = column / width, v = row / height, with
// pixel centres at (x + 0.5) / width. The road, its sidewalks and the facades converge on a
// vanishing point on the horizon; an object at depth t (0 at the horizon, 1 at the bottom
// row) stands on row horizon + t (1 - horizon) and is drawn at a size proportional to t.
// Only +, -, *, / and sqrt are used, so scenes are bit-identical on every IEEE platform.
#include "efm/synthetic_streets.h"

#include "cityscapes_labels.h"
#include "efm/errors.h"
#include "efm/png_io.h"
#include "parallel_work.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace efm {
namespace {

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

struct Object {
  double t;  // depth of the object's foot
  double u;  // centre column
  uint8_t kind;
  double size;  // a per-object variation factor around 1
};

// Height in v units of `metres` at depth t.
double tall(const Canvas& canvas, const Street& street, double t, double metres) {
  return metres * street.metre(t) * canvas.aspect();
}

void paintVehicle(Canvas& canvas, const Street& street, const Object& o) {
  const double m = street.metre(o.t);
  const double foot = street.rowAt(o.t);
  if (o.kind == kCar) {
    const double w = 1.8 * o.size * m, h = tall(canvas, street, o.t, 1.5 * o.size);
    canvas.rect(o.u - w / 2, foot - 0.55 * h, o.u + w / 2, foot, kCar);
    canvas.rect(o.u - 0.36 * w, foot - h, o.u + 0.36 * w, foot - 0.5 * h, kCar);
  } else if (o.kind == kTruck || o.kind == kBus) {
    const double w = 2.5 * m, h = tall(canvas, street, o.t, (o.kind == kBus ? 3.2 : 3.6) * o.size);
    canvas.rect(o.u - w / 2, foot - h, o.u + w / 2, foot, o.kind);
  } else {  // a two-wheeler seen from behind, and its rider
    const double w = 0.6 * m, h = tall(canvas, street, o.t, 1.0);
    canvas.rect(o.u - w / 4, foot - h, o.u + w / 4, foot, o.kind);
    canvas.rect(o.u - w / 2, foot - h, o.u + w / 2, foot - 0.85 * h, o.kind);  // handlebar
    const double r = tall(canvas, street, o.t, 0.9 * o.size);
    canvas.ellipse(o.u, foot - h - 0.3 * r, 0.3 * m, 0.6 * r, kRider);
    canvas.ellipse(o.u, foot - h - r, 0.13 * m, 0.2 * r, kRider);
  }
}

void paintPerson(Canvas& canvas, const Street& street, const Object& o) {
  const double m = street.metre(o.t);
  const double h = tall(canvas, street, o.t, 1.75 * o.size);
  const double foot = street.rowAt(o.t);
  canvas.rect(o.u - 0.12 * m, foot - 0.48 * h, o.u - 0.02 * m, foot, kPerson);  // legs
  canvas.rect(o.u + 0.02 * m, foot - 0.48 * h, o.u + 0.12 * m, foot, kPerson);
  canvas.ellipse(o.u, foot - 0.66 * h, 0.24 * m, 0.22 * h, kPerson);  // body
  canvas.ellipse(o.u, foot - 0.92 * h, 0.11 * m, 0.08 * h, kPerson);  // head
}

void paintPole(Canvas& canvas, const Street& street, const Object& o, SplitMix& rng) {
  const double m = street.metre(o.t);
  const double h = tall(canvas, street, o.t, 5.0 * o.size);
  const double foot = street.rowAt(o.t);
  const double w = std::max(0.14 * m, 0.6 / canvas.width());  // stays visible far away
  canvas.rect(o.u - w / 2, foot - h, o.u + w / 2, foot, kPole);
  const double what = rng.uniform();
  if (what < 0.45) {  // a sign, round or square, at the top
    const double s = 0.35 * m, sv = tall(canvas, street, o.t, 0.35);
    if (rng.chance(0.5))
      canvas.ellipse(o.u, foot - 0.85 * h, s, sv, kTrafficSign);
    else
      canvas.rect(o.u - s, foot - 0.85 * h - sv, o.u + s, foot - 0.85 * h + sv, kTrafficSign);
  } else if (what < 0.8) {  // a traffic light hanging towards the road
    const double side = o.u < street.vanish ? 1 : -1;
    const double arm = side * 0.8 * m;
    canvas.rect(std::min(o.u, o.u + arm), foot - h, std::max(o.u, o.u + arm),
                foot - h + tall(canvas, street, o.t, 0.12), kPole);
    const double lu = o.u + arm;
    canvas.rect(lu - 0.18 * m, foot - h, lu + 0.18 * m, foot - h + tall(canvas, street, o.t, 0.9),
                kTrafficLight);
  }
}

void paintObjects(Canvas& canvas, const Street& street, SplitMix& rng) {
  std::vector<Object> objects;
  const double roadHalf = 0.5 * (street.roadRight - street.roadLeft);
  const double roadMiddle = 0.5 * (street.roadRight + street.roadLeft);
  auto onRoad = [&](double t, double lateral) {
    return street.along(roadMiddle + lateral * roadHalf, t);
  };
  // On a sidewalk: `across` 0 at the kerb, 1 at the facade.
  auto onSidewalk = [&](double t, bool left, double across) {
    const double kerb = left ? street.roadLeft : street.roadRight;
    const double outer = left ? street.sideLeft : street.sideRight;
    return street.along(kerb + across * (outer - kerb), t);
  };
  const int cars = rng.integer(2, 8);
  for (int i = 0; i < cars; ++i) {
    const double t = rng.uniform(0.04, 0.7);
    objects.push_back({t, onRoad(t, rng.uniform(-0.8, 0.8)), kCar, rng.uniform(0.9, 1.15)});
  }
  for (uint8_t kind : {kTruck, kBus}) {
    if (!rng.chance(kind == kTruck ? 0.35 : 0.25)) continue;
    const double t = rng.uniform(0.05, 0.45);
    objects.push_back({t, onRoad(t, rng.uniform(-0.6, 0.6)), kind, rng.uniform(0.9, 1.1)});
  }
  const int twoWheelers = rng.integer(0, 2);
  for (int i = 0; i < twoWheelers; ++i) {
    const double t = rng.uniform(0.08, 0.6);
    objects.push_back({t, onRoad(t, rng.chance(0.5) ? -0.85 : 0.85),
                       rng.chance(0.5) ? kBicycle : kMotorcycle, rng.uniform(0.9, 1.1)});
  }
  const int people = rng.integer(1, 8);
  for (int i = 0; i < people; ++i) {
    const double t = rng.uniform(0.06, 0.8);
    objects.push_back({t, onSidewalk(t, rng.chance(0.5), rng.uniform(0.2, 0.9)), kPerson,
                       rng.uniform(0.85, 1.1)});
  }
  const int poles = rng.integer(2, 6);
  for (int i = 0; i < poles; ++i) {
    const double t = rng.uniform(0.05, 0.7);
    objects.push_back({t, onSidewalk(t, rng.chance(0.5), 0.1), kPole, rng.uniform(0.8, 1.2)});
  }
  const int clutter = rng.integer(0, 3);  // bins, benches, prams: static and dynamic objects
  for (int i = 0; i < clutter; ++i) {
    const double t = rng.uniform(0.1, 0.8);
    objects.push_back({t, onSidewalk(t, rng.chance(0.5), rng.uniform(0.4, 0.9)),
                       rng.chance(0.5) ? kStatic : kDynamic, rng.uniform(0.6, 1.4)});
  }
  // Far to near, so that nearer objects hide farther ones.
  std::stable_sort(objects.begin(), objects.end(),
                   [](const Object& a, const Object& b) { return a.t < b.t; });
  for (const Object& o : objects) {
    switch (o.kind) {
      case kPerson:
        paintPerson(canvas, street, o);
        break;
      case kPole:
        paintPole(canvas, street, o, rng);
        break;
      case kStatic:
      case kDynamic: {
        const double m = street.metre(o.t), foot = street.rowAt(o.t);
        canvas.rect(o.u - 0.4 * o.size * m, foot - tall(canvas, street, o.t, 0.9 * o.size),
                    o.u + 0.4 * o.size * m, foot, o.kind);
        break;
      }
      default:
        paintVehicle(canvas, street, o);
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

uint64_t sceneSeed(uint64_t seed, int64_t index) {
  SplitMix mix(seed ^ (0xD1B54A32D192ED03ull * static_cast<uint64_t>(index + 1)));
  return mix.next();
}

std::vector<std::array<uint8_t, 3>> idColours() {
  std::vector<std::array<uint8_t, 3>> colours;
  for (const auto& label : detail::cityscapesLabels()) colours.push_back(label.colour);
  return colours;
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

SyntheticCityscapesSummary writeSyntheticCityscapes(const std::string& root, int64_t count,
                                                    uint64_t seed,
                                                    const SyntheticCityscapesOptions& options,
                                                    const DataProgress& progress) {
  namespace fs = std::filesystem;
  if (count < 1) throw InputError("synthetic Cityscapes: --count must be at least 1");
  if (options.height < 8 || options.width < 8 || options.height > 8192 || options.width > 16384)
    throw InputError("synthetic Cityscapes: the size must be between 8x8 and 8192x16384, got " +
                     std::to_string(options.height) + "x" + std::to_string(options.width));
  const double train = options.trainFraction, val = options.valFraction;
  if (!(train >= 0) || !(val >= 0) || !(train + val <= 1 + 1e-9))
    throw InputError(
        "synthetic Cityscapes: the train and val fractions must be >= 0 with a sum <= 1");
  SyntheticCityscapesSummary summary;
  summary.root = root;
  const auto total = static_cast<double>(count);
  const auto trainCount = static_cast<int64_t>(std::floor(train * total + 0.5));
  const auto valCount =
      std::min(count - trainCount,
               static_cast<int64_t>(std::floor((train + val) * total + 0.5)) - trainCount);
  summary.counts = {trainCount, valCount, count - trainCount - valCount};
  const char* splits[] = {"train", "val", "test"};
  std::vector<std::string> folders;
  for (int s = 0; s < 3; ++s) {
    const fs::path folder = fs::path(root) / "gtFine" / splits[s] / "synthcity";
    folders.push_back(folder.string());
    if (summary.counts[s] == 0) continue;
    std::error_code error;
    fs::create_directories(folder, error);
    if (error)
      throw InputError("cannot create folder '" + folder.string() + "': " + error.message());
  }
  for (int64_t i = 0; i < count; ++i) {
    const int split = i < trainCount ? 0 : i < trainCount + valCount ? 1 : 2;
    char name[64];
    std::snprintf(name, sizeof name, "synthcity_%06lld_000019_gtFine_labelIds.png",
                  static_cast<long long>(i));
    summary.files.push_back((fs::path(folders[split]) / name).string());
  }
  const auto palette = idColours();
  detail::runParallel(count, "writing " + root, progress, [&](int64_t i) {
    const Tensor scene = renderStreetScene(sceneSeed(seed, i), options.height, options.width);
    if (i % 3 == 2)
      writePaletteLabelPng(summary.files[i], scene, palette);
    else
      writeLabelPng(summary.files[i], scene);
  });
  return summary;
}

}  // namespace efm

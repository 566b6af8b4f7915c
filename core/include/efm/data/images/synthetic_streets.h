#pragma once
// Synthetic street scenes labelled with Cityscapes label ids: a stand-in for the Cityscapes
// ground truth (which needs a registration to download) that exercises the same files and
// loader. A scene is a street seen from a car: sky, a skyline of buildings, walls, fences and
// trees above a horizon, a road in perspective with sidewalks on both sides, cars, trucks and
// buses that grow towards the camera, people, riders, poles with signs and traffic lights, the
// ego vehicle's bonnet at the bottom. Seeded and deterministic on every platform.
#include "efm/data/dataset.h"

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace efm {

using torch::Tensor;

// One scene: uint8 [height, width] of Cityscapes label ids (0..33). The same seed and size
// give the same scene everywhere (own random generator; only exactly rounded arithmetic).
Tensor renderStreetScene(uint64_t seed, int64_t height = 1024, int64_t width = 2048);

struct SyntheticCityscapesOptions {
  int64_t height = 1024;  // Cityscapes' size by default
  int64_t width = 2048;
  // Fractions of the scenes that go to train and val, in this order; the rest is test.
  // Scene i goes to the split its position falls in, so a split never depends on later scenes.
  double trainFraction = 0.8;
  double valFraction = 0.1;
};

struct SyntheticCityscapesSummary {
  std::string root;
  std::array<int64_t, 3> counts{};  // train, val, test
  std::vector<std::string> files;   // every label map written, in order
};

// Writes `count` scenes as ROOT/gtFine/SPLIT/synthcity/synthcity_SEQUENCE_000019_gtFine_
// labelIds.png (Cityscapes naming), scene i rendered from a seed derived from (seed, i).
// Every third file is a palette PNG with the Cityscapes colours, the others 8-bit grey:
// the two kinds of labelIds files that exist. Reports progress per file ("writing ROOT");
// throws Cancelled when `progress` returns false, InputError when a file cannot be written.
SyntheticCityscapesSummary writeSyntheticCityscapes(const std::string& root, int64_t count,
                                                    uint64_t seed,
                                                    const SyntheticCityscapesOptions& options = {},
                                                    const DataProgress& progress = {});

}  // namespace efm

#pragma once
// Private: where crops are cut from label maps, and the class statistics of those crops,
// accumulated one label map at a time. ImageCropsDataset computes its exact marginals with
// it, and `efm data info` describes splits too large to hold in memory (full-resolution
// Cityscapes) by streaming the maps through it.
#include <torch/types.h>

#include <array>
#include <cstdint>
#include <vector>

namespace efm::detail {

using torch::Tensor;

// Where crops are cut: anywhere (uniform over images and offsets), the centre of each image,
// or the tiles of a regular grid of non-overlapping crops, centred in the image (what does
// not fill a whole tile at the borders is never used).
enum class CropMode { kRandom, kCenter, kGrid };
const char* cropModeName(CropMode mode);

// Crops of cropHeight x cropWidth from label maps of height x width (1 <= crop <= map).
struct CropGeometry {
  int64_t height = 0, width = 0;
  int64_t cropHeight = 0, cropWidth = 0;
  CropMode mode = CropMode::kRandom;

  // Throws std::invalid_argument unless the crop fits in the map.
  void check() const;
  int64_t nodes() const { return cropHeight * cropWidth; }
  // Placements (top-left offsets) per map: every valid offset for random crops.
  int64_t placementsPerMap() const;
  // Placement `index` in [0, placementsPerMap()) as (row, column); random crops in
  // row-major order of the offsets.
  std::array<int64_t, 2> placement(int64_t index) const;
  // Number of placements whose crop covers row y (column x) of a map; a pixel (y, x) is
  // covered by rowCover(y) * columnCover(x) placements in every mode.
  int64_t rowCover(int64_t y) const;
  int64_t columnCover(int64_t x) const;
};

// Exact class statistics over every crop placement of the maps added so far, as if every
// placement of every map were one item.
class CropStatistics {
 public:
  // perNode: also the per-node marginals, which keeps classes x height x width counters
  // (int32); without it the memory is independent of the map size.
  CropStatistics(CropGeometry geometry, int64_t classes, bool perNode);

  // One map: height * width class indices (< classes), row-major. Not thread-safe.
  void add(const uint8_t* labels);
  int64_t maps() const { return maps_; }

  // The mean over the crop's nodes of each node's class distribution: float64 [classes]
  // (sums to 1). Equals marginals().mean(0).
  Tensor classFrequencies() const;
  // Each crop node's class distribution, float64 [nodes, classes]. Requires perNode.
  Tensor marginals() const;

 private:
  CropGeometry geometry_;
  int64_t classes_;
  bool perNode_;
  int64_t maps_ = 0;
  std::vector<int64_t> rowCover_, columnCover_;
  std::vector<int64_t> coveredCounts_;  // per class: sum over pixels of their cover
  std::vector<int32_t> pixelCounts_;    // perNode: [height * width, classes]
};

}  // namespace efm::detail

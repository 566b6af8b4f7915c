// Crop placements and the exact class statistics of crops over every placement.
#include "data/images/crop_statistics.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace efm::detail {

const char* cropModeName(CropMode mode) {
  switch (mode) {
    case CropMode::kRandom:
      return "random";
    case CropMode::kCenter:
      return "center";
    case CropMode::kGrid:
      return "grid";
  }
  return "";
}

void CropGeometry::check() const {
  if (cropHeight < 1 || cropWidth < 1 || cropHeight > height || cropWidth > width)
    throw std::invalid_argument("CropGeometry: the crop must fit in the label maps");
}

namespace {

// Along one axis of `length` pixels, crops of `crop` pixels: the first offset and the number
// of offsets (random: every valid offset; center: one; grid: the whole tiles, centred).
std::pair<int64_t, int64_t> axisOffsets(int64_t length, int64_t crop, CropMode mode) {
  switch (mode) {
    case CropMode::kRandom:
      return {0, length - crop + 1};
    case CropMode::kCenter:
      return {(length - crop) / 2, 1};
    case CropMode::kGrid: {
      const int64_t tiles = length / crop;
      return {(length - tiles * crop) / 2, tiles};
    }
  }
  return {0, 0};
}

// Number of offsets along one axis whose crop covers pixel `p`.
int64_t axisCover(int64_t p, int64_t length, int64_t crop, CropMode mode) {
  const auto [first, count] = axisOffsets(length, crop, mode);
  if (mode == CropMode::kRandom) {
    // Offsets o in [0, length - crop] with o <= p < o + crop.
    const int64_t low = std::max<int64_t>(first, p - crop + 1);
    const int64_t high = std::min<int64_t>(first + count - 1, p);
    return std::max<int64_t>(0, high - low + 1);
  }
  // Center and grid crops do not overlap along an axis, and the grid's tiles abut.
  return p >= first && p < first + count * crop ? 1 : 0;
}

}  // namespace

int64_t CropGeometry::placementsPerMap() const {
  return axisOffsets(height, cropHeight, mode).second * axisOffsets(width, cropWidth, mode).second;
}

std::array<int64_t, 2> CropGeometry::placement(int64_t index) const {
  const auto [top, rows] = axisOffsets(height, cropHeight, mode);
  const auto [left, columns] = axisOffsets(width, cropWidth, mode);
  (void)rows;
  // Random offsets are consecutive pixels; grid offsets are whole tiles apart.
  const int64_t stepY = mode == CropMode::kRandom ? 1 : cropHeight;
  const int64_t stepX = mode == CropMode::kRandom ? 1 : cropWidth;
  return {top + (index / columns) * stepY, left + (index % columns) * stepX};
}

int64_t CropGeometry::rowCover(int64_t y) const { return axisCover(y, height, cropHeight, mode); }
int64_t CropGeometry::columnCover(int64_t x) const { return axisCover(x, width, cropWidth, mode); }

CropStatistics::CropStatistics(CropGeometry geometry, int64_t classes, bool perNode)
    : geometry_(geometry), classes_(classes), perNode_(perNode) {
  geometry_.check();
  if (classes_ < 1 || classes_ > 256)
    throw std::invalid_argument("CropStatistics: 1 to 256 classes");
  for (int64_t y = 0; y < geometry_.height; ++y) rowCover_.push_back(geometry_.rowCover(y));
  for (int64_t x = 0; x < geometry_.width; ++x) columnCover_.push_back(geometry_.columnCover(x));
  coveredCounts_.assign(static_cast<std::size_t>(classes_), 0);
  if (perNode_)
    pixelCounts_.assign(static_cast<std::size_t>(geometry_.height * geometry_.width * classes_), 0);
}

void CropStatistics::add(const uint8_t* labels) {
  const int64_t h = geometry_.height, w = geometry_.width;
  std::vector<int64_t> perClass(static_cast<std::size_t>(classes_), 0);
  for (int64_t y = 0; y < h; ++y) {
    const uint8_t* row = labels + y * w;
    if (rowCover_[y] != 0) {
      // Column covers summed per class for this row, then weighted by the row's cover.
      std::fill(perClass.begin(), perClass.end(), 0);
      for (int64_t x = 0; x < w; ++x) perClass[row[x]] += columnCover_[x];
      for (int64_t k = 0; k < classes_; ++k) coveredCounts_[k] += rowCover_[y] * perClass[k];
    }
    if (perNode_) {
      int32_t* counts = pixelCounts_.data() + y * w * classes_;
      for (int64_t x = 0; x < w; ++x) ++counts[x * classes_ + row[x]];
    }
  }
  ++maps_;
}

Tensor CropStatistics::classFrequencies() const {
  Tensor frequencies = torch::zeros({classes_}, torch::kDouble);
  if (maps_ == 0) return frequencies;
  // Every placement covers geometry_.nodes() pixels.
  const double total = static_cast<double>(maps_) *
                       static_cast<double>(geometry_.placementsPerMap()) *
                       static_cast<double>(geometry_.nodes());
  double* f = frequencies.data_ptr<double>();
  for (int64_t k = 0; k < classes_; ++k) f[k] = static_cast<double>(coveredCounts_[k]) / total;
  return frequencies;
}

Tensor CropStatistics::marginals() const {
  if (!perNode_) throw std::logic_error("CropStatistics::marginals: built without perNode");
  const int64_t h = geometry_.height, w = geometry_.width, c = classes_;
  const int64_t ch = geometry_.cropHeight, cw = geometry_.cropWidth;
  Tensor marginals = torch::zeros({geometry_.nodes(), c}, torch::kDouble);
  if (maps_ == 0) return marginals;
  double* m = marginals.data_ptr<double>();
  const double placements = static_cast<double>(maps_ * geometry_.placementsPerMap());
  auto count = [&](int64_t y, int64_t x, int64_t k) {
    return static_cast<int64_t>(pixelCounts_[static_cast<std::size_t>((y * w + x) * c + k)]);
  };
  if (geometry_.mode != CropMode::kRandom) {
    for (int64_t p = 0; p < geometry_.placementsPerMap(); ++p) {
      const auto [top, left] = geometry_.placement(p);
      for (int64_t r = 0; r < ch; ++r)
        for (int64_t col = 0; col < cw; ++col)
          for (int64_t k = 0; k < c; ++k)
            m[(r * cw + col) * c + k] += static_cast<double>(count(top + r, left + col, k));
    }
    for (int64_t i = 0; i < geometry_.nodes() * c; ++i) m[i] /= placements;
    return marginals;
  }
  // Random crops: crop pixel (r, col) sees map pixel (r + dy, col + dx) for every offset, so
  // its class count is a box sum of the per-pixel counts, read from a summed-area table
  // built one class at a time (exact, O(c h w)).
  const int64_t spanY = h - ch + 1, spanX = w - cw + 1;
  std::vector<int64_t> area(static_cast<std::size_t>((h + 1) * (w + 1)));
  auto at = [&](int64_t y, int64_t x) -> int64_t& {
    return area[static_cast<std::size_t>(y * (w + 1) + x)];
  };
  for (int64_t k = 0; k < c; ++k) {
    for (int64_t y = 1; y <= h; ++y)
      for (int64_t x = 1; x <= w; ++x)
        at(y, x) = count(y - 1, x - 1, k) + at(y - 1, x) + at(y, x - 1) - at(y - 1, x - 1);
    for (int64_t r = 0; r < ch; ++r)
      for (int64_t col = 0; col < cw; ++col) {
        const int64_t box =
            at(r + spanY, col + spanX) - at(r, col + spanX) - at(r + spanY, col) + at(r, col);
        m[(r * cw + col) * c + k] = static_cast<double>(box) / placements;
      }
  }
  return marginals;
}

}  // namespace efm::detail

#pragma once
// Private: image data held as label maps, uint8 [M, h, w] of class indices (a byte per pixel
// keeps 2975 Cityscapes maps at 128x256 near 100 MB), sampled as crops of ch x cw pixels.
// Shared by the cityscapes: and idx: builders.
#include "data/images/crop_statistics.h"
#include "efm/data/dataset.h"

#include <array>
#include <string>
#include <vector>

namespace efm::detail {

// The most label bytes (one per pixel) that an image dataset decodes into memory: 4 GiB.
inline constexpr int64_t kMaxStoredLabelBytes = int64_t{1} << 32;

class ImageCropsDataset final : public Dataset {
 public:
  // `images` uint8 [M, h, w] with values < classes; 1 <= ch <= h, 1 <= cw <= w.
  ImageCropsDataset(std::string description, Tensor images, int64_t classes,
                    std::array<int64_t, 2> crop, CropMode mode, std::string classSet,
                    ImageDataFacts facts);
  // With a class label per image (int64 [M], values 0 .. labelClasses - 1).
  void setImageClasses(Tensor imageClasses, int64_t labelClasses);

  int64_t variables() const override { return geometry_.nodes(); }
  int64_t classes() const override { return classes_; }
  // Crops, row-major: int64 [batch, ch * cw].
  Tensor sample(int64_t batch, at::Generator& generator) const override;
  int64_t labelClasses() const override { return labelClasses_; }
  // A crop's class is its image's.
  Tensor sampleLabelled(int64_t batch, at::Generator& generator, Tensor& classes) const override;
  // The empirical joint over every crop placement, when c^n and the placements are few.
  std::optional<Tensor> jointTable() const override;
  // Exact over every crop placement (images x offsets) in every mode.
  Tensor marginals() const override { return marginals_.clone(); }
  // Distinct crops (center, grid) or images (random).
  std::optional<int64_t> count() const override;
  // Center and grid crops in order (image by image); random mode: each image's centre crop.
  std::optional<Tensor> items(int64_t first, int64_t number) const override;
  std::string description() const override { return description_; }
  ImageLayout imageLayout() const override {
    return {geometry_.cropHeight, geometry_.cropWidth, classSet_};
  }
  std::optional<ImageDataFacts> imageFacts() const override { return facts_; }

 private:
  void copyCrop(int64_t image, std::array<int64_t, 2> offset, int64_t* out) const;
  // Crops drawn uniformly over placements; the image of each in `drawnImages` if not null.
  Tensor draw(int64_t batch, at::Generator& generator, Tensor* drawnImages) const;

  std::string description_;
  Tensor images_;  // uint8 [M, h, w], contiguous
  int64_t classes_;
  CropGeometry geometry_;
  std::string classSet_;
  ImageDataFacts facts_;
  Tensor marginals_;     // float64 [n, c]
  Tensor imageClasses_;  // int64 [M], or undefined
  int64_t labelClasses_ = 0;
};

}  // namespace efm::detail

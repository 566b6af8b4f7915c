#pragma once
// The label-map shape of image data, shared by the datasets that produce it, the networks
// that read W as an image (the U-Net) and the run configuration that records it.
#include <cstdint>
#include <string>

namespace efm {

// Image data: the n nodes are the pixels of a height x width label map in row-major order
// (node i = row * width + column). Recorded in the run configuration so that samples can be
// written as label maps without the data files.
struct ImageLayout {
  int64_t height = 0;
  int64_t width = 0;
  // Names the classes and their colours (efm/data/images/label_palette.h): "categories",
  // "train" or "ids" for Cityscapes' class sets, "levels" for quantised grey images;
  // "" = generic.
  std::string classSet;
  bool isImage() const { return height > 0 && width > 0; }
  int64_t pixels() const { return height * width; }
};

}  // namespace efm

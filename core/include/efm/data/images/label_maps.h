#pragma once
// Sampled labelings of image data as pictures: colourised with the class palette, as raw
// label PNGs (pixel value = class index, readable as data again), and a contact sheet.
#include "efm/base/image_layout.h"
#include "efm/data/images/label_palette.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace efm {

using torch::Tensor;

// Integer labels [..., H, W] -> uint8 [..., H, W, 3]; labels outside the palette are black.
Tensor colouriseLabels(const Tensor& labels, const ClassPalette& palette);

// Colour maps uint8 [B, H, W, 3] tiled row by row into one image with `gap` white pixels
// between tiles; `columns` = 0 picks a roughly square sheet.
Tensor contactSheet(const Tensor& maps, int64_t columns = 0, int64_t gap = 2);

struct LabelMapFiles {
  std::vector<std::string> colour;  // DIR/sample_00000.png
  std::vector<std::string> raw;     // DIR/sample_00000_labels.png
  std::string sheet;                // DIR/contact_sheet.png
};

// Writes every labeling of `labels` (int64 [B, H * W]) into `directory` (created if needed).
// Throws InputError when the layout is not an image or there are more than 256 classes (raw
// label PNGs are 8-bit), or a file cannot be written.
LabelMapFiles writeLabelMaps(const std::string& directory, const Tensor& labels,
                             const ImageLayout& image, int64_t classes);

}  // namespace efm

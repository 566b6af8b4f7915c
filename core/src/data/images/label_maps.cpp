#include "efm/data/images/label_maps.h"

#include "efm/base/errors.h"
#include "efm/data/images/png_io.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace efm {

Tensor colouriseLabels(const Tensor& labels, const ClassPalette& palette) {
  const int64_t classes = static_cast<int64_t>(palette.colours.size());
  // Row `classes` of the table is black, for labels outside the palette.
  Tensor table = torch::zeros({classes + 1, 3}, torch::kUInt8);
  for (int64_t k = 0; k < classes; ++k)
    for (int64_t j = 0; j < 3; ++j) table[k][j] = palette.colours[k][j];
  Tensor index = labels.to(torch::kLong);
  index = torch::where((index >= 0) & (index < classes), index, torch::full_like(index, classes));
  std::vector<int64_t> shape(labels.sizes().begin(), labels.sizes().end());
  shape.push_back(3);
  return table.index_select(0, index.reshape({-1})).view(shape);
}

Tensor contactSheet(const Tensor& maps, int64_t columns, int64_t gap) {
  if (maps.dim() != 4 || maps.size(3) != 3 || maps.size(0) < 1)
    throw std::invalid_argument("contactSheet: maps must be uint8 [B, H, W, 3] with B >= 1");
  const int64_t count = maps.size(0), height = maps.size(1), width = maps.size(2);
  if (columns <= 0)  // about as wide as high
    columns = std::max<int64_t>(1, std::lround(std::sqrt(static_cast<double>(count) * height /
                                                         std::max<int64_t>(width, 1))));
  columns = std::min(columns, count);
  const int64_t rows = (count + columns - 1) / columns;
  Tensor sheet =
      torch::full({rows * height + (rows + 1) * gap, columns * width + (columns + 1) * gap, 3}, 255,
                  torch::kUInt8);
  for (int64_t k = 0; k < count; ++k) {
    const int64_t top = gap + (k / columns) * (height + gap);
    const int64_t left = gap + (k % columns) * (width + gap);
    sheet.slice(0, top, top + height).slice(1, left, left + width).copy_(maps[k]);
  }
  return sheet;
}

LabelMapFiles writeLabelMaps(const std::string& directory, const Tensor& labels,
                             const ImageLayout& image, int64_t classes) {
  if (!image.isImage() || labels.dim() != 2 || labels.size(1) != image.pixels())
    throw InputError(
        "label maps: the data of this run are not images (no height x width "
        "recorded); write the samples as CSV instead");
  if (classes > 256)
    throw InputError("label maps: " + std::to_string(classes) +
                     " classes do not fit in an 8-bit label PNG (at most 256)");
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error)
    throw InputError("label maps: cannot create directory '" + directory + "' (" + error.message() +
                     ")");
  const ClassPalette palette = classPalette(image.classSet, classes);
  const Tensor maps = labels.view({labels.size(0), image.height, image.width}).to(torch::kUInt8);
  const Tensor colour = colouriseLabels(maps, palette);
  LabelMapFiles files;
  const std::filesystem::path root(directory);
  char name[64];
  for (int64_t k = 0; k < maps.size(0); ++k) {
    std::snprintf(name, sizeof name, "sample_%05lld", static_cast<long long>(k));
    files.colour.push_back((root / (std::string(name) + ".png")).string());
    files.raw.push_back((root / (std::string(name) + "_labels.png")).string());
    writeRgbPng(files.colour.back(), colour[k]);
    writeLabelPng(files.raw.back(), maps[k]);
  }
  files.sheet = (root / "contact_sheet.png").string();
  writeRgbPng(files.sheet, contactSheet(colour));
  return files;
}

}  // namespace efm

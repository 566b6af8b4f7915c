#pragma once
// PNG files of label maps, through libpng. A label PNG stores one label id per pixel: as an
// 8- or 16-bit grey value, or as the palette index of a palette PNG (the colour the palette
// gives that index is ignored: Cityscapes' *_labelIds.png files exist in both kinds).
// Colour (RGB) label files are rejected, naming the file. Every failure throws InputError
// naming the file and the problem (missing, not a PNG, truncated, unsupported kind).
#include <torch/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace efm {

using torch::Tensor;

// Image size read from the header only (cheap): {height, width}.
std::array<int64_t, 2> readPngSize(const std::string& file);

// Label ids of a grey (1 to 16 bits, values as stored) or palette PNG (the indices), also
// interlaced: int32 [height, width].
Tensor readLabelPng(const std::string& file);

// Writes labels (integer tensor [H, W], values 0..255) as an 8-bit grey PNG.
void writeLabelPng(const std::string& file, const Tensor& labels);
// Writes labels (values < palette.size() <= 256) as a palette PNG of 1, 2, 4 or 8 bits per
// pixel, the fewest that hold the palette: viewers show the colours, readLabelPng the ids.
void writePaletteLabelPng(const std::string& file, const Tensor& labels,
                          const std::vector<std::array<uint8_t, 3>>& palette);
// Writes a colour image: uint8 [H, W, 3].
void writeRgbPng(const std::string& file, const Tensor& rgb);

}  // namespace efm

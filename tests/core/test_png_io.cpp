// PNG label maps: round trips, kinds written by libpng directly, and errors naming the file.
#include "efm/base/errors.h"
#include "efm/data/images/png_io.h"
#include "image_fixtures.h"
#include "input_errors.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <png.h>

#include <array>
#include <csetjmp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Catch::Contains;
using efm_test::generator;
using efm_test::readBytes;
using efm_test::TempDir;
using efm_test::writeBytes;

// A PNG written with libpng directly (an independent writer): rows are given in PNG's own
// packed layout (16-bit samples big-endian). Only plain data lives in this setjmp function.
bool writeRawPngC(const char* path, png_uint_32 width, png_uint_32 height, int colourType,
                  int depth, int interlace, const unsigned char* rows, std::size_t rowBytes) {
  FILE* file = std::fopen(path, "wb");
  if (!file) return false;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    return false;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, width, height, depth, colourType, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const int passes = png_set_interlace_handling(png);
  for (int pass = 0; pass < passes; ++pass)
    for (png_uint_32 y = 0; y < height; ++y) png_write_row(png, rows + y * rowBytes);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return std::fclose(file) == 0;
}

void writeRawPng(const fs::path& path, int64_t height, int64_t width, int colourType, int depth,
                 int interlace, const std::vector<unsigned char>& rows) {
  REQUIRE(writeRawPngC(path.c_str(), static_cast<png_uint_32>(width),
                       static_cast<png_uint_32>(height), colourType, depth, interlace, rows.data(),
                       rows.size() / static_cast<std::size_t>(height)));
}

torch::Tensor randomLabels(int64_t height, int64_t width, int64_t below, uint64_t seed) {
  auto g = generator(seed);
  return torch::randint(below, {height, width}, g, torch::kLong);
}

}  // namespace

TEST_CASE("PNG round trips: 8-bit grey and palettes of 1, 2, 4 and 8 bits", "[images]") {
  TempDir dir;
  const auto grey = randomLabels(37, 53, 256, 1);
  const std::string greyFile = (dir / "grey.png").string();
  efm::writeLabelPng(greyFile, grey);
  CHECK(efm::readPngSize(greyFile) == std::array<int64_t, 2>{37, 53});
  const auto back = efm::readLabelPng(greyFile);
  CHECK(back.scalar_type() == torch::kInt);
  CHECK(torch::equal(back.to(torch::kLong), grey));

  for (int entries : {2, 3, 4, 16, 200}) {
    INFO(entries << " palette entries");
    std::vector<std::array<uint8_t, 3>> palette;
    for (int k = 0; k < entries; ++k)  // not the identity: the colour must not be read
      palette.push_back({static_cast<uint8_t>(255 - k), static_cast<uint8_t>(k), 7});
    const auto labels = randomLabels(11, 13, entries, 10 + entries);  // odd widths: packing
    const std::string file = (dir / ("palette" + std::to_string(entries) + ".png")).string();
    efm::writePaletteLabelPng(file, labels, palette);
    CHECK(torch::equal(efm::readLabelPng(file).to(torch::kLong), labels));
  }
}

TEST_CASE("PNG kinds from another writer: 16-bit and 2-bit grey, interlaced", "[images]") {
  TempDir dir;
  // 16-bit grey: values are read as stored, also above 255 (the loader counts them as
  // outside the label table).
  std::vector<unsigned char> rows16;
  const std::vector<int> values16 = {0, 1, 255, 256, 1000, 65535};
  for (int v : values16) {
    rows16.push_back(static_cast<unsigned char>(v >> 8));
    rows16.push_back(static_cast<unsigned char>(v & 255));
  }
  writeRawPng(dir / "grey16.png", 2, 3, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE, rows16);
  const auto read16 = efm::readLabelPng((dir / "grey16.png").string()).view({-1});
  for (std::size_t i = 0; i < values16.size(); ++i)
    CHECK(read16[static_cast<int64_t>(i)].item<int>() == values16[i]);

  // 2-bit grey: 0..3, not rescaled to 0..255. Row of 5 pixels: 0 1 2 3 1 (+ padding bits).
  const std::vector<unsigned char> rows2 = {0b00011011, 0b01000000};
  writeRawPng(dir / "grey2.png", 1, 5, PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_NONE, rows2);
  const auto read2 = efm::readLabelPng((dir / "grey2.png").string());
  CHECK(torch::equal(read2.to(torch::kLong), torch::tensor({{0, 1, 2, 3, 1}}, torch::kLong)));

  // Adam7-interlaced 8-bit grey.
  const auto labels = randomLabels(19, 23, 34, 4);
  const auto bytes = labels.to(torch::kUInt8).contiguous();
  const std::vector<unsigned char> rows(bytes.data_ptr<uint8_t>(),
                                        bytes.data_ptr<uint8_t>() + bytes.numel());
  writeRawPng(dir / "adam7.png", 19, 23, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_ADAM7, rows);
  CHECK(torch::equal(efm::readLabelPng((dir / "adam7.png").string()).to(torch::kLong), labels));
}

TEST_CASE("PNG errors name the file and the problem", "[images]") {
  TempDir dir;
  const std::string rgb = (dir / "x_gtFine_color.png").string();
  efm::writeRgbPng(rgb, torch::zeros({4, 5, 3}, torch::kUInt8));
  CHECK(efm::readPngSize(rgb) == std::array<int64_t, 2>{4, 5});  // the header is fine
  CHECK_THAT(inputErrorMessage([&] { efm::readLabelPng(rgb); }),
             Contains(rgb) && Contains("colour PNG") && Contains("_labelIds.png"));

  writeRawPng(dir / "ga.png", 1, 2, PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE,
              {1, 255, 2, 255});
  const std::string ga = (dir / "ga.png").string();
  CHECK_THAT(inputErrorMessage([&] { efm::readLabelPng(ga); }), Contains(ga) && Contains("alpha"));

  const std::string good = (dir / "good.png").string();
  efm::writeLabelPng(good, randomLabels(64, 64, 256, 2));  // random: barely compressible
  const std::string bytes = readBytes(good);
  const std::string truncated = (dir / "truncated.png").string();
  writeBytes(truncated, bytes.substr(0, bytes.size() / 2));
  CHECK_THAT(inputErrorMessage([&] { efm::readLabelPng(truncated); }),
             Contains(truncated) && Contains("truncated"));
  std::string corrupt = bytes;
  corrupt[bytes.size() / 2] = static_cast<char>(corrupt[bytes.size() / 2] ^ 0x55);
  writeBytes(dir / "corrupt.png", corrupt);
  CHECK_THAT(inputErrorMessage([&] { efm::readLabelPng((dir / "corrupt.png").string()); }),
             Contains("corrupt.png") && Contains("cannot decode"));

  writeBytes(dir / "text.png", "this is not an image\n");
  CHECK_THAT(inputErrorMessage([&] { efm::readLabelPng((dir / "text.png").string()); }),
             Contains("text.png") && Contains("not a PNG"));
  writeBytes(dir / "empty.png", "");
  CHECK_THAT(inputErrorMessage([&] { efm::readPngSize((dir / "empty.png").string()); }),
             Contains("empty.png") && Contains("empty"));
  const std::string missing = (dir / "missing.png").string();
  CHECK_THAT(inputErrorMessage([&] { efm::readLabelPng(missing); }),
             Contains(missing) && Contains("No such file"));
  CHECK_THAT(inputErrorMessage([&] { efm::readLabelPng(dir.str()); }), Contains("directory"));
  const std::string unwritable = (dir / "no" / "such" / "folder.png").string();
  CHECK_THAT(inputErrorMessage([&] {
               efm::writeLabelPng(unwritable, torch::zeros({2, 2}, torch::kUInt8));
             }),
             Contains(unwritable));
}

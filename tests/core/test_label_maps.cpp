// Sampled label maps as pictures: palette colouring, the contact sheet's layout, and the
// files `efm sample` writes, read back with libpng's own reader.
#include "efm/base/errors.h"
#include "efm/data/images/label_maps.h"
#include "efm/data/images/png_io.h"

#include <png.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

using namespace efm;
namespace fs = std::filesystem;
using torch::Tensor;

namespace {

// An RGB PNG through libpng's simplified API (independent of efm's writer): uint8 [H, W, 3].
Tensor readRgbWithLibpng(const std::string& file) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&image, file.c_str()) != 0);
  image.format = PNG_FORMAT_RGB;
  Tensor pixels = torch::empty({image.height, image.width, 3}, torch::kUInt8);
  REQUIRE(png_image_finish_read(&image, nullptr, pixels.data_ptr<uint8_t>(), 0, nullptr) != 0);
  return pixels;
}

fs::path scratch(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("efm-label-maps-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

}  // namespace

TEST_CASE("colouriseLabels uses the palette and paints unknown labels black", "[images]") {
  const ClassPalette palette = classPalette("categories", 8);
  const Tensor labels = torch::tensor({5, 0, 7, 1, 9, -1}, torch::kLong).view({2, 3});
  const Tensor rgb = colouriseLabels(labels, palette);
  REQUIRE(rgb.sizes() == torch::IntArrayRef({2, 3, 3}));
  auto colourAt = [&](int64_t y, int64_t x) {
    return std::array<uint8_t, 3>{rgb[y][x][0].item<uint8_t>(), rgb[y][x][1].item<uint8_t>(),
                                  rgb[y][x][2].item<uint8_t>()};
  };
  CHECK(colourAt(0, 0) == std::array<uint8_t, 3>{70, 130, 180});  // sky
  CHECK(colourAt(0, 2) == std::array<uint8_t, 3>{0, 0, 142});     // vehicle
  CHECK(colourAt(1, 0) == std::array<uint8_t, 3>{128, 64, 128});  // flat
  CHECK(colourAt(1, 1) == std::array<uint8_t, 3>{0, 0, 0});       // 9: outside the palette
  CHECK(colourAt(1, 2) == std::array<uint8_t, 3>{0, 0, 0});
}

TEST_CASE("contactSheet tiles maps row by row with white gaps", "[images]") {
  // Five 2 x 3 maps, each filled with its own grey value k * 10 + 1.
  Tensor maps = torch::empty({5, 2, 3, 3}, torch::kUInt8);
  for (int64_t k = 0; k < 5; ++k) maps[k].fill_(k * 10 + 1);
  const Tensor sheet = contactSheet(maps, 2, 1);
  // 2 columns, 3 rows: (3 * 2 + 4) x (2 * 3 + 3)
  REQUIRE(sheet.sizes() == torch::IntArrayRef({10, 9, 3}));
  CHECK(sheet[0][0][0].item<uint8_t>() == 255);          // top gap
  CHECK(sheet[1][1][0].item<uint8_t>() == 1);            // map 0 at (1, 1)
  CHECK(sheet[1][5][0].item<uint8_t>() == 11);           // map 1 at (1, 5)
  CHECK(sheet[4][1][0].item<uint8_t>() == 21);           // map 2 at (4, 1)
  CHECK(sheet[7][3][2].item<uint8_t>() == 41);           // map 4 at (7, 1..3)
  CHECK(sheet[7][5][0].item<uint8_t>() == 255);          // empty sixth tile
  CHECK(sheet.select(1, 4).eq(255).all().item<bool>());  // gap between the columns
  CHECK(contactSheet(maps).size(0) > 0);                 // automatic columns
}

TEST_CASE("writeLabelMaps writes colour and raw PNGs and a contact sheet", "[images]") {
  const fs::path dir = scratch("write");
  const ImageLayout layout{4, 6, "categories"};
  const Tensor labels = torch::randint(0, 8, {3, 24}, torch::kLong);
  const LabelMapFiles files = writeLabelMaps(dir.string(), labels, layout, 8);
  REQUIRE(files.colour.size() == 3);
  REQUIRE(files.raw.size() == 3);
  CHECK(fs::path(files.colour[1]).filename() == "sample_00001.png");
  CHECK(fs::path(files.raw[1]).filename() == "sample_00001_labels.png");
  const ClassPalette palette = classPalette("categories", 8);
  for (int64_t k = 0; k < 3; ++k) {
    const Tensor map = labels[k].view({4, 6});
    CHECK(torch::equal(readLabelPng(files.raw[k]).to(torch::kLong), map));
    const Tensor rgb = readRgbWithLibpng(files.colour[k]);
    REQUIRE(rgb.sizes() == torch::IntArrayRef({4, 6, 3}));
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 6; ++x)
        for (int64_t j = 0; j < 3; ++j)
          CHECK(rgb[y][x][j].item<uint8_t>() == palette.colours[map[y][x].item<int64_t>()][j]);
  }
  const Tensor sheet = readRgbWithLibpng(files.sheet);
  CHECK(sheet.size(0) >= 4);
  fs::remove_all(dir);
}

TEST_CASE("writeLabelMaps refuses non-image runs and more than 256 classes", "[images]") {
  const Tensor labels = torch::zeros({2, 4}, torch::kLong);
  CHECK_THROWS_WITH(writeLabelMaps(scratch("bad").string(), labels, ImageLayout{}, 3),
                    Catch::Contains("not images"));
  CHECK_THROWS_WITH(writeLabelMaps(scratch("bad").string(), labels, ImageLayout{2, 2, ""}, 300),
                    Catch::Contains("256"));
}

// Image data: label-map PNGs, the Cityscapes label table and palettes, synthetic street
// scenes, and the cityscapes: and idx: datasets (crops, downscaling, cache, errors).
#include "efm/dataset.h"
#include "efm/errors.h"
#include "efm/label_palette.h"
#include "efm/png_io.h"
#include "efm/synthetic_streets.h"
#include "image_fixtures.h"
#include "input_errors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "cityscapes_labels.h"  // private: the table the loader maps through

#include <png.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <csetjmp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Catch::Contains;
using efm_test::CacheDir;
using efm_test::TempDir;
using efm_test::writeLabelIds;

at::Generator generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

void writeBytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

std::string readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

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

// A label map from a nested list, uint8.
torch::Tensor labelMap(const std::vector<std::vector<int>>& rows) {
  torch::Tensor out = torch::empty(
      {static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())}, torch::kUInt8);
  for (std::size_t y = 0; y < rows.size(); ++y)
    for (std::size_t x = 0; x < rows[y].size(); ++x)
      out[static_cast<int64_t>(y)][static_cast<int64_t>(x)] = rows[y][x];
  return out;
}

// The crop a dataset of one item returns: int64 [h, w].
torch::Tensor onlyCrop(const efm::DatasetPtr& data) {
  REQUIRE(data->count() == 1);
  auto g = generator(1);
  const auto layout = data->imageLayout();
  return data->sample(1, g).view({layout.height, layout.width});
}

// Each image's category frequencies of a synthetic scene.
torch::Tensor categoryMap(const torch::Tensor& ids) {
  const auto lookup = efm::detail::classLookup(efm::detail::CityscapesClassSet::kCategories);
  torch::Tensor table = torch::empty({256}, torch::kLong);
  for (int i = 0; i < 256; ++i) table[i] = lookup[i];
  return table.index({ids.to(torch::kLong)});
}

}  // namespace

// ---- PNG files ---------------------------------------------------------------------------

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

// ---- label table and palettes ----------------------------------------------------------

TEST_CASE("Cityscapes label table: train ids, categories, colours", "[images]") {
  using efm::detail::CityscapesClassSet;
  using efm::detail::classOfLabelId;
  const auto& labels = efm::detail::cityscapesLabels();
  for (int id = 0; id < 34; ++id) CHECK(labels[id].id == id);
  CHECK(std::string(labels[7].name) == "road");
  CHECK(labels[7].trainId == 0);
  CHECK(labels[7].category == 1);  // flat
  CHECK(std::string(labels[26].name) == "car");
  CHECK(labels[26].trainId == 13);
  CHECK(labels[26].colour == std::array<uint8_t, 3>{0, 0, 142});
  CHECK(std::string(efm::detail::cityscapesCategoryNames()[labels[26].category]) == "vehicle");
  CHECK(std::string(efm::detail::cityscapesCategoryNames()[labels[23].category]) == "sky");
  CHECK(labels[23].trainId == 10);
  CHECK(labels[33].trainId == 18);                                // bicycle, the last train id
  CHECK(labels[5].colour == std::array<uint8_t, 3>{111, 74, 0});  // dynamic
  // 19 distinct train ids; the others are ignored.
  std::set<int> trainIds;
  for (const auto& label : labels)
    if (label.trainId != 255) trainIds.insert(label.trainId);
  CHECK(trainIds.size() == 19);

  CHECK(classOfLabelId(0, CityscapesClassSet::kCategories) == 0);  // void
  CHECK(classOfLabelId(0, CityscapesClassSet::kTrain) == 19);      // ignore
  CHECK(classOfLabelId(7, CityscapesClassSet::kTrain) == 0);
  CHECK(classOfLabelId(26, CityscapesClassSet::kCategories) == 7);
  CHECK(classOfLabelId(26, CityscapesClassSet::kIds) == 26);
  for (int64_t outside : {-1, 34, 255, 1000}) {
    CHECK(classOfLabelId(outside, CityscapesClassSet::kCategories) == 0);
    CHECK(classOfLabelId(outside, CityscapesClassSet::kTrain) == 19);
    CHECK(classOfLabelId(outside, CityscapesClassSet::kIds) == 0);
  }
}

TEST_CASE("class palettes: Cityscapes sets, grey levels, generic", "[images]") {
  const auto categories = efm::classPalette("categories", 8);
  REQUIRE(categories.names.size() == 8);
  CHECK(categories.names[1] == "flat");
  CHECK(categories.names[7] == "vehicle");
  CHECK(categories.colours[1] == std::array<uint8_t, 3>{128, 64, 128});
  CHECK(categories.colours[5] == std::array<uint8_t, 3>{70, 130, 180});
  const auto train = efm::classPalette("train", 20);
  REQUIRE(train.names.size() == 20);
  CHECK(train.names[0] == "road");
  CHECK(train.names[13] == "car");
  CHECK(train.names[19] == "ignore");
  CHECK(train.colours[19] == std::array<uint8_t, 3>{0, 0, 0});
  const auto ids = efm::classPalette("ids", 34);
  CHECK(ids.names[6] == "ground");
  CHECK(ids.colours[6] == std::array<uint8_t, 3>{81, 0, 81});
  const auto levels = efm::classPalette("levels", 3);
  CHECK(levels.colours[0] == std::array<uint8_t, 3>{0, 0, 0});
  CHECK(levels.colours[1] == std::array<uint8_t, 3>{128, 128, 128});
  CHECK(levels.colours[2] == std::array<uint8_t, 3>{255, 255, 255});
  // A count that does not match the set, or no set: generic names, distinct colours.
  const auto mismatched = efm::classPalette("categories", 5);
  CHECK(mismatched.names[0] == "class 0");
  const auto generic = efm::classPalette("", 60);
  REQUIRE(generic.colours.size() == 60);
  CHECK(std::set<std::array<uint8_t, 3>>(generic.colours.begin(), generic.colours.end()).size() ==
        60);
  CHECK(efm::classPalette("", 0).names.empty());
}

// ---- synthetic street scenes -----------------------------------------------------------

TEST_CASE("synthetic street scenes: seeded, plausible layout", "[images]") {
  const int64_t h = 128, w = 256;
  const auto a = efm::renderStreetScene(3, h, w);
  CHECK(a.sizes() == torch::IntArrayRef({h, w}));
  CHECK(a.scalar_type() == torch::kUInt8);
  CHECK(torch::equal(a, efm::renderStreetScene(3, h, w)));
  CHECK_FALSE(torch::equal(a, efm::renderStreetScene(4, h, w)));

  constexpr int kScenes = 20;
  double skyTop = 0;
  int roadMostCommon = 0, withCars = 0;
  torch::Tensor categoriesSeen = torch::zeros({8}, torch::kLong);
  for (int s = 0; s < kScenes; ++s) {
    const auto ids = efm::renderStreetScene(100 + s, h, w).to(torch::kLong);
    CHECK(ids.max().item<int64_t>() <= 33);
    skyTop += (ids.slice(0, 0, h / 4) == 23).to(torch::kDouble).mean().item<double>();
    const auto bottom = torch::bincount(ids.slice(0, 2 * h / 3).reshape({-1}), {}, 34);
    roadMostCommon += bottom.argmax().item<int64_t>() == 7;
    withCars += (ids == 26).any().item<bool>();
    categoriesSeen += torch::bincount(categoryMap(ids).reshape({-1}), {}, 8).clamp_max(1);
  }
  CHECK(skyTop / kScenes > 0.5);
  CHECK(roadMostCommon == kScenes);
  CHECK(withCars >= kScenes * 8 / 10);
  INFO(categoriesSeen);
  CHECK((categoriesSeen > 0).all().item<bool>());
}

TEST_CASE("synthetic Cityscapes folder: layout, names, both PNG kinds", "[images]") {
  TempDir dir;
  efm::SyntheticCityscapesOptions options;
  options.height = 32;
  options.width = 64;
  int calls = 0;
  const auto summary = efm::writeSyntheticCityscapes(
      dir.str(), 10, 7, options, [&](int64_t done, int64_t total, const std::string& stage) {
        ++calls;
        CHECK(done <= total);
        CHECK_THAT(stage, Contains("writing"));
        return true;
      });
  CHECK(calls >= 1);
  CHECK(summary.counts == std::array<int64_t, 3>{8, 1, 1});
  REQUIRE(summary.files.size() == 10);
  CHECK(summary.files[0] ==
        (dir / "gtFine/train/synthcity/synthcity_000000_000019_gtFine_labelIds.png").string());
  CHECK(summary.files[8] ==
        (dir / "gtFine/val/synthcity/synthcity_000008_000019_gtFine_labelIds.png").string());
  CHECK(summary.files[9] ==
        (dir / "gtFine/test/synthcity/synthcity_000009_000019_gtFine_labelIds.png").string());
  // Byte 25 of a PNG is the IHDR colour type: 0 grey, 3 palette; every third is a palette.
  for (int i = 0; i < 10; ++i) {
    const std::string bytes = readBytes(summary.files[i]);
    CHECK(static_cast<int>(bytes.at(25)) == (i % 3 == 2 ? 3 : 0));
    CHECK(efm::readLabelPng(summary.files[i]).sizes() == torch::IntArrayRef({32, 64}));
  }
  // Scene i depends on the seed and i only, not on the count or the split it lands in.
  TempDir again;
  const auto fewer = efm::writeSyntheticCityscapes(again.str(), 3, 7, options);
  CHECK(fewer.counts == std::array<int64_t, 3>{2, 1, 0});
  CHECK(readBytes(summary.files[2]) == readBytes(fewer.files[2]));
  TempDir cancelled;
  // Cancelled at the first report (even when every file happens to be written by then).
  CHECK_THROWS_AS(
      efm::writeSyntheticCityscapes(cancelled.str(), 50, 1, options,
                                    [](int64_t, int64_t, const std::string&) { return false; }),
      efm::Cancelled);
  CHECK_THAT(inputErrorMessage([&] { efm::writeSyntheticCityscapes(dir.str(), 0, 1, options); }),
             Contains("count"));
}

// ---- cityscapes: -------------------------------------------------------------------------

TEST_CASE("cityscapes: downscaled crops of a synthetic split", "[images]") {
  CacheDir cache;
  TempDir dir;
  efm::SyntheticCityscapesOptions options;
  options.height = 256;
  options.width = 512;
  efm::writeSyntheticCityscapes(dir.str(), 10, 11, options);
  // A colour file beside the label ids is not picked up.
  efm::writeRgbPng(
      (dir / "gtFine/train/synthcity/synthcity_000000_000019_gtFine_color.png").string(),
      torch::zeros({8, 8, 3}, torch::kUInt8));
  const std::string root = "cityscapes:" + dir.str();

  const auto random = efm::openDataset(root + "?scale=0.125&crop=16x32");
  CHECK(random->variables() == 16 * 32);
  CHECK(random->classes() == 8);
  CHECK(random->count() == 8);
  CHECK_FALSE(random->jointTable().has_value());
  const auto layout = random->imageLayout();
  CHECK(layout.height == 16);
  CHECK(layout.width == 32);
  CHECK(layout.classSet == "categories");
  const auto facts = random->imageFacts().value();
  CHECK(facts.images == 8);
  CHECK(facts.fileHeight == 256);
  CHECK(facts.fileWidth == 512);
  CHECK(facts.height == 32);
  CHECK(facts.width == 64);
  CHECK(facts.crops == "random");
  CHECK(facts.outOfTablePixels == 0);
  CHECK(random->description() ==
        "cityscapes train, 8 images 32x64 -> crops 16x32 (random), 8 categories");
  auto g = generator(5);
  const auto batch = random->sample(64, g);
  CHECK(batch.sizes() == torch::IntArrayRef({64, 512}));
  CHECK(batch.scalar_type() == torch::kLong);
  CHECK(batch.min().item<int64_t>() >= 0);
  CHECK(batch.max().item<int64_t>() < 8);
  const auto marginals = random->marginals();
  CHECK(marginals.sizes() == torch::IntArrayRef({512, 8}));
  CHECK(torch::allclose(marginals.sum(1), torch::ones({512}, torch::kDouble)));
  // Sky (category 5) is common in the top row of the crops, flat (road) in the bottom one.
  CHECK(marginals[0][5].item<double>() > 0.2);
  CHECK(marginals[511][1].item<double>() > 0.3);

  const auto center = efm::openDataset(root + "?scale=0.125&crop=16x32&crops=center");
  CHECK(center->count() == 8);
  const auto grid = efm::openDataset(root + "?scale=0.125&crop=16x32&crops=grid");
  CHECK(grid->count() == 8 * 4);
  CHECK(grid->imageFacts()->crops == "grid");
  const auto val = efm::openDataset(root + "?split=val&size=16x32&classes=train");
  CHECK(val->count() == 1);
  CHECK(val->classes() == 20);
  CHECK(val->variables() == 16 * 32);  // no crop: the whole downscaled image
  const auto ids = efm::openDataset(root + "?split=test&scale=0.0625&classes=ids");
  CHECK(ids->classes() == 34);
  CHECK(ids->imageLayout().height == 16);
  CHECK(ids->imageLayout().width == 32);
  // The whole image as a random crop is the one centre crop: the same marginals.
  const auto whole = efm::openDataset(root + "?scale=0.125&crops=random");
  const auto wholeCenter = efm::openDataset(root + "?scale=0.125&crops=center");
  CHECK(torch::allclose(whole->marginals(), wholeCenter->marginals()));
}

TEST_CASE("cityscapes: nearest-neighbour downscale and exact random-crop marginals", "[images]") {
  CacheDir cache;
  TempDir dir;
  // Every pixel of a 4 x 8 map has its own id (y * 8 + x, below 34).
  torch::Tensor ids = torch::arange(32, torch::kLong).view({4, 8}).to(torch::kUInt8);
  writeLabelIds(dir.path(), "train", "a", "a_000000_000019", ids);
  const std::string root = "cityscapes:" + dir.str() + "?classes=ids&crops=center";
  // Target pixel (y, x) takes source (floor((y + 0.5) H / h), floor((x + 0.5) W / w)).
  CHECK(torch::equal(onlyCrop(efm::openDataset(root + "&size=2x4")),
                     torch::tensor({{9, 11, 13, 15}, {25, 27, 29, 31}}, torch::kLong)));
  CHECK(torch::equal(
      onlyCrop(efm::openDataset(root + "&size=3x5")),
      torch::tensor({{0, 2, 4, 5, 7}, {16, 18, 20, 21, 23}, {24, 26, 28, 29, 31}}, torch::kLong)));
  CHECK(torch::equal(onlyCrop(efm::openDataset(root + "&scale=1")), ids.to(torch::kLong)));
  CHECK(torch::equal(onlyCrop(efm::openDataset(root + "&scale=0.5")),
                     torch::tensor({{9, 11, 13, 15}, {25, 27, 29, 31}}, torch::kLong)));

  // Random crops of 2 x 3 out of two 4 x 8 maps: marginals against the enumeration of every
  // (image, offset) placement.
  const torch::Tensor second =
      torch::remainder(torch::arange(32, torch::kLong) * 7, 34).view({4, 8}).to(torch::kUInt8);
  writeLabelIds(dir.path(), "train", "b", "b_000000_000019", second);
  const auto data = efm::openDataset("cityscapes:" + dir.str() + "?classes=ids&scale=1&crop=2x3");
  CHECK(data->count() == 2);
  torch::Tensor expected = torch::zeros({6, 34}, torch::kDouble);
  for (const auto& image : {ids, second})
    for (int64_t dy = 0; dy <= 2; ++dy)
      for (int64_t dx = 0; dx <= 5; ++dx)
        for (int64_t r = 0; r < 2; ++r)
          for (int64_t c = 0; c < 3; ++c)
            expected[r * 3 + c][image[dy + r][dx + c].item<int64_t>()] += 1.0 / (2 * 3 * 6);
  CHECK(torch::allclose(data->marginals(), expected));
  // Few placements and classes^n <= 2^24 is false here (34^6); a 1 x 2 crop has a table.
  const auto pairs = efm::openDataset("cityscapes:" + dir.str() + "?classes=ids&scale=1&crop=1x2");
  const auto table = pairs->jointTable();
  REQUIRE(table.has_value());
  CHECK(table->sum().item<double>() == Approx(1.0));
  CHECK((*table)[9 * 34 + 10].item<double>() == Approx(1.0 / (2 * 4 * 7)));  // 9 then 10
}

TEST_CASE("cityscapes: label ids outside the table, strict mode, sizes", "[images]") {
  CacheDir cache;
  TempDir dir;
  const auto odd = labelMap({{7, 40, 26, 255}, {23, 0, 33, 7}});  // two ids outside 0..33
  const fs::path file = writeLabelIds(dir.path(), "train", "x", "x_000000_000019", odd);
  const std::string root = "cityscapes:" + dir.str() + "?scale=1&crops=center";
  const auto categories = efm::openDataset(root);
  CHECK(categories->imageFacts()->outOfTablePixels == 2);
  CHECK(torch::equal(onlyCrop(categories),
                     torch::tensor({{1, 0, 7, 0}, {5, 0, 7, 1}}, torch::kLong)));
  const auto train = efm::openDataset(root + "&classes=train");
  CHECK(torch::equal(onlyCrop(train),
                     torch::tensor({{0, 19, 13, 19}, {10, 19, 18, 0}}, torch::kLong)));
  CHECK_THAT(specErrorMessage(root + "&strict=1"),
             Contains(file.string()) && Contains("40") && Contains("strict"));

  // A second file of another size is named in the error.
  const fs::path other = writeLabelIds(dir.path(), "train", "y", "y_000000_000019",
                                       torch::zeros({3, 4}, torch::kUInt8));
  CHECK_THAT(specErrorMessage(root), Contains(other.string()) && Contains("2x4"));
  fs::remove(other);
  // A colour file named like a label-ids file.
  const fs::path colour = dir / "gtFine/train/y/y_000001_000019_gtFine_labelIds.png";
  efm::writeRgbPng(colour.string(), torch::zeros({2, 4, 3}, torch::kUInt8));
  CHECK_THAT(specErrorMessage(root), Contains(colour.string()) && Contains("colour"));
  fs::remove(colour);
  writeBytes(colour, readBytes(file).substr(0, 40));  // truncated
  CHECK_THAT(specErrorMessage(root), Contains(colour.string()));
}

TEST_CASE("cityscapes: decoded once, cache rebuilt when corrupt, cancel", "[images]") {
  CacheDir cache;
  TempDir dir;
  efm::SyntheticCityscapesOptions options;
  options.height = 64;
  options.width = 128;
  efm::writeSyntheticCityscapes(dir.str(), 5, 3, options);
  const std::string spec = "cityscapes:" + dir.str() + "?scale=0.25&crop=8x16";
  int calls = 0;
  auto counting = [&](int64_t done, int64_t total, const std::string& stage) {
    ++calls;
    CHECK(total == 4);
    CHECK(done <= total);
    CHECK_THAT(stage, Contains("decoding") && Contains("gtFine"));
    return true;
  };
  const auto first = efm::openDataset(spec, counting);
  CHECK(calls >= 1);
  REQUIRE(fs::exists(cache.path()));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(cache.path())) {
    ++files;
    CHECK(entry.path().filename().string().rfind("cityscapes-", 0) == 0);
  }
  CHECK(files == 1);

  calls = 0;
  const auto second = efm::openDataset(spec, counting);
  CHECK(calls == 0);  // from the cache
  CHECK(torch::equal(first->marginals(), second->marginals()));
  // Another crop of the same decoded maps shares the cache.
  efm::openDataset(spec + "&crops=grid", counting);
  CHECK(calls == 0);

  // A corrupted cache file (one flipped pixel byte) is ignored and rebuilt.
  for (const auto& entry : fs::directory_iterator(cache.path())) {
    std::string bytes = readBytes(entry.path());
    bytes[bytes.size() - 3] = static_cast<char>(bytes[bytes.size() - 3] ^ 1);
    writeBytes(entry.path(), bytes);
  }
  const auto rebuilt = efm::openDataset(spec, counting);
  CHECK(calls >= 1);
  CHECK(torch::equal(first->marginals(), rebuilt->marginals()));
  calls = 0;
  efm::openDataset(spec, counting);
  CHECK(calls == 0);
  // Garbage of any length too.
  for (const auto& entry : fs::directory_iterator(cache.path())) writeBytes(entry.path(), "x");
  efm::openDataset(spec, counting);
  CHECK(calls >= 1);

  // A changed file changes the key.
  fs::last_write_time(dir / "gtFine/train/synthcity/synthcity_000000_000019_gtFine_labelIds.png",
                      fs::file_time_type::clock::now() + std::chrono::hours(1));
  calls = 0;
  efm::openDataset(spec, counting);
  CHECK(calls >= 1);

  CHECK_THROWS_AS(efm::openDataset(spec + "&classes=ids",
                                   [](int64_t, int64_t, const std::string&) { return false; }),
                  efm::Cancelled);
}

TEST_CASE("cityscapes:synthetic writes the embedded street scenes once", "[images]") {
  CacheDir cache;
  std::vector<std::string> stages;
  auto recording = [&](int64_t, int64_t, const std::string& stage) {
    if (stages.empty() || stages.back() != stage) stages.push_back(stage);
    return true;
  };
  const std::string spec = "cityscapes:synthetic?count=5&seed=2&scale=0.03125&crop=16x32";
  const auto data = efm::openDataset(spec, recording);
  CHECK(data->variables() == 16 * 32);
  CHECK(data->classes() == 8);
  CHECK(data->count() == 4);  // 80% of 5 scenes in train
  REQUIRE(stages.size() == 2);
  CHECK_THAT(stages[0], Contains("writing"));
  CHECK_THAT(stages[1], Contains("decoding"));
  CHECK(fs::is_directory(cache.path() / "synthcity-5-2" / "gtFine" / "train"));
  // Second open: neither written nor decoded again.
  stages.clear();
  const auto again = efm::openDataset(spec, recording);
  CHECK(stages.empty());
  CHECK(torch::equal(again->marginals(), data->marginals()));
  CHECK_THAT(specErrorMessage("cityscapes:/nonexistent?count=3"),
             Contains("only to cityscapes:synthetic"));
}

TEST_CASE("cityscapes: SPEC errors name the SPEC or the folder", "[images]") {
  CacheDir cache;
  TempDir dir;
  writeLabelIds(dir.path(), "train", "a", "a_000000_000019", torch::zeros({32, 64}, torch::kUInt8));
  fs::create_directories(dir / "gtFine/val/empty");
  const std::string root = "cityscapes:" + dir.str();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cityscapes:/no/such/folder", "/no/such/folder"},
      {root + "?split=test", "gtFine/test"},
      {root + "?split=val", "no *_gtFine_labelIds.png files"},
      {root + "?split=extra", "split must be one of train, val, test"},
      {root + "?classes=all", "classes must be one of"},
      {root + "?crops=tiles", "crops must be one of"},
      {root + "?scale=0", "scale"},
      {root + "?scale=2", "scale"},
      {root + "?scale=0.5&size=8x8", "not both"},
      {root + "?size=64x64", "larger than the label maps"},
      {root + "?size=8", "HEIGHTxWIDTH"},
      {root + "?crop=0x4", "crop"},
      {root + "?scale=0.125&crop=8x16", "crop 8x16 is larger than the downscaled image 4x8"},
      {root + "?strict=2", "strict"},
      {root + "?colour=1", "unknown key 'colour'"},
  };
  for (const auto& [spec, problem] : cases) {
    INFO(spec);
    CHECK_THAT(specErrorMessage(spec), Contains(problem));
  }
  writeBytes(dir / "plain-file", "x");
  CHECK_THAT(specErrorMessage("cityscapes:" + (dir / "plain-file").string()),
             Contains("not a folder"));
  CHECK_THAT(specErrorMessage("mnist:x"), Contains("cityscapes") && Contains("idx"));
}

// ---- idx: ------------------------------------------------------------------------------

namespace {

// An IDX file of `images` images of rows x columns pixels, pixel i of the file = values[i].
std::string idxBytes(uint32_t images, uint32_t rows, uint32_t columns,
                     const std::vector<uint8_t>& values) {
  std::string out = {0, 0, 8, 3};
  for (uint32_t d : {images, rows, columns})
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((d >> shift) & 255));
  out.append(values.begin(), values.end());
  return out;
}

void writeGzip(const fs::path& file, const std::string& bytes) {
  gzFile out = gzopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  REQUIRE(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(out) == Z_OK);
}

}  // namespace

TEST_CASE("idx: quantised, padded images from plain and gzip files", "[images]") {
  TempDir dir;
  // Three 2 x 3 images.
  const std::vector<uint8_t> pixels = {0,   127, 128, 255, 64,  200,  // image 0
                                       255, 255, 255, 0,   0,   0,    // image 1
                                       10,  20,  130, 140, 250, 5};   // image 2
  const std::string bytes = idxBytes(3, 2, 3, pixels);
  writeBytes(dir / "plain.idx", bytes);
  writeGzip(dir / "packed.idx.gz", bytes);
  for (const std::string name : {"plain.idx", "packed.idx.gz"}) {
    INFO(name);
    const auto data = efm::openDataset("idx:" + (dir / name).string() + "?pad=4");
    CHECK(data->variables() == 16);
    CHECK(data->classes() == 2);
    CHECK(data->count() == 3);
    CHECK(data->imageLayout().height == 4);
    CHECK(data->imageLayout().classSet == "levels");
    CHECK(data->imageFacts()->fileHeight == 2);
    // 16 binary pixels and 3 items: the empirical joint table names each image exactly.
    const auto table = data->jointTable().value();
    for (int image = 0; image < 3; ++image) {
      // Padded: row 0 and row 3 empty, the image in rows 1..2, columns 0..2 (left pad 0).
      int64_t index = 0;
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) {
          int bit = 0;
          if (r >= 1 && r <= 2 && c <= 2) bit = pixels[image * 6 + (r - 1) * 3 + c] >= 128;
          index = index * 2 + bit;
        }
      CHECK(table[index].item<double>() == Approx(1.0 / 3));
    }
  }
  // Four levels: floor(value * 4 / 256); no padding by default.
  const auto four = efm::openDataset("idx:" + (dir / "plain.idx").string() + "?levels=4&limit=1");
  CHECK(four->count() == 1);
  CHECK(four->imageLayout().width == 3);
  auto g = generator(0);
  CHECK(torch::equal(four->sample(1, g), torch::tensor({{0, 1, 2, 3, 1, 3}}, torch::kLong)));

  int reports = 0;
  efm::openDataset("idx:" + (dir / "packed.idx.gz").string(),
                   [&](int64_t done, int64_t total, const std::string& stage) {
                     ++reports;
                     CHECK(done <= total);
                     CHECK(total == 18);
                     CHECK_THAT(stage, Contains("reading") && Contains("packed.idx.gz"));
                     return true;
                   });
  CHECK(reports >= 1);
  CHECK_THROWS_AS(efm::openDataset("idx:" + (dir / "plain.idx").string(),
                                   [](int64_t, int64_t, const std::string&) { return false; }),
                  efm::Cancelled);

  // Errors name the file.
  writeBytes(dir / "short.idx", bytes.substr(0, bytes.size() - 4));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "short.idx").string()),
             Contains("short.idx") && Contains("truncated"));
  writeGzip(dir / "short.idx.gz", bytes.substr(0, bytes.size() - 4));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "short.idx.gz").string()),
             Contains("short.idx.gz") && Contains("truncated"));
  const std::string gz = readBytes(dir / "packed.idx.gz");
  writeBytes(dir / "cut.idx.gz", gz.substr(0, gz.size() - 12));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "cut.idx.gz").string()), Contains("cut.idx.gz"));
  std::string labels = bytes;
  labels[3] = 1;
  writeBytes(dir / "labels.idx", labels);
  CHECK_THAT(specErrorMessage("idx:" + (dir / "labels.idx").string()),
             Contains("labels.idx") && Contains("rank-1"));
  writeBytes(dir / "text.idx", "hello world, not idx");
  CHECK_THAT(specErrorMessage("idx:" + (dir / "text.idx").string()), Contains("text.idx"));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "plain.idx").string() + "?pad=2"),
             Contains("pad=2") && Contains("smaller"));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "plain.idx").string() + "?levels=1"),
             Contains("levels"));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "none.idx").string()), Contains("none.idx"));
}

TEST_CASE("idx:fashion-mnist, the Debian package's training images", "[images]") {
  const char* file = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
  if (!fs::exists(file)) {
    WARN("dataset-fashion-mnist is not installed; skipped");
    return;
  }
  const auto data = efm::openDataset("idx:fashion-mnist?pad=32");
  CHECK(data->count() == 60000);
  CHECK(data->variables() == 1024);
  CHECK(data->classes() == 2);
  const auto marginals = data->marginals();
  // The padding (2 pixels on each side) is always background; the centre mostly is not.
  CHECK(marginals[0][0].item<double>() == 1.0);
  CHECK(marginals[16 * 32 + 16][1].item<double>() > 0.3);
}

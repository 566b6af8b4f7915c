// The cityscapes: dataset: downscaled crops, exact marginals, ids outside the table, the
// decoded-map cache, cityscapes:synthetic, and SPEC errors.
#include "efm/base/errors.h"
#include "efm/data/dataset.h"
#include "efm/data/images/png_io.h"
#include "efm/data/images/synthetic_streets.h"
#include "image_fixtures.h"
#include "input_errors.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Catch::Contains;
using efm_test::CacheDir;
using efm_test::generator;
using efm_test::readBytes;
using efm_test::TempDir;
using efm_test::writeBytes;
using efm_test::writeLabelIds;

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

}  // namespace

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

// The Cityscapes label table, class palettes, synthetic street scenes and their folder.
#include "efm/base/errors.h"
#include "efm/data/images/label_palette.h"
#include "efm/data/images/png_io.h"
#include "efm/data/images/synthetic_streets.h"
#include "image_fixtures.h"
#include "input_errors.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "data/images/cityscapes_labels.h"  // private: the table the loader maps through

#include <array>
#include <set>
#include <string>
#include <vector>

namespace {

using Catch::Contains;
using efm_test::readBytes;
using efm_test::TempDir;

// Each image's category frequencies of a synthetic scene.
torch::Tensor categoryMap(const torch::Tensor& ids) {
  const auto lookup = efm::detail::classLookup(efm::detail::CityscapesClassSet::kCategories);
  torch::Tensor table = torch::empty({256}, torch::kLong);
  for (int i = 0; i < 256; ++i) table[i] = lookup[i];
  return table.index({ids.to(torch::kLong)});
}

}  // namespace

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

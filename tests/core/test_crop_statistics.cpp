// Crop placements and their class statistics (core/src/crop_statistics.h) against the
// enumeration of every placement, and summarizeData: streamed label maps give the numbers of
// the held dataset, and full-resolution splits are summarised instead of refused.
#include "efm/data/data_summary.h"
#include "efm/data/dataset.h"
#include "efm/data/images/synthetic_streets.h"
#include "image_fixtures.h"
#include "input_errors.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "data/images/crop_statistics.h"  // private: the accumulator under test

#include <ATen/CPUGeneratorImpl.h>

#include <vector>

namespace {

using efm::detail::CropGeometry;
using efm::detail::CropMode;
using efm::detail::CropStatistics;

// Marginals [nodes, classes] by visiting every placement of every map.
torch::Tensor enumeratedMarginals(const std::vector<torch::Tensor>& maps, const CropGeometry& g,
                                  int64_t classes) {
  torch::Tensor counts = torch::zeros({g.nodes(), classes}, torch::kDouble);
  auto a = counts.accessor<double, 2>();
  for (const torch::Tensor& map : maps) {
    auto m = map.accessor<uint8_t, 2>();
    for (int64_t p = 0; p < g.placementsPerMap(); ++p) {
      const auto [top, left] = g.placement(p);
      for (int64_t r = 0; r < g.cropHeight; ++r)
        for (int64_t c = 0; c < g.cropWidth; ++c) a[r * g.cropWidth + c][m[top + r][left + c]] += 1;
    }
  }
  return counts / static_cast<double>(maps.size() * g.placementsPerMap());
}

}  // namespace

TEST_CASE("crop placements: counts, positions inside the map, covers", "[images]") {
  const CropGeometry random{7, 10, 3, 4, CropMode::kRandom};
  CHECK(random.placementsPerMap() == 5 * 7);
  CHECK(random.placement(0) == std::array<int64_t, 2>{0, 0});
  CHECK(random.placement(8) == std::array<int64_t, 2>{1, 1});
  const CropGeometry center{7, 10, 3, 4, CropMode::kCenter};
  CHECK(center.placementsPerMap() == 1);
  CHECK(center.placement(0) == std::array<int64_t, 2>{2, 3});
  // 7 / 3 = 2 tile rows from row 0 (7 - 6 = 1 spare row, floor half 0), 10 / 4 = 2 tile
  // columns from column 1.
  const CropGeometry grid{7, 10, 3, 4, CropMode::kGrid};
  CHECK(grid.placementsPerMap() == 4);
  CHECK(grid.placement(1) == std::array<int64_t, 2>{0, 5});
  CHECK(grid.placement(2) == std::array<int64_t, 2>{3, 1});
  // The cover of a pixel counts the placements that contain it.
  for (const CropGeometry& g : {random, center, grid})
    for (int64_t y = 0; y < g.height; ++y)
      for (int64_t x = 0; x < g.width; ++x) {
        int64_t covering = 0;
        for (int64_t p = 0; p < g.placementsPerMap(); ++p) {
          const auto [top, left] = g.placement(p);
          covering += y >= top && y < top + g.cropHeight && x >= left && x < left + g.cropWidth;
        }
        INFO(efm::detail::cropModeName(g.mode) << " pixel " << y << "," << x);
        CHECK(g.rowCover(y) * g.columnCover(x) == covering);
      }
  CHECK_THROWS_AS((CropGeometry{4, 4, 5, 1, CropMode::kRandom}.check()), std::invalid_argument);
}

TEST_CASE("crop statistics equal the enumeration of every placement in every mode", "[images]") {
  auto generator = at::detail::createCPUGenerator(42);
  const int64_t classes = 5;
  std::vector<torch::Tensor> maps;
  for (int i = 0; i < 3; ++i)
    maps.push_back(torch::randint(classes, {9, 13}, generator, torch::kLong).to(torch::kUInt8));
  for (const CropMode mode : {CropMode::kRandom, CropMode::kCenter, CropMode::kGrid})
    for (const auto& crop : {std::array<int64_t, 2>{2, 3}, std::array<int64_t, 2>{9, 13},
                             std::array<int64_t, 2>{4, 1}}) {
      const CropGeometry g{9, 13, crop[0], crop[1], mode};
      INFO(efm::detail::cropModeName(mode) << " crop " << crop[0] << "x" << crop[1]);
      CropStatistics withNodes(g, classes, /*perNode=*/true);
      CropStatistics frequenciesOnly(g, classes, /*perNode=*/false);
      for (const torch::Tensor& map : maps) {
        withNodes.add(map.data_ptr<uint8_t>());
        frequenciesOnly.add(map.data_ptr<uint8_t>());
      }
      const torch::Tensor expected = enumeratedMarginals(maps, g, classes);
      CHECK(torch::allclose(withNodes.marginals(), expected, 0, 1e-12));
      CHECK(torch::allclose(withNodes.classFrequencies(), expected.mean(0), 0, 1e-12));
      CHECK(torch::allclose(frequenciesOnly.classFrequencies(), expected.mean(0), 0, 1e-12));
      CHECK(frequenciesOnly.classFrequencies().sum().item<double>() == Approx(1.0));
      CHECK_THROWS_AS(frequenciesOnly.marginals(), std::logic_error);
    }
}

TEST_CASE("data summaries: streamed label maps give the numbers of the held dataset", "[images]") {
  efm_test::CacheDir cache;
  efm_test::TempDir dir;
  efm::SyntheticCityscapesOptions options;
  options.height = 96;
  options.width = 192;
  efm::writeSyntheticCityscapes(dir.str(), 6, 3, options);
  efm::SummaryOptions streamed;
  streamed.streamImages = true;
  for (const std::string query : {"scale=0.25&crop=8x16", "scale=0.5&crop=12x20&crops=grid",
                                  "scale=1&crops=center&classes=train"}) {
    const std::string spec = "cityscapes:" + dir.str() + "?" + query;
    INFO(spec);
    const efm::DataSummary held = efm::summarizeData(spec, {});
    const efm::DataSummary read = efm::summarizeData(spec, {}, streamed);
    CHECK_FALSE(held.streamed);
    CHECK(read.streamed);
    CHECK(read.description == held.description);
    CHECK(read.variables == held.variables);
    CHECK(read.classes == held.classes);
    CHECK(read.count == held.count);
    CHECK(read.jointTableKnown == held.jointTableKnown);
    CHECK(torch::allclose(read.classFrequencies, held.classFrequencies, 0, 1e-12));
    CHECK(read.imageFacts->images == held.imageFacts->images);
    CHECK(read.imageFacts->outOfTablePixels == held.imageFacts->outOfTablePixels);
    CHECK(read.image.height == held.image.height);
    CHECK(read.image.classSet == held.image.classSet);
    REQUIRE(held.marginals.has_value() == read.marginals.has_value());
    if (held.marginals) CHECK(torch::allclose(*read.marginals, *held.marginals, 0, 1e-12));
    // The dataset that training would use agrees as well.
    CHECK(torch::allclose(held.classFrequencies, efm::openDataset(spec)->marginals().mean(0), 0,
                          1e-12));
  }
  // Per-node marginals only up to the requested size.
  efm::SummaryOptions small = streamed;
  small.maxMarginalEntries = 10;
  CHECK_FALSE(efm::summarizeData("cityscapes:" + dir.str() + "?scale=0.25", {}, small).marginals);
  CHECK(efm::summarizeData("toy:coupled-binary", {}).marginals->sizes() ==
        torch::IntArrayRef({2, 2}));
}

TEST_CASE("data summaries: a split too large to train on is summarised, not refused", "[images]") {
  efm_test::CacheDir cache;
  efm_test::TempDir dir;
  efm::SyntheticCityscapesOptions options;
  options.height = 1024;
  options.width = 1100;  // one crop of 1024 x 1100 has more pixels than training accepts
  efm::writeSyntheticCityscapes(dir.str(), 2, 5, options);
  const std::string spec = "cityscapes:" + dir.str() + "?scale=1&split=train";
  CHECK_THAT(specErrorMessage(spec), Catch::Contains("more than 1048576 pixels"));
  const efm::DataSummary summary = efm::summarizeData(spec, {});
  CHECK(summary.streamed);
  CHECK(summary.variables == 1024 * 1100);
  CHECK(summary.classFrequencies.sum().item<double>() == Approx(1.0));
  CHECK_FALSE(summary.marginals.has_value());
  // Nearest-neighbour downscaling keeps the class frequencies within a few thousandths.
  const efm::DataSummary half =
      efm::summarizeData("cityscapes:" + dir.str() + "?scale=0.5&split=train", {});
  CHECK_FALSE(half.streamed);
  CHECK((summary.classFrequencies - half.classFrequencies).abs().max().item<double>() < 0.01);
}

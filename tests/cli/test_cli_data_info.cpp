// efm data info at any scale: full-resolution Cityscapes-layout frames (1024x2048), which no
// training crop may be, are summarised by streaming the label maps. Runs the real binary.
#include "cli_harness.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace cli_test;

TEST_CASE("data info reports full-resolution street scenes at their written size", "[cli]") {
  ::setenv("EFM_CACHE_DIR", (scratch() / "data-info-cache").c_str(), 1);
  const fs::path root = scratch() / "full-size-streets";
  // Written at Cityscapes' own size, 1024x2048: three frames, all in the train split.
  const Result written =
      efm("data synth-streets --out '" + root.string() + "' --count 3 --seed 4 --split 1,0,0");
  INFO(written.err);
  REQUIRE(written.code == 0);

  const std::string spec = "cityscapes:" + root.string() + "?scale=1";
  // Training refuses a crop of 2,097,152 pixels...
  const Result train = efm("train --data '" + spec + "' --out '" +
                           (scratch() / "full-size-run").string() + "' --steps 1");
  CHECK(train.code == 2);
  CHECK_THAT(train.err, Catch::Contains("more than 1048576 pixels"));
  // ...but its statistics are reported.
  const Result info = efm("data info --data '" + spec + "'");
  INFO(info.err);
  REQUIRE(info.code == 0);
  const json full = json::parse(info.out);
  CHECK(full["n"] == 1024 * 2048);
  CHECK(full["c"] == 8);
  CHECK(full["count"] == 3);
  CHECK(full["image"]["streamed"] == true);
  CHECK(full["image"]["size"] == json::array({1024, 2048}));
  CHECK(full["image"]["crop"] == json::array({1024, 2048}));
  CHECK(full["image"]["images"] == 3);
  CHECK(full.count("marginals") == 0);  // 16.7 million numbers are not printed
  double sum = 0;
  for (const json& f : full["class_frequencies"]) sum += f.get<double>();
  CHECK(sum == Approx(1.0));
  // The street scenes have road, sky and vehicles at every scale.
  for (int k : {1, 5, 7}) CHECK(full["class_frequencies"][k].get<double>() > 0.02);

  // A quarter-scale summary (held in memory, as for training) sees the same classes within
  // what nearest-neighbour downscaling moves.
  const json quarter =
      json::parse(efm("data info --data 'cityscapes:" + root.string() + "?scale=0.25'").out);
  CHECK(quarter["image"]["streamed"] == false);
  for (int k = 0; k < 8; ++k)
    CHECK(std::abs(full["class_frequencies"][k].get<double>() -
                   quarter["class_frequencies"][k].get<double>()) < 0.005);
  // A full-resolution crop that training accepts: held, with its per-node marginals.
  const json crop = json::parse(efm("data info --data '" + spec + "&crop=64x128'").out);
  CHECK(crop["n"] == 64 * 128);
  CHECK(crop["marginals"].size() == 64 * 128);
}

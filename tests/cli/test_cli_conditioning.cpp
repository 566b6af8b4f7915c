// efm sample --given: fixed nodes on tables, inpainting on label maps, the two methods, and
// every bad input exiting 2 with a message that names it (docs/CONDITIONING.md).
#include "cli_harness.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

using namespace cli_test;
using json = nlohmann::json;

namespace {

// The labelings of a samples CSV, one vector per line.
std::vector<std::vector<int>> readLabelings(const fs::path& file) {
  std::vector<std::vector<int>> rows;
  std::stringstream lines(slurp(file));
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<int> row;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::stoi(cell));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("Given nodes on a table: kept, both methods, the trained one by default", "[cli]") {
  const fs::path run = scratch() / "masked-run";
  const Result t = efm("train --out '" + run.string() +
                       "' --mask-training --steps 200 --batch 128 --lr 1e-3 --threads 2");
  INFO(t.err);
  REQUIRE(t.code == 0);
  CHECK(json::parse(slurp(run / "config.json"))["network"]["given_nodes"] == true);
  const fs::path out = scratch() / "given.csv";
  const std::string sample =
      "sample --run '" + run.string() + "' --count 200 --out '" + out.string() + "' --step 1 ";
  const Result trained = efm(sample + "--given '1=0'");
  INFO(trained.err);
  REQUIRE(trained.code == 0);
  CHECK_THAT(trained.err, Catch::Contains("1 node(s) given (trained)"));
  const auto rows = readLabelings(out);
  REQUIRE(rows.size() == 200);
  CHECK(std::all_of(rows.begin(), rows.end(), [](const auto& r) { return r[1] == 0; }));
  const Result replaced = efm(sample + "--given '0=1' --conditioning replace");
  REQUIRE(replaced.code == 0);
  CHECK_THAT(replaced.err, Catch::Contains("(replace)"));
  const auto again = readLabelings(out);
  CHECK(std::all_of(again.begin(), again.end(), [](const auto& r) { return r[0] == 1; }));

  // A run trained without masks conditions by replacement, and cannot do `trained`.
  const std::string plain = "sample --run '" + trainedRun().string() + "' --count 10 --out '" +
                            out.string() + "' --step 1 ";
  CHECK_THAT(efm(plain + "--given '0=1'").err, Catch::Contains("(replace)"));
  const Result refused = efm(plain + "--given '0=1' --conditioning trained");
  CHECK(refused.code == 2);
  CHECK_THAT(refused.err, Catch::Contains("--mask-training"));
}

TEST_CASE("Bad given nodes exit 2 with a message that names them", "[cli]") {
  const fs::path out = scratch() / "bad-given.csv";
  const std::string sample = "sample --run '" + trainedRun().string() + "' --count 5 --out '" +
                             out.string() + "' --step 1 ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--given '2=0'", "node 2 is outside the data's 2 nodes (0..1)"},
      {"--given '0=2'", "label 2 of node 0 is outside the classes 0..1"},
      {"--given '0=1,0=0'", "node 0 is given twice"},
      {"--given 'x'", "'x' is not NODE=LABEL"},
      {"--given '0=1' --mask m.png", "--mask goes with --given LABELS.png"},
      {"--mask m.png", "--mask needs --given"},
      {"--conditioning replace", "--conditioning needs --given"},
      {"--given labels.png", "--mask MASK.png must say"},
      {"--given '0=1' --conditioning inpaint", "--conditioning"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = efm(sample + args);
    INFO(args << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(message));
  }
  const fs::path labels = writeFile("labels.png", "not a png");
  const Result picture =
      efm(sample + "--given '" + labels.string() + "' --mask '" + labels.string() + "'");
  CHECK(picture.code == 2);
  CHECK_THAT(picture.err, Catch::Contains("needs a model of image data"));
}

TEST_CASE("Inpainting a label map: the masked pixels keep their labels", "[cli]") {
  const fs::path root = scratch() / "inpaint-streets";
  ::setenv("EFM_CACHE_DIR", (scratch() / "cache").c_str(), 1);
  REQUIRE(efm("data synth-streets --out '" + root.string() +
              "' --count 4 --seed 3 --height 64 --width 128")
              .code == 0);
  const fs::path config =
      writeFile("inpaint-unet.json",
                R"({"network": {"hidden": 8, "channel_multipliers": [1, 2], "residual_blocks": 1,
          "attention_resolutions": [2], "norm_groups": 4}})");
  const fs::path run = scratch() / "inpaint-run";
  const std::string spec = "cityscapes:" + root.string() + "?scale=0.25&crop=16x32";
  const Result t =
      efm("train --data '" + spec + "' --model unet --mask-training --steps 4 " +
          "--batch 2 --config '" + config.string() + "' --out '" + run.string() + "' --threads 1");
  INFO(t.err);
  REQUIRE(t.code == 0);
  // Two samples: the first gives the labels, the second the mask (its pixels of class 0
  // are free, the rest given).
  const fs::path first = scratch() / "inpaint-first";
  REQUIRE(efm("sample --run '" + run.string() + "' --count 2 --out '" + first.string() +
              "' --step 5 --threads 1")
              .code == 0);
  const auto source = readLabelings(first / "samples.csv");
  REQUIRE(source.size() == 2);
  const fs::path again = scratch() / "inpaint-again";
  const std::string given = "--given '" + (first / "sample_00000_labels.png").string() +
                            "' --mask '" + (first / "sample_00001_labels.png").string() + "'";
  const Result s = efm("sample --run '" + run.string() + "' --count 3 --out '" + again.string() +
                       "' --step 5 --threads 1 " + given);
  INFO(s.err);
  REQUIRE(s.code == 0);
  CHECK_THAT(s.err, Catch::Contains("(trained)"));
  const auto inpainted = readLabelings(again / "samples.csv");
  REQUIRE(inpainted.size() == 3);
  int64_t givenPixels = 0;
  for (const auto& row : inpainted)
    for (size_t k = 0; k < row.size(); ++k)
      if (source[1][k] != 0) {
        ++givenPixels;
        CHECK(row[k] == source[0][k]);
      }
  INFO("given pixels " << givenPixels);
  CHECK(fs::exists(again / "sample_00002.png"));

  // A mask of another size names the file and both sizes.
  const fs::path big = root / "gtFine" / "train";
  fs::path fullSize;
  for (const auto& entry : fs::recursive_directory_iterator(big))
    if (entry.path().string().find("labelIds.png") != std::string::npos) fullSize = entry.path();
  REQUIRE(!fullSize.empty());
  const Result wrong =
      efm("sample --run '" + run.string() + "' --count 1 --out '" + again.string() +
          "' --step 5 --given '" + (first / "sample_00000_labels.png").string() + "' --mask '" +
          fullSize.string() + "'");
  CHECK(wrong.code == 2);
  CHECK_THAT(wrong.err, Catch::Contains("is 64 x 128 pixels; the model's label maps are 16 x 32"));
}

TEST_CASE("Class-conditional runs: --condition-on-class, --class and --guidance", "[cli][heavy]") {
  // Eight 2 x 2 images with their labels file beside them, MNIST's naming.
  std::string images = {0, 0, 8, 3, 0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 2};
  std::string labels = {0, 0, 8, 1, 0, 0, 0, 8};
  for (int k = 0; k < 8; ++k) {
    for (int p = 0; p < 4; ++p) images.push_back(static_cast<char>(p == k % 4 ? 255 : 0));
    labels.push_back(static_cast<char>((k % 4) % 2));
  }
  const fs::path file = writeFile("toy-images-idx3-ubyte", images);
  writeFile("toy-labels-idx1-ubyte", labels);
  const fs::path run = scratch() / "class-run";
  const Result t = efm("train --data 'idx:" + file.string() + "' --condition-on-class " +
                       "--steps 50 --batch 64 --out '" + run.string() + "' --threads 1");
  INFO(t.err);
  REQUIRE(t.code == 0);
  CHECK(json::parse(slurp(run / "config.json"))["network"]["label_classes"] == 2);
  // --resume with the same command keeps the recorded number of classes.
  const Result resumed =
      efm("train --data 'idx:" + file.string() + "' --condition-on-class " +
          "--steps 60 --batch 64 --out '" + run.string() + "' --threads 1 --resume");
  INFO(resumed.err);
  CHECK(resumed.code == 0);

  const fs::path out = scratch() / "class.csv";
  const std::string sample =
      "sample --run '" + run.string() + "' --count 20 --out '" + out.string() + "' --threads 1 ";
  const Result guided = efm(sample + "--class 1 --guidance 2");
  INFO(guided.err);
  REQUIRE(guided.code == 0);
  // Ray's own sampler, 60 Euler steps, with two passes per step for the guidance.
  CHECK_THAT(guided.err, Catch::Contains("120 network evaluations each") &&
                             Catch::Contains("class 1 with guidance 2"));
  CHECK(readLabelings(out).size() == 20);

  const Result outside = efm(sample + "--class 2");
  CHECK(outside.code == 2);
  CHECK_THAT(outside.err, Catch::Contains("class 2 is outside the model's class labels 0..1"));
  const Result unguided = efm(sample + "--guidance 2");
  CHECK(unguided.code == 2);
  CHECK_THAT(unguided.err, Catch::Contains("--guidance needs --class"));
  const Result plain = efm("sample --run '" + trainedRun().string() + "' --count 2 --out '" +
                           out.string() + "' --class 0");
  CHECK(plain.code == 2);
  CHECK_THAT(plain.err, Catch::Contains("--condition-on-class"));
  const Result toy = efm("train --data toy:coupled-binary --condition-on-class --steps 1 --out '" +
                         (scratch() / "class-toy").string() + "'");
  CHECK(toy.code == 2);
  CHECK_THAT(toy.err, Catch::Contains("needs class labels"));
}

// Targets made by hand (issue 21): a joint table written as a pmf file reads back as the same
// distribution, bad tables are refused with the file named, and a trainer switched to a new
// target mid-run learns the new one.
#include "input_errors.h"
#include "scratch_directory.h"

#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/io/table_files.h"
#include "efm/sampling/sampler.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <string>

using namespace efm;

TEST_CASE("A joint table written as a pmf file reads back as the same distribution",
          "[data][table]") {
  const auto dir = efm_test::freshDirectory("pmf-table");
  const std::string file = (dir / "target.pmf").string();
  // n = 2 nodes with c = 3 classes; one zero cell, weights not normalised.
  const torch::Tensor weights =
      torch::tensor({3.0, 0.0, 1.0, 0.5, 2.0, 1.5, 0.25, 0.75, 1.0}, torch::kFloat64);
  writePmfTable(file, weights, 2, 3);
  const DatasetPtr data = openDataset("pmf:" + file);
  CHECK(data->variables() == 2);
  CHECK(data->classes() == 3);
  const auto joint = data->jointTable();
  REQUIRE(joint);
  CHECK(torch::allclose(*joint, weights / weights.sum(), 0, 1e-15));
  // Every labeling is listed, node 0 first (the most significant digit).
  std::ifstream in(file);
  std::string comment, first, second;
  std::getline(in, comment);
  std::getline(in, first);
  std::getline(in, second);
  CHECK(comment.rfind("# joint table: n=2 c=3", 0) == 0);
  CHECK(first == "0 0 3");
  CHECK(second == "0 1 0");

  CHECK_THAT(inputErrorMessage([&] { writePmfTable(file, torch::zeros({9}), 2, 3); }),
             Catch::Contains("sum to zero") && Catch::Contains("target.pmf"));
  CHECK_THAT(inputErrorMessage([&] { writePmfTable(file, torch::ones({8}), 2, 3); }),
             Catch::Contains("8 weights for 9"));
  CHECK_THAT(inputErrorMessage([&] { writePmfTable(file, -torch::ones({9}), 2, 3); }),
             Catch::Contains("non-negative"));
  torch::Tensor withNan = torch::ones({9}, torch::kFloat64);
  withNan[4] = std::nan("");
  CHECK_THAT(inputErrorMessage([&] { writePmfTable(file, withNan, 2, 3); }),
             Catch::Contains("finite"));
  CHECK_THAT(inputErrorMessage([&] { writePmfTable(file, torch::ones({1}), 30, 2); }),
             Catch::Contains("too many"));
  CHECK_THAT(inputErrorMessage(
                 [&] { writePmfTable((dir / "missing" / "t.pmf").string(), weights, 2, 3); }),
             Catch::Contains("missing"));
  // The file from before the failed writes is intact.
  CHECK(torch::allclose(*openDataset("pmf:" + file)->jointTable(), weights / weights.sum()));
}

TEST_CASE("A trainer switched to a new target mid-run learns the new target",
          "[train][table][learning]") {
  const auto dir = efm_test::freshDirectory("switched-target");
  RunConfig config;
  config.data = "toy:coupled-binary";
  config.network.hidden = 32;
  config.train.steps = 600;
  config.train.batch = 256;
  config.train.learningRate = 3e-3;
  config.train.seed = 0;
  resolveAndValidate(config);
  Trainer trainer(config, openDataset(config.data));
  for (int k = 0; k < 200; ++k) trainer.step();

  // Nearly all mass on (1, 0): a labeling coupled-binary gives little.
  const std::string file = (dir / "edited.pmf").string();
  writePmfTable(file, torch::tensor({0.01, 0.01, 0.97, 0.01}, torch::kFloat64), 2, 2);
  const std::string spec = "pmf:" + file + "?c=2";
  trainer.replaceData(openDataset(spec), spec);
  CHECK(trainer.config().data == spec);
  CHECK(trainer.completedSteps() == 200);
  for (int k = 0; k < 400; ++k) trainer.step();

  SampleOptions sampling;
  sampling.count = 4000;
  sampling.variables = 2;
  sampling.classes = 2;
  sampling.solver = trainer.path().defaultSolver();
  sampling.seed = 5;
  const SampleResult drawn = sampleLabelings(trainer.network(), trainer.path(), sampling);
  const torch::Tensor isTarget =
      (drawn.labels.select(1, 0) == 1) & (drawn.labels.select(1, 1) == 0);
  const double share = isTarget.to(torch::kFloat64).mean().item<double>();
  INFO("share of (1, 0) after the switch: " << share);
  CHECK(share > 0.9);

  // Other shapes are refused, naming both; the run keeps its data.
  CHECK_THAT(
      inputErrorMessage([&] {
        trainer.replaceData(openDataset("toy:dirichlet?n=3&c=2"), "toy:dirichlet?n=3&c=2");
      }),
      Catch::Contains("n=3, c=2") && Catch::Contains("n=2, c=2") && Catch::Contains("new run"));
  CHECK(trainer.config().data == spec);
}

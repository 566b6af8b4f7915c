// Training: a non-finite gradient stops a step, a diverging step rolls back to the last
// checkpoint with a lower learning rate, and divergence without rollbacks left throws.
#include "efm/base/errors.h"
#include "efm/config/run_config.h"
#include "efm/io/checkpoint_io.h"
#include "efm/models/vector_field.h"
#include "efm/train/trainer.h"
#include "efm/train/training_run.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "scratch_directory.h"
#include "trainer_fixtures.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace efm;
namespace fs = std::filesystem;
using efm_test::freshDirectory;
using efm_test::parameters;
using efm_test::sameParameters;
using efm_test::smallConfig;
using torch::Tensor;

TEST_CASE("A non-finite gradient stops training before the parameters change", "[checkpoint]") {
  const RunConfig config = smallConfig();
  Trainer trainer(config, openDataset(config.data));
  trainer.step();
  const std::vector<Tensor> before = parameters(trainer.network());
  // The loss stays finite; only the backward pass of one parameter overflows.
  auto named = trainer.network().named_parameters();
  const std::string name = named.begin()->key();
  Tensor weight = named.begin()->value();
  weight.register_hook([](const Tensor& grad) { return grad * INFINITY; });
  try {
    trainer.step();
    FAIL("step() accepted an infinite gradient");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("gradient of '" + name + "'") &&
                            Catch::Contains("step 2") && Catch::Contains("--lr"));
  }
  CHECK(trainer.completedSteps() == 1);
  CHECK(sameParameters(before, parameters(trainer.network())));
}

namespace {

// Makes every backward pass from the `from`-th one on (counting from 1) give one weight an
// infinite gradient, while the loss stays finite; `until` = 0 means for ever.
void poisonGradients(Trainer& trainer, int from, int until) {
  auto calls = std::make_shared<int>(0);
  Tensor weight = trainer.network().parameters().front();
  weight.register_hook([calls, from, until](const Tensor& grad) {
    ++*calls;
    const bool poisoned = *calls >= from && (until == 0 || *calls <= until);
    return poisoned ? grad * INFINITY : grad;
  });
}

std::vector<std::string> lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("A diverging step rolls back to the last checkpoint with a lower learning rate",
          "[checkpoint]") {
  const fs::path dir = freshDirectory("rollback");
  RunConfig config = smallConfig();
  config.train.steps = 20;
  config.train.logEvery = 5;
  config.train.checkpointEvery = 5;
  config.train.learningRate = 1e-3;
  config.train.rollbacks = 2;
  const RunDirectory run{dir / "run"};
  run.prepare();
  Trainer trainer(config, openDataset(config.data));
  poisonGradients(trainer, 7, 7);  // step 7 diverges once
  std::vector<Rollback> rollbacks;
  TrainingHooks hooks;
  hooks.rolledBack = [&](const Rollback& r) { rollbacks.push_back(r); };
  CHECK(runTraining(trainer, run, hooks) == TrainOutcome::Finished);

  REQUIRE(rollbacks.size() == 1);
  CHECK(rollbacks[0].divergedAt == 7);
  CHECK(rollbacks[0].resumedFrom == 5);
  CHECK(rollbacks[0].learningRate == Approx(5e-4));
  CHECK(rollbacks[0].rollbacksLeft == 1);
  CHECK_THAT(rollbacks[0].reason, Catch::Contains("step 7"));
  CHECK(trainer.completedSteps() == 20);
  // The lowered rate is recorded where --resume and `efm sample` read the configuration.
  CHECK(readCheckpointInfo(run.checkpoint().string()).config.train.learningRate == Approx(5e-4));
  CHECK(run.readConfig().train.learningRate == Approx(5e-4));
  CHECK(run.readConfig().train.rollbacks == 1);
  // metrics.csv: one row per 5 steps, none twice although steps 6 and 7 ran twice.
  const std::vector<std::string> rows = lines(run.metrics());
  REQUIRE(rows.size() == 5);
  for (int k = 1; k <= 4; ++k) CHECK(rows[k].rfind(std::to_string(5 * k) + ",", 0) == 0);
  fs::remove_all(dir);
}

TEST_CASE("Divergence without rollbacks left throws and keeps the last checkpoint",
          "[checkpoint]") {
  const fs::path dir = freshDirectory("diverged");
  RunConfig config = smallConfig();
  config.train.steps = 20;
  config.train.checkpointEvery = 5;
  config.train.learningRate = 1e-3;
  const RunDirectory run{dir / "run"};
  run.prepare();

  SECTION("no rollbacks: the first divergence stops training") {
    Trainer trainer(config, openDataset(config.data));
    poisonGradients(trainer, 7, 0);
    try {
      runTraining(trainer, run, {});
      FAIL("runTraining went past a diverging step");
    } catch (const TrainingDiverged& e) {
      CHECK(e.step() == 7);
      CHECK_THAT(std::string(e.what()), Catch::Contains("--rollbacks"));
    }
  }
  SECTION("two rollbacks, then it gives up and says so") {
    config.train.rollbacks = 2;
    Trainer trainer(config, openDataset(config.data));
    poisonGradients(trainer, 7, 0);
    int rolledBack = 0;
    TrainingHooks hooks;
    hooks.rolledBack = [&](const Rollback&) { ++rolledBack; };
    try {
      runTraining(trainer, run, hooks);
      FAIL("runTraining went past a diverging step");
    } catch (const TrainingDiverged& e) {
      CHECK(e.step() == 6);  // after a rollback to step 5, step 6 is poisoned too
      CHECK_THAT(std::string(e.what()), Catch::Contains("after 2 automatic rollbacks"));
    }
    CHECK(rolledBack == 2);
    CHECK(trainer.config().train.learningRate == Approx(2.5e-4));
  }
  // The last good checkpoint stays readable, at the last multiple of checkpoint_every.
  CHECK(readCheckpointInfo(run.checkpoint().string()).step == 5);
  fs::remove_all(dir);
}

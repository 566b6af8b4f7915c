// Run configuration: the JSON round trip, errors naming the setting, and the cosine schedule.
#include "efm/base/errors.h"
#include "efm/config/run_config.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "trainer_fixtures.h"

#include <string>

using namespace efm;
using efm_test::smallConfig;

TEST_CASE("Configuration JSON round trip and errors naming the setting", "[config]") {
  RunConfig config = smallConfig();
  config.path.kind = "bridge";
  config.train.schedule = "cosine";
  const RunConfig back = configFromJsonString(toJsonString(config), "test");
  CHECK(toJsonString(back) == toJsonString(config));
  CHECK(back.network.dilations == config.network.dilations);

  auto message = [](const std::string& json) {
    try {
      configFromJsonString(json, "cfg.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message(R"({"train": {"lr": "fast"}})"),
             Catch::Contains("train.lr") && Catch::Contains("cfg.json"));
  CHECK_THAT(message(R"({"train": {"steps": -5}})"), Catch::Contains("train.steps"));
  CHECK_THAT(message(R"({"network": {"colour": 1}})"), Catch::Contains("network.colour"));
  CHECK_THAT(message(R"({"path": {"kind": "sphere"}})"), Catch::Contains("path.kind"));
  CHECK_THAT(message("{not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(message(R"({"train": {"seed": -1}})"), Catch::Contains("train.seed"));
  CHECK_THAT(message(R"({"network": {"kernel": 4}})"), Catch::Contains("network.kernel"));
  CHECK_THAT(message(R"({"train": {"checkpoint_seconds": -1}})"),
             Catch::Contains("train.checkpoint_seconds"));
  CHECK_THAT(message(R"({"train": {"rollbacks": -1}})"), Catch::Contains("train.rollbacks"));
  CHECK_THAT(message(R"({"train": {"rollback_factor": 1}})"),
             Catch::Contains("train.rollback_factor"));
}

TEST_CASE("Cosine schedule decays from the base rate to zero", "[config]") {
  RunConfig config = smallConfig();
  config.train.schedule = "cosine";
  config.train.steps = 10;
  config.train.learningRate = 1e-3;
  Trainer trainer(config, openDataset(config.data));
  CHECK(trainer.learningRate() == Approx(1e-3));
  for (int k = 0; k < 5; ++k) trainer.step();
  CHECK(trainer.learningRate() == Approx(5e-4));
}

// efm train/sample/eval --precision: bf16 runs the U-Net's bf16 path where the CPU has native
// bf16, falls back to fp32 with one notice elsewhere (EFM_DISABLE_BF16=1 plays such a CPU),
// and names itself when the value is wrong.
#include "cli_harness.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

using namespace cli_test;
using json = nlohmann::json;

namespace {

int64_t linesContaining(const std::string& text, const std::string& part) {
  int64_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

}  // namespace

TEST_CASE("Precision bf16 runs the U-Net in bf16 or falls back to fp32 with one notice",
          "[cli][heavy][precision]") {
  const fs::path root = scratch() / "precision-streets";
  ::setenv("EFM_CACHE_DIR", (scratch() / "cache").c_str(), 1);
  REQUIRE(efm("data synth-streets --out '" + root.string() +
              "' --count 4 --seed 5 --height 16 --width 32")
              .code == 0);
  const fs::path config =
      writeFile("precision-unet.json",
                R"({"network": {"hidden": 8, "channel_multipliers": [1, 2], "residual_blocks": 1,
          "attention_resolutions": [2], "norm_groups": 4}})");
  const fs::path run = scratch() / "precision-run";
  const Result t = efm("train --data 'cityscapes:" + root.string() +
                       "' --model unet --steps 4 --batch 2 --config '" + config.string() +
                       "' --out '" + run.string() + "' --threads 1 --precision bf16");
  INFO(t.err);
  REQUIRE(t.code == 0);

  // What this machine does with bf16: eval's JSON says what ran, and a fallback says why.
  const Result e = efm("eval --run '" + run.string() +
                       "' --samples 2 --step 5 --threads 1 "
                       "--precision bf16");
  INFO(e.err);
  REQUIRE(e.code == 0);
  const std::string ran = json::parse(e.out)["precision"];
  CHECK((ran == "bf16" || ran == "fp32"));
  CHECK(linesContaining(e.err, "running in fp32") == (ran == "fp32" ? 1 : 0));

  // A CPU without native bf16 (played here): one notice, and exactly fp32's labels.
  const fs::path fp32 = scratch() / "precision-fp32.csv", fallback = scratch() / "fallback.csv";
  const std::string sample =
      "sample --run '" + run.string() + "' --count 3 --step 5 --seed 2 --threads 1 ";
  REQUIRE(efm(sample + "--out '" + fp32.string() + "'").code == 0);
  ::setenv("EFM_DISABLE_BF16", "1", 1);
  const Result s = efm(sample + "--precision bf16 --out '" + fallback.string() + "'");
  const Result eOff =
      efm("eval --run '" + run.string() + "' --samples 2 --step 5 --threads 1 --precision bf16");
  ::unsetenv("EFM_DISABLE_BF16");
  INFO(s.err);
  REQUIRE(s.code == 0);
  CHECK(linesContaining(s.err, "efm sample: precision bf16: this CPU has no native bf16") == 1);
  CHECK(linesContaining(s.err, "running in fp32") == 1);
  CHECK(slurp(fallback) == slurp(fp32));
  REQUIRE(eOff.code == 0);
  CHECK(json::parse(eOff.out)["precision"] == "fp32");

  // A network without a bf16 path says so and runs fp32.
  const Result mlp =
      efm("eval --run '" + trainedRun().string() + "' --samples 100 --threads 1 --precision bf16");
  INFO(mlp.err);
  REQUIRE(mlp.code == 0);
  CHECK(linesContaining(mlp.err, "this network has no bf16 path") == 1);
  CHECK(json::parse(mlp.out)["precision"] == "fp32");

  const Result bad = efm(sample + "--precision fp16 --out '" + fallback.string() + "'");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--precision"));
}

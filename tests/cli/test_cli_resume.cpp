// Resuming as users resume: the command that started a run, plus --resume. Flags equal to the
// run's are accepted, a changed one is named with both values, and --resume without a
// checkpoint starts the run. Runs the real binary (EFM_BINARY).
#include "cli_harness.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using namespace cli_test;
using Catch::Contains;

TEST_CASE("The same command with --resume continues the run, and a changed flag is named", "[cli]") {
  const fs::path run = scratch() / "same-command";
  const fs::path table = writeFile("resume-table.csv", "0,1,2\n2,1,0\n1,1,1\n0,0,2\n");
  const std::string data = " --data 'csv:" + table.string() + "?c=3'";
  const std::string start = "train" + data + " --out '" + run.string() +
                            "' --batch 32 --seed 1 --lr 0.001 --schedule cosine --path ray";
  const Result first = efm(start + " --steps 40");
  INFO(first.err);
  REQUIRE(first.code == 0);

  // The same command with --resume and more steps.
  const Result more = efm(start + " --steps 60 --resume");
  INFO(more.err);
  CHECK(more.code == 0);
  CHECK_THAT(more.err, !Contains("new run"));
  const std::string metrics = slurp(run / "metrics.csv");
  CHECK(metrics.find("\n50,") != std::string::npos);
  CHECK(metrics.find("\n60,") != std::string::npos);
  // A finished run resumed with the same command has nothing to do (a requeued job).
  const Result finished = efm(start + " --steps 60 --resume");
  CHECK(finished.code == 0);
  CHECK_THAT(finished.err, Contains("already has 60 steps"));

  // A flag that really differs: named, both values, and what to do.
  const Result batch = efm(start + " --steps 80 --batch 64 --resume");
  CHECK(batch.code == 2);
  CHECK_THAT(batch.err, Contains("--batch: the run has 32, this command gives 64") &&
                            Contains("another --out") && Contains(run.string()));
  const Result model = efm(start + " --steps 80 --model cnn --resume");
  CHECK(model.code == 2);
  CHECK_THAT(model.err, Contains("--model: the run has mlp, this command gives cnn"));
  const Result two = efm(start + " --steps 80 --seed 2 --lr 0.01 --resume");
  CHECK(two.code == 2);
  CHECK_THAT(two.err, Contains("--seed: the run has 1, this command gives 2") &&
                          Contains("--lr: the run has 0.001, this command gives 0.01"));
  const fs::path otherTable = writeFile("resume-other.csv", "0,1,2\n");
  const Result otherData =
      efm("train --data 'csv:" + otherTable.string() + "?c=3' --out '" + run.string() +
          "' --batch 32 --seed 1 --lr 0.001 --schedule cosine --steps 80 --resume");
  CHECK(otherData.code == 2);
  CHECK_THAT(otherData.err, Contains("--data: the run has csv:" + table.string()));

  // A configuration file: equal values pass, a different one is named with its key.
  const fs::path equal = writeFile("resume-equal.json", R"({"train": {"batch": 32}})");
  const Result equalConfig = efm(start + " --steps 70 --config '" + equal.string() + "' --resume");
  INFO(equalConfig.err);
  CHECK(equalConfig.code == 0);
  const fs::path faster = writeFile("resume-faster.json", R"({"path": {"magnitude": 0.7}})");
  const Result changed = efm(start + " --steps 80 --config '" + faster.string() + "' --resume");
  CHECK(changed.code == 2);
  CHECK_THAT(changed.err, Contains("--config '" + faster.string() +
                                   "' (path.magnitude): the run "
                                   "has 0.5, this command gives 0.7"));

  // The same file through another path is the same data.
  const std::string dotted = (scratch() / "." / "resume-table.csv").string();
  const Result samePath =
      efm("train --data 'csv:" + dotted + "?c=3' --out '" + run.string() +
          "' --batch 32 --seed 1 --lr 0.001 --schedule cosine --steps 80 --resume");
  INFO(samePath.err);
  CHECK(samePath.code == 0);
  CHECK(slurp(run / "metrics.csv").find("\n80,") != std::string::npos);
}

TEST_CASE("Resuming where there is no checkpoint starts a new run and says so", "[cli]") {
  for (const bool folderExists : {false, true}) {
    const fs::path run = scratch() / (folderExists ? "resume-empty" : "resume-missing");
    if (folderExists) fs::create_directories(run);
    const Result r = efm("train --out '" + run.string() + "' --steps 20 --batch 16 --resume");
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.err, Contains("no checkpoint in '" + run.string() +
                               "' to resume; starting a new run there"));
    CHECK(fs::exists(run / "checkpoint.pt"));
    // The next identical command continues it rather than starting again.
    const Result again = efm("train --out '" + run.string() + "' --steps 40 --batch 16 --resume");
    INFO(again.err);
    CHECK(again.code == 0);
    CHECK_THAT(again.err, !Contains("new run"));
  }
}

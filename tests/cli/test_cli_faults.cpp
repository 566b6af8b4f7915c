// Faults as a long training run meets them: kill -9 at any moment, a run that diverges.
// Runs the real binary (EFM_BINARY).
#include "cli_harness.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace cli_test;

namespace {

// The steps of metrics.csv's rows, in file order.
std::vector<long> metricSteps(const fs::path& file) {
  std::istringstream in(slurp(file));
  std::string line;
  std::getline(in, line);  // header
  std::vector<long> steps;
  while (std::getline(in, line)) steps.push_back(std::stol(line.substr(0, line.find(','))));
  return steps;
}

}  // namespace

TEST_CASE("kill -9 at any moment leaves a checkpoint that loads and --resume continues", "[cli]") {
  const fs::path run = scratch() / "killed";
  const fs::path err = scratch() / "killed-err.txt";
  // A checkpoint every 2 steps (a few ms apart), so that kills land inside writes too.
  const fs::path config =
      writeFile("every-2.json", R"({"train": {"checkpoint_every": 2, "log_every": 1}})");
  std::mt19937 random(20261129);
  // Every round runs the same command line, with --resume as a job script that restarts
  // killed jobs would: the first round finds no checkpoint and starts the run.
  const std::vector<std::string> args{
      "train",    "--out",         run.string(), "--steps", "100000000", "--threads", "1",
      "--config", config.string(), "--batch",    "16",      "--seed",    "1",         "--resume"};
  for (int round = 0; round < 6; ++round) {
    fs::remove(err);  // so that the wait below sees this round's output only
    const pid_t pid = spawnEfm(args, err);
    REQUIRE(pid > 0);
    // Once training runs (the first progress line), kill it after 20 to 400 ms.
    for (int k = 0; k < 600 && slurp(err).find("\ntrain ") == std::string::npos; ++k)
      ::usleep(50000);
    ::usleep(20000 + random() % 380000);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    INFO("round " << round << ", stderr:\n" << slurp(err));
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    CHECK((slurp(err).find("starting a new run") != std::string::npos) == (round == 0));

    // The checkpoint and the configuration are whole, whatever the kill interrupted.
    REQUIRE(fs::exists(run / "checkpoint.pt"));
    CHECK_NOTHROW(json::parse(slurp(run / "config.json")));
    const Result sampled = efm("sample --run '" + run.string() + "' --count 5 --out '" +
                               (scratch() / "killed-samples.csv").string() + "'");
    INFO(sampled.err);
    CHECK(sampled.code == 0);
  }
  // The resumed runs dropped the rows written after each last checkpoint: steps only grow
  // (a torn last line is at most the final row, from the last kill).
  std::vector<long> steps;
  try {
    steps = metricSteps(run / "metrics.csv");
  } catch (const std::exception&) {
    // a torn final line: resume once more, which truncates it
  }
  const pid_t pid = spawnEfm({"train", "--out", run.string(), "--resume", "--steps", "1"}, err);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO(slurp(err));
  CHECK(WEXITSTATUS(status) == 0);  // the run already has more steps: nothing to do
  steps = metricSteps(run / "metrics.csv");
  REQUIRE(steps.size() > 1);
  CHECK(std::adjacent_find(steps.begin(), steps.end(), std::greater_equal<long>()) == steps.end());
}

TEST_CASE("A diverging run exits 1, keeps its checkpoint and rolls back when asked", "[cli]") {
  // A valid configuration whose very first step overflows (the path's speed is huge).
  const fs::path config = writeFile("overflow.json", R"({"path": {"magnitude": 1e38}})");
  const fs::path plain = scratch() / "diverged-plain";
  const Result r = efm("train --out '" + plain.string() + "' --config '" + config.string() +
                       "' --steps 50 --batch 16");
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("diverged") && Catch::Contains("step 1") &&
                        Catch::Contains("--lr") && Catch::Contains("--rollbacks"));
  CHECK(fs::exists(plain / "checkpoint.pt"));  // the state before the first step

  const fs::path rolled = scratch() / "diverged-rolled";
  const Result again = efm("train --out '" + rolled.string() + "' --config '" + config.string() +
                           "' --steps 50 --batch 16 --lr 1e-3 --rollbacks 2");
  INFO(again.err);
  CHECK(again.code == 1);
  CHECK_THAT(again.err, Catch::Contains("rolled back to step 0 with learning rate 0.0005") &&
                            Catch::Contains("rolled back to step 0 with learning rate 0.00025") &&
                            Catch::Contains("after 2 automatic rollbacks"));
  const json recorded = json::parse(slurp(rolled / "config.json"));
  CHECK(recorded["train"]["lr"].get<double>() == Approx(2.5e-4));
  CHECK(recorded["train"]["rollbacks"] == 0);

  const Result bad = efm("train --out '" + (scratch() / "r-bad").string() + "' --rollbacks -1");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--rollbacks"));
  const Result badSeconds =
      efm("train --out '" + (scratch() / "s-bad").string() + "' --checkpoint-seconds nan");
  CHECK(badSeconds.code == 2);
  CHECK_THAT(badSeconds.err, Catch::Contains("--checkpoint-seconds"));
}

// Data-parallel training over c10d: two ranks (threads of this process, each with its own
// TCPStore client and Gloo process group on loopback) against one process with the global
// batch. The command-line tests cover real processes, --nproc and a rank that dies.
#include "efm/base/errors.h"
#include "efm/config/run_config.h"
#include "efm/dist/distributed.h"
#include "efm/train/trainer.h"
#include "efm/train/training_run.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "scratch_directory.h"

#include <filesystem>
#include <functional>
#include <thread>

using namespace efm;
namespace fs = std::filesystem;
using torch::Tensor;

namespace {

// Rank 0 creates its run directory (RunDirectory::prepare); rank 1's must stay absent.
fs::path rankDirectory(const std::string& name) {
  return efm_test::freshDirectory("dist-" + name, /*create=*/false);
}

RunConfig smallConfig(uint64_t seed = 7) {
  RunConfig config;
  config.data = "toy:dirichlet?n=3&c=3&alpha=0.5&seed=1";
  config.network.kind = "mlp";
  config.network.hidden = 32;
  config.train.batch = 64;
  config.train.steps = 12;
  config.train.seed = seed;
  config.train.checkpointEvery = 5;
  resolveAndValidate(config);
  return config;
}

std::vector<Tensor> parameters(Trainer& trainer) {
  std::vector<Tensor> out;
  for (const auto& p : trainer.network().parameters()) out.push_back(p.detach().clone());
  return out;
}

// Runs `work(rank, collective)` for ranks 0 and 1 of a fresh loopback job, each on its own
// thread; rethrows the first exception after both have finished. Catch's assertions are not
// thread-safe (ThreadSanitizer says so): `work` records, the test checks afterwards.
void runTwoRanks(const std::function<void(int, const CollectivePtr&)>& work) {
  const int port = freeLocalPort();
  std::exception_ptr failures[2];
  std::vector<std::thread> threads;
  for (int rank = 0; rank < 2; ++rank)
    threads.emplace_back([&, rank] {
      try {
        ProcessGroupOptions options;
        options.masterPort = port;
        options.rank = rank;
        options.worldSize = 2;
        options.timeoutSeconds = 60;
        work(rank, joinProcessGroup(options));
      } catch (...) {
        failures[rank] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

// One intra-op thread while it lives (the ranks are threads already).
struct OneThread {
  int before = torch::get_num_threads();
  OneThread() { torch::set_num_threads(1); }
  ~OneThread() { torch::set_num_threads(before); }
};

// Stands in for a job of `ranks` processes, for checks that need no communication.
class IdleCollective final : public Collective {
 public:
  explicit IdleCollective(int ranks) : ranks_(ranks) {}
  int rank() const override { return 0; }
  int worldSize() const override { return ranks_; }
  void allreduceSum(Tensor&) override {}
  void broadcastFromRankZero(Tensor&) override {}

 private:
  int ranks_;
};

}  // namespace

TEST_CASE("This build has c10d's Gloo process group", "[distributed]") {
  // CI installs libgloo-dev; without it CMake warns and efm refuses --nproc.
  REQUIRE(distributedTrainingAvailable());
}

TEST_CASE("Two ranks train the same steps as one process with the global batch", "[distributed]") {
  const OneThread oneThread;
  const RunConfig config = smallConfig();
  const fs::path single = rankDirectory("single"),
                 dirs[2] = {rankDirectory("rank0"), rankDirectory("rank1")};
  Trainer reference(config, openDataset(config.data));
  RunDirectory{single}.prepare();
  REQUIRE(runTraining(reference, RunDirectory{single}, {}) == TrainOutcome::Finished);

  // Rank 1 starts from another seed: distribute() must hand it rank 0's whole state.
  Trainer rank0(config, openDataset(config.data));
  Trainer rank1(smallConfig(99), openDataset(config.data));
  RunDirectory{dirs[0]}.prepare();
  Trainer* trainers[2] = {&rank0, &rank1};
  TrainOutcome outcomes[2] = {TrainOutcome::Cancelled, TrainOutcome::Cancelled};
  runTwoRanks([&](int rank, const CollectivePtr& collective) {
    trainers[rank]->distribute(collective);
    outcomes[rank] = runTraining(*trainers[rank], RunDirectory{dirs[rank]}, {});
  });
  CHECK(outcomes[0] == TrainOutcome::Finished);
  CHECK(outcomes[1] == TrainOutcome::Finished);

  CHECK(rank0.completedSteps() == 12);
  CHECK(rank1.completedSteps() == 12);
  const auto p0 = parameters(rank0), p1 = parameters(rank1), reference0 = parameters(reference);
  REQUIRE(p0.size() == reference0.size());
  double largest = 0;
  for (size_t k = 0; k < p0.size(); ++k) {
    CHECK(torch::equal(p0[k], p1[k]));  // the same averaged step on both ranks, bit for bit
    largest = std::max(largest, (p0[k] - reference0[k]).abs().max().item<double>());
  }
  // Only the summation order differs (two half-batch means instead of one mean).
  CHECK(largest < 1e-5);
  INFO("largest parameter difference from the single process: " << largest);
  // Rank 0 wrote the run; rank 1 wrote nothing.
  CHECK(fs::exists(dirs[0] / "checkpoint.pt"));
  CHECK(fs::exists(dirs[0] / "metrics.csv"));
  CHECK_FALSE(fs::exists(dirs[1]));
  Trainer reloaded(config, openDataset(config.data));
  reloaded.loadCheckpoint((dirs[0] / "checkpoint.pt").string());
  CHECK(reloaded.completedSteps() == 12);
  for (const auto& d : {single, dirs[0]}) fs::remove_all(d);
}

TEST_CASE("A stop request on one rank stops both after the same step", "[distributed]") {
  const OneThread oneThread;
  const RunConfig config = smallConfig();
  const fs::path dir = rankDirectory("stop");
  RunDirectory{dir}.prepare();
  Trainer rank0(config, openDataset(config.data)), rank1(config, openDataset(config.data));
  Trainer* trainers[2] = {&rank0, &rank1};
  std::atomic<bool> stop[2] = {false, false};
  TrainOutcome outcomes[2] = {TrainOutcome::Finished, TrainOutcome::Finished};
  runTwoRanks([&](int rank, const CollectivePtr& collective) {
    trainers[rank]->distribute(collective);
    TrainingHooks hooks;
    hooks.cancel = &stop[rank];
    if (rank == 1)  // Ctrl-C reaches rank 1 only, after its fifth step
      hooks.progress = [&](const TrainProgress& p) {
        if (p.step == 5) stop[1] = true;
      };
    outcomes[rank] = runTraining(*trainers[rank], RunDirectory{dir}, hooks);
  });
  CHECK(outcomes[0] == TrainOutcome::Cancelled);
  CHECK(outcomes[1] == TrainOutcome::Cancelled);
  CHECK(rank0.completedSteps() == 5);
  CHECK(rank1.completedSteps() == 5);
  CHECK(readCheckpointInfo((dir / "checkpoint.pt").string()).step == 5);  // saved by rank 0
  fs::remove_all(dir);
}

TEST_CASE("Distributed divergence rolls every rank back from rank 0's checkpoint",
          "[distributed]") {
  const OneThread oneThread;
  RunConfig config = smallConfig();
  config.path.magnitude = 1e38;  // overflows at the first step, whatever the learning rate
  config.train.rollbacks = 1;
  const fs::path dirs[2] = {rankDirectory("diverge0"), rankDirectory("diverge1")};
  RunDirectory{dirs[0]}.prepare();
  Trainer rank0(config, openDataset(config.data)), rank1(config, openDataset(config.data));
  Trainer* trainers[2] = {&rank0, &rank1};
  std::string messages[2];
  double rates[2] = {0, 0};
  runTwoRanks([&](int rank, const CollectivePtr& collective) {
    trainers[rank]->distribute(collective);
    try {
      runTraining(*trainers[rank], RunDirectory{dirs[rank]}, {});
    } catch (const TrainingDiverged& e) {
      messages[rank] = e.what();
    }
    rates[rank] = trainers[rank]->config().train.learningRate;
  });
  for (int rank = 0; rank < 2; ++rank) {
    INFO("rank " << rank);
    CHECK_THAT(messages[rank], Catch::Contains("after 1 automatic rollbacks"));
    CHECK(rates[rank] == Approx(config.train.learningRate * config.train.rollbackFactor));
  }
  CHECK_FALSE(fs::exists(dirs[1]));
  fs::remove_all(dirs[0]);
}

TEST_CASE("The batch must divide by the number of ranks", "[distributed]") {
  const RunConfig config = smallConfig();  // batch 64
  Trainer trainer(config, openDataset(config.data));
  CHECK_THROWS_WITH(trainer.distribute(std::make_shared<IdleCollective>(3)),
                    Catch::Contains("batch 64 does not divide by the 3 ranks"));
  CHECK_NOTHROW(trainer.distribute(std::make_shared<IdleCollective>(4)));
}

TEST_CASE("Joining a job nobody else joins times out with a clear error", "[distributed]") {
  ProcessGroupOptions options;
  options.masterPort = freeLocalPort();
  options.rank = 1;  // rank 0, which would serve the store, never comes
  options.worldSize = 2;
  options.timeoutSeconds = 2;
  CHECK_THROWS_WITH(joinProcessGroup(options),
                    Catch::Contains("rank 1: could not join the job at 127.0.0.1:") &&
                        Catch::Contains("within 2 s"));
}

TEST_CASE("The launchers' environment variables are read and checked", "[distributed]") {
  auto with = [](std::vector<std::pair<const char*, const char*>> variables) {
    for (const char* name : {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK"})
      ::unsetenv(name);
    for (auto& [name, value] : variables) ::setenv(name, value, 1);
  };
  with({});
  CHECK_FALSE(processGroupFromEnvironment().has_value());
  with({{"RANK", "1"},
        {"WORLD_SIZE", "4"},
        {"MASTER_ADDR", "node7"},
        {"MASTER_PORT", "23456"},
        {"LOCAL_RANK", "1"}});
  const auto job = processGroupFromEnvironment();
  REQUIRE(job.has_value());
  CHECK(job->rank == 1);
  CHECK(job->worldSize == 4);
  CHECK(job->masterAddress == "node7");
  CHECK(job->masterPort == 23456);
  CHECK(job->localRank == 1);
  with({{"RANK", "0"}});
  CHECK_THROWS_WITH(processGroupFromEnvironment(), Catch::Contains("WORLD_SIZE is not set"));
  with({{"RANK", "4"}, {"WORLD_SIZE", "4"}});
  CHECK_THROWS_WITH(processGroupFromEnvironment(), Catch::Contains("RANK='4'"));
  with({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "http"}});
  CHECK_THROWS_WITH(processGroupFromEnvironment(), Catch::Contains("MASTER_PORT='http'"));
  with({});
}

// Checkpoints: save and load, resume, damaged and foreign files, impossible sizes, timed
// saves, and free space.
#include "efm/base/errors.h"
#include "efm/config/run_config.h"
#include "efm/io/checkpoint_io.h"
#include "efm/train/trainer.h"
#include "efm/train/training_run.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "scratch_directory.h"
#include "trainer_fixtures.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace efm;
namespace fs = std::filesystem;
using efm_test::freshDirectory;
using efm_test::parameters;
using efm_test::sameParameters;
using efm_test::smallConfig;

TEST_CASE("Checkpoint save and load give the same parameters and step", "[checkpoint]") {
  const fs::path dir = freshDirectory("ckpt");
  for (const char* kind : {"mlp", "cnn"}) {
    const RunConfig config = smallConfig(kind);
    Trainer a(config, openDataset(config.data));
    for (int k = 0; k < 5; ++k) a.step();
    const std::string file = (dir / (std::string(kind) + ".pt")).string();
    a.saveCheckpoint(file);
    CHECK(!fs::exists(file + ".tmp"));

    RunConfig other = config;
    other.train.seed = 99;  // different initialisation
    Trainer b(other, openDataset(config.data));
    CHECK(!sameParameters(parameters(a.network()), parameters(b.network())));
    b.loadCheckpoint(file);
    CHECK(sameParameters(parameters(a.network()), parameters(b.network())));
    CHECK(b.completedSteps() == 5);
    const CheckpointInfo info = readCheckpointInfo(file);
    CHECK(info.step == 5);
    CHECK(info.config.network.kind == kind);
    CHECK(info.config.variables == 3);
    CHECK(info.config.classes == 3);
  }
  fs::remove_all(dir);
}

TEST_CASE("An interrupted and resumed run equals an uninterrupted one", "[checkpoint]") {
  const int threadsBefore = torch::get_num_threads();
  torch::set_num_threads(1);  // bitwise reproducibility
  const fs::path dir = freshDirectory("resume");
  RunConfig config = smallConfig();
  config.train.steps = 20;
  config.train.logEvery = 5;
  config.train.checkpointEvery = 5;

  Trainer straight(config, openDataset(config.data));
  std::vector<double> straightLoss;
  for (int k = 0; k < 20; ++k) straightLoss.push_back(straight.step());

  const RunDirectory run{dir / "run"};
  run.prepare();
  std::atomic<bool> cancel{false};
  Trainer first(config, openDataset(config.data));
  TrainingHooks hooks;
  hooks.cancel = &cancel;
  hooks.progress = [&](const TrainProgress& p) {
    if (p.step == 12) cancel = true;
  };
  CHECK(runTraining(first, run, hooks) == TrainOutcome::Cancelled);
  CHECK(readCheckpointInfo(run.checkpoint().string()).step == 12);

  Trainer resumed(config, openDataset(config.data));
  resumed.loadCheckpoint(run.checkpoint().string());
  std::vector<double> resumedLoss;
  TrainingHooks record;
  record.progress = [&](const TrainProgress& p) { resumedLoss.push_back(p.loss); };
  CHECK(runTraining(resumed, run, record) == TrainOutcome::Finished);
  REQUIRE(resumedLoss.size() == 8);
  for (size_t k = 0; k < 8; ++k) CHECK(resumedLoss[k] == straightLoss[12 + k]);
  CHECK(resumed.completedSteps() == 20);
  CHECK(sameParameters(parameters(straight.network()), parameters(resumed.network())));

  // metrics.csv: header and one row per 5 steps, no duplicates after the resume.
  std::ifstream csv(run.metrics());
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(csv, line)) lines.push_back(line);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "step,loss,lr,steps_per_s,elapsed_s");
  CHECK(lines[1].rfind("5,", 0) == 0);
  CHECK(lines[4].rfind("20,", 0) == 0);
  torch::set_num_threads(threadsBefore);
  fs::remove_all(dir);
}

TEST_CASE("Damaged, foreign and mismatched checkpoints give InputError", "[checkpoint]") {
  const fs::path dir = freshDirectory("bad-ckpt");
  const RunConfig config = smallConfig();
  Trainer trainer(config, openDataset(config.data));
  auto message = [&](const std::string& file) {
    try {
      trainer.loadCheckpoint(file);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message((dir / "missing.pt").string()), Catch::Contains("no such file"));

  const std::string garbage = (dir / "garbage.pt").string();
  std::ofstream(garbage) << "this is not a checkpoint";
  CHECK_THAT(message(garbage), Catch::Contains("garbage.pt"));

  const std::string good = (dir / "good.pt").string();
  trainer.saveCheckpoint(good);
  const std::string truncated = (dir / "truncated.pt").string();
  {
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  CHECK_THAT(message(truncated), Catch::Contains("truncated.pt"));

  RunConfig wider = config;
  wider.network.hidden = 48;
  Trainer other(wider, openDataset(config.data));
  const std::string otherFile = (dir / "wider.pt").string();
  other.saveCheckpoint(otherFile);
  CHECK_THAT(message(otherFile), Catch::Contains("different architecture"));

  CheckpointContents newer;
  newer.config = config;
  newer.formatVersion = kCheckpointFormatVersion + 1;
  const std::string newerFile = (dir / "newer.pt").string();
  writeCheckpoint(newerFile, newer);
  CHECK_THAT(message(newerFile), Catch::Contains("newer"));
  fs::remove_all(dir);
}

TEST_CASE("A checkpoint whose random-generator state is damaged gives InputError", "[checkpoint]") {
  // Found by fuzz_checkpoint: LibTorch's set_state threw c10::Error ("Invalid mt19937 state").
  const fs::path dir = freshDirectory("bad-rng");
  const RunConfig config = smallConfig();
  Trainer trainer(config, openDataset(config.data));
  CheckpointContents contents;
  contents.config = trainer.config();
  contents.network = &trainer.network();
  torch::optim::Adam adam(trainer.network().parameters());
  contents.optimizer = &adam;
  contents.dataGeneratorState = torch::zeros({7}, torch::kUInt8);
  const std::string file = (dir / "checkpoint.pt").string();
  writeCheckpoint(file, contents);
  Trainer other(config, openDataset(config.data));
  CHECK_THROWS_AS(other.loadCheckpoint(file), InputError);
  CHECK_THROWS_WITH(other.loadCheckpoint(file),
                    Catch::Contains("checkpoint '" + file + "'") &&
                        Catch::Contains("random-generator state is damaged"));
  fs::remove_all(dir);
}

TEST_CASE("Impossible sizes inside a checkpoint are refused before LibTorch allocates by them",
          "[checkpoint]") {
  // Found by fuzz_checkpoint: one damaged string length made LibTorch 1.13 take 4.2 GB for a
  // 36 KB checkpoint before it failed, and a flipped bit in the TorchScript source reached
  // its parser. Here the same damage, two in the zip directory and two flipped bits.
  CheckpointContents written;
  written.config = smallConfig();
  const std::string good = checkpointBytes(written);
  auto refusal = [](const std::string& bytes) {
    CheckpointContents read;
    try {
      readCheckpointBytes(bytes, "damaged.pt", read);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  REQUIRE(refusal(good) == "no error");
  auto littleEndian32 = [](uint32_t value) {
    std::string bytes(4, '\0');
    for (int k = 0; k < 4; ++k) bytes[k] = static_cast<char>((value >> (8 * k)) & 0xFF);
    return bytes;
  };

  // The pickle's BINUNICODE ('X', 4-byte length) for the key "format_version".
  const std::string key = "X" + littleEndian32(14) + "format_version";
  const size_t keyAt = good.find(key);
  REQUIRE(keyAt != std::string::npos);
  std::string longString = good;
  longString.replace(keyAt + 1, 4, littleEndian32(0xF0000000u));
  CHECK_THAT(refusal(longString),
             Catch::Contains("checkpoint 'damaged.pt'") &&
                 Catch::Contains("damaged: archive/data.pkl holds a string of 4026531840 bytes"));

  // The directory entry of archive/data.pkl: sizes at +20 (stored) and +24 (unpacked).
  const std::string name = "archive/data.pkl";
  size_t entry = good.find("PK\x01\x02");
  while (entry != std::string::npos && good.compare(entry + 46, name.size(), name) != 0)
    entry = good.find("PK\x01\x02", entry + 4);
  REQUIRE(entry != std::string::npos);
  std::string unpacked = good;
  unpacked.replace(entry + 24, 4, littleEndian32(0x7FFFFFFFu));
  CHECK_THAT(refusal(unpacked),
             Catch::Contains("record archive/data.pkl is stored uncompressed but claims "
                             "2147483647 bytes"));
  std::string stored = good;
  stored.replace(entry + 20, 4, littleEndian32(0x7FFFFFF0u));
  CHECK_THAT(refusal(stored), Catch::Contains("record archive/data.pkl claims 2147483632 bytes"));

  // One flipped bit in a record's data: a stored one and a deflated one (TorchScript source,
  // of which a checkpoint with a network has some).
  Trainer trainer(smallConfig(), openDataset(smallConfig().data));
  CheckpointContents full = written;
  full.network = &trainer.network();
  const std::string withNetwork = checkpointBytes(full);
  REQUIRE(refusal(withNetwork) == "no error");
  auto field = [&](size_t at) {
    return static_cast<size_t>(static_cast<unsigned char>(withNetwork[at])) |
           static_cast<size_t>(static_cast<unsigned char>(withNetwork[at + 1])) << 8;
  };
  // The first record (local header) with compression method `method`: its name and data.
  auto firstRecord = [&](size_t method) {
    size_t header = withNetwork.find("PK\x03\x04");
    while (header != std::string::npos && field(header + 8) != method)
      header = withNetwork.find("PK\x03\x04", header + 4);
    REQUIRE(header != std::string::npos);
    return std::make_pair(withNetwork.substr(header + 30, field(header + 26)),
                          header + 30 + field(header + 26) + field(header + 28));
  };
  const auto [storedName, storedAt] = firstRecord(0);
  std::string flippedStored = withNetwork;
  flippedStored[storedAt] ^= 0x01;
  CHECK_THAT(refusal(flippedStored),
             Catch::Contains("record " + storedName + " fails its CRC-32 check"));
  const auto [deflatedName, deflatedAt] = firstRecord(8);
  std::string flippedDeflated = withNetwork;
  flippedDeflated[deflatedAt + 5] ^= 0x10;
  CHECK_THAT(refusal(flippedDeflated),
             Catch::Contains("record " + deflatedName + " does not inflate to its"));
}

TEST_CASE("Checkpoints are also saved every checkpoint_seconds", "[checkpoint]") {
  const fs::path dir = freshDirectory("timed");
  RunConfig config = smallConfig();
  config.train.steps = 40;
  config.train.checkpointEvery = 1000;  // never by step count
  const RunDirectory run{dir / "run"};
  run.prepare();
  for (const double seconds : {0.05, 0.0}) {
    config.train.checkpointSeconds = seconds;
    Trainer trainer(config, openDataset(config.data));
    int64_t savedAtStep30 = -1;
    TrainingHooks hooks;
    hooks.progress = [&](const TrainProgress& p) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // >= 20 ms per step
      if (p.step == 30) savedAtStep30 = readCheckpointInfo(run.checkpoint().string()).step;
    };
    runTraining(trainer, run, hooks);
    INFO("checkpoint_seconds " << seconds);
    // 50 ms pass in at most 3 steps of >= 20 ms each; without the timer only the initial
    // checkpoint (step 0) exists until the end.
    if (seconds > 0)
      CHECK(savedAtStep30 >= 27);
    else
      CHECK(savedAtStep30 == 0);
  }
  fs::remove_all(dir);
}

TEST_CASE("Too little free space is refused before training, and a failed save tears nothing",
          "[checkpoint]") {
  const fs::path dir = freshDirectory("space");
  const RunDirectory run{dir / "run"};
  run.prepare();
  CHECK_NOTHROW(run.requireFreeSpace(1));
  try {
    run.requireFreeSpace(int64_t{1} << 62);
    FAIL("4 EiB were available");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains(run.root.string()) &&
                                          Catch::Contains("free") && Catch::Contains("MiB"));
  }

  RunConfig config = smallConfig();
  Trainer trainer(config, openDataset(config.data));
  trainer.step();
  trainer.saveCheckpoint(run.checkpoint().string());
  trainer.step();
  // The temporary file cannot be created (a folder is in its place), as on a full or
  // read-only disk: the save fails with the file's name and the old checkpoint is intact.
  fs::create_directories(run.root / "checkpoint.pt.tmp" / "blocker");
  try {
    trainer.saveCheckpoint(run.checkpoint().string());
    FAIL("the save reported success");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("checkpoint.pt.tmp"));
  }
  CHECK(readCheckpointInfo(run.checkpoint().string()).step == 1);
  fs::remove_all(dir);
}

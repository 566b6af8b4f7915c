// Trainer, checkpoints and configuration: round trips, resume, and clear errors.
#include "efm/checkpoint_io.h"
#include "efm/config.h"
#include "efm/errors.h"
#include "efm/trainer.h"
#include "efm/training_run.h"
#include "efm/vector_field.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include "scratch_directory.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

using namespace efm;
namespace fs = std::filesystem;
using efm_test::freshDirectory;
using torch::Tensor;

namespace {

RunConfig smallConfig(const std::string& network = "mlp") {
  RunConfig config;
  config.data = "toy:dirichlet?n=3&c=3&alpha=0.5&seed=1";
  config.network.kind = network;
  config.network.hidden = 32;
  config.network.dilations = {1, 2};
  config.train.batch = 64;
  config.train.steps = 30;
  config.train.seed = 7;
  resolveAndValidate(config);
  return config;
}

std::vector<Tensor> parameters(VectorFieldImpl& net) {
  std::vector<Tensor> out;
  for (const auto& p : net.parameters()) out.push_back(p.detach().clone());
  return out;
}

bool sameParameters(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (!torch::equal(a[k], b[k])) return false;
  return true;
}

}  // namespace

TEST_CASE("Networks map [B, n, c] and [B] to [B, n, c] with registered parameters", "[nn]") {
  for (const char* kind : {"mlp", "cnn"}) {
    NetworkOptions options;
    options.kind = kind;
    options.hidden = 16;
    auto net = makeVectorField(5, 3, options);
    const Tensor w = torch::softmax(torch::randn({4, 5, 3}), -1);
    const Tensor out = net->forward(w, torch::rand({4}));
    CHECK(out.sizes() == torch::IntArrayRef({4, 5, 3}));
    CHECK(net->parameters().size() > 3);
    CHECK(net->named_buffers().contains("time.frequencies"));
    // The output depends on t (time conditioning is wired in).
    CHECK(!torch::allclose(net->forward(w, torch::zeros({4})), net->forward(w, torch::ones({4}))));
  }
  NetworkOptions bad;
  bad.kind = "transformer";
  CHECK_THROWS_AS(makeVectorField(2, 2, bad), InputError);
}

TEST_CASE("The dilated CNN is translation-equivariant away from the borders", "[nn]") {
  NetworkOptions options;
  options.kind = "cnn";
  options.hidden = 8;
  options.kernel = 3;
  options.dilations = {1, 2};
  auto net = makeVectorField(32, 3, options);
  torch::NoGradGuard noGrad;
  const Tensor w = torch::softmax(torch::randn({1, 32, 3}), -1);
  const Tensor t = torch::full({1}, 0.5);
  const Tensor shifted = torch::roll(w, 1, 1);
  const Tensor a = net->forward(w, t), b = net->forward(shifted, t);
  // Receptive field radius 1 + 2 = 3: positions 8..20 see no border.
  CHECK(torch::allclose(torch::roll(a, 1, 1).slice(1, 8, 20), b.slice(1, 8, 20), 1e-5, 1e-5));
}

TEST_CASE("The CNN's skipped padding taps do not change its output", "[nn]") {
  // n = 5 with dilation 4 and 16: most taps of kernel 9 see only padding.
  NetworkOptions options;
  options.kind = "cnn";
  options.hidden = 8;
  options.dilations = {1, 4, 16};
  auto net = std::dynamic_pointer_cast<DilatedCnnFieldImpl>(makeVectorField(5, 3, options));
  REQUIRE(net);
  torch::NoGradGuard noGrad;
  const Tensor w = torch::softmax(torch::randn({3, 5, 3}), -1);
  const Tensor t = torch::rand({3});
  const Tensor fast = net->forward(w, t);
  // The same network written out with full kernels and full padding.
  const auto children = net->named_children();
  Tensor x = children["embed"]->as<torch::nn::Conv1d>()->forward(w.transpose(1, 2));
  const Tensor tf = children["time"]->as<TimeFeatures>()->forward(t);
  const auto norms = children["norms"]->children();
  const auto projections = children["time_projections"]->children();
  const auto layers = children["convs"]->children();
  for (size_t k = 0; k < layers.size(); ++k) {
    Tensor y = norms[k]->as<torch::nn::LayerNorm>()->forward(x.transpose(1, 2)).transpose(1, 2);
    y = y + projections[k]->as<torch::nn::Linear>()->forward(tf).unsqueeze(-1);
    x = x + torch::relu(layers[k]->as<torch::nn::Conv1d>()->forward(y));
  }
  const Tensor slow = children["readout"]->as<torch::nn::Conv1d>()->forward(x).transpose(1, 2);
  CHECK(torch::allclose(fast, slow, 1e-5, 1e-6));
}

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

// Bad input, tried systematically: every option of every command against malformed values,
// every data SPEC against malformed parameters and files (empty, random bytes, truncated),
// damaged checkpoints and configurations. Each must exit 2 with a message naming the option
// or file, within a time limit (no crash, no hang). Runs the real binary (EFM_BINARY).
#include "cli_harness.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace cli_test;

namespace {

constexpr int kTimeLimit = 60;  // seconds; a bad value must be refused well within this

struct Case {
  std::string args;     // shell syntax
  std::string mention;  // must appear in stderr
};

// Runs the cases four at a time (most of each is LibTorch's start-up), then checks them in
// order on this thread (Catch's assertions are not thread-safe).
void expectRefused(const std::vector<Case>& cases) {
  std::vector<Result> results(cases.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      for (size_t k = next++; k < cases.size(); k = next++)
        results[k] = efm(cases[k].args, kTimeLimit);
    });
  for (std::thread& worker : workers) worker.join();
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    const Result& r = results[k];
    INFO("efm " << c.args << "\nexit " << r.code << "\nstderr: " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.mention));
  }
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string randomBytes(std::mt19937& random, size_t size) {
  std::string bytes(size, '\0');
  for (char& b : bytes) b = static_cast<char>(random() & 0xff);
  return bytes;
}

// A small trained run for the commands that read one.
const fs::path& smallRun() {
  static const fs::path run = [] {
    const fs::path dir = scratch() / "malformed-run";
    const Result r = efm("train --out " + quoted(dir) + " --steps 20 --batch 16 --threads 1");
    INFO(r.err);
    REQUIRE(r.code == 0);
    return dir;
  }();
  return run;
}

// Bad values by kind of option.
const std::vector<std::string> kCounts = {
    "''", "0", "-1", "nan", "1e400", "abc", "99999999999999999999999"};
const std::vector<std::string> kPositiveReals = {"''", "0", "-1", "nan", "inf", "1e400", "abc"};
const std::vector<std::string> kNonNegativeReals = {"''", "-1", "nan", "inf", "abc"};
const std::vector<std::string> kSeeds = {"''", "-1", "nan", "abc", "99999999999999999999999"};
const std::vector<std::string> kSmallCounts = {"''", "-1", "nan", "5000", "abc"};
const std::vector<std::string> kChoices = {"''", "abc", "-1"};

void addOption(std::vector<Case>& cases, const std::string& base, const std::string& option,
               const std::vector<std::string>& values) {
  for (const std::string& v : values) cases.push_back({base + " " + option + " " + v, option});
}

}  // namespace

TEST_CASE("Every option of every command refuses malformed values with exit 2", "[cli][heavy]") {
  const std::string run = quoted(smallRun());
  int fresh = 0;
  // A new run directory per case, so that a wrongly accepted value cannot hide behind
  // "already holds a run".
  auto train = [&] {
    return "train --steps 3 --batch 8 --threads 1 --out " +
           quoted(scratch() / ("sweep-" + std::to_string(fresh++)));
  };
  std::vector<Case> cases;
  for (const auto& [option, values] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"--steps", kCounts},
           {"--batch", kCounts},
           {"--lr", kPositiveReals},
           {"--seed", kSeeds},
           {"--checkpoint-seconds", kNonNegativeReals},
           {"--rollbacks", kSmallCounts},
           {"--threads", kSmallCounts},
           {"--path", kChoices},
           {"--model", kChoices},
           {"--schedule", kChoices},
           {"--device", kChoices},
           {"--precision", kChoices},
           {"--config", {"''", "/no/such/config.json"}}})
    for (const std::string& v : values) cases.push_back({train() + " " + option + " " + v, option});
  for (const char* v : {"''", "toy:nope", "csv:/no/such.csv"})
    cases.push_back({train() + " --data " + v, "data SPEC"});
  for (const char* option : {"--out", "--config"})
    cases.push_back({train() + " " + option + " ''", option});

  const std::string sample =
      "sample --run " + run + " --count 3 --out " + quoted(scratch() / "sweep.csv");
  addOption(cases, sample, "--count", kCounts);
  addOption(cases, sample, "--solver", kChoices);
  addOption(cases, sample, "--step", kPositiveReals);
  addOption(cases, sample, "--t-end", kPositiveReals);
  addOption(cases, sample, "--rtol", kPositiveReals);
  addOption(cases, sample, "--atol", kPositiveReals);
  addOption(cases, sample, "--readout", kChoices);
  addOption(cases, sample, "--seed", kSeeds);
  addOption(cases, sample, "--threads", kSmallCounts);
  addOption(cases, sample, "--device", kChoices);
  addOption(cases, sample, "--precision", kChoices);
  cases.push_back({sample + " --t-end 1e9", "t_end"});  // 5e9 steps: refused, not a hang

  const std::string eval = "eval --run " + run + " --samples 50";
  addOption(cases, eval, "--samples", kCounts);
  addOption(cases, eval, "--seed", kSeeds);
  addOption(cases, eval, "--threads", kSmallCounts);

  const std::string likelihood =
      "likelihood --run " + run + " --data toy:coupled-binary --proposal-samples 10";
  addOption(cases, likelihood, "--proposal-samples", kCounts);
  addOption(cases, likelihood, "--divergence", kChoices);
  addOption(cases, likelihood, "--probe", kChoices);
  addOption(cases, likelihood, "--readout", kChoices);
  addOption(cases, likelihood, "--proposal", kChoices);
  addOption(cases, likelihood, "--mass", {"''", "0", "1", "-1", "nan", "abc"});
  addOption(cases, likelihood, "--proposal-scale", kPositiveReals);
  addOption(cases, likelihood, "--limit", kCounts);
  addOption(cases, likelihood, "--estimator", kChoices);
  addOption(cases, likelihood, "--posterior-batch", kCounts);
  addOption(cases, likelihood, "--posterior-lr", kPositiveReals);
  addOption(cases, likelihood, "--posterior-steps", {"''", "-1", "nan", "abc"});
  addOption(cases, likelihood, "--prior-share", {"''", "-0.1", "1.5", "nan", "inf", "abc"});
  addOption(cases, likelihood, "--refine-lr", kPositiveReals);
  addOption(cases, likelihood, "--refine-steps", {"''", "-1", "nan", "abc", "1.5"});
  addOption(cases, likelihood, "--seed", kSeeds);
  addOption(cases, likelihood, "--solver", kChoices);
  addOption(cases, likelihood, "--step", kPositiveReals);
  addOption(cases, likelihood, "--t-end", kPositiveReals);
  addOption(cases, likelihood, "--out", {"''", "/no/such/folder/l.csv"});

  const std::string streets = "data synth-streets --count 1 --height 8 --width 8 --out " +
                              quoted(scratch() / "sweep-streets");
  addOption(cases, streets, "--count", kCounts);
  addOption(cases, streets, "--seed", kSeeds);
  addOption(cases, streets, "--height", {"''", "0", "7", "-1", "nan", "99999", "abc"});
  addOption(cases, streets, "--width", {"''", "0", "7", "-1", "nan", "99999", "abc"});
  addOption(cases, streets, "--split", {"1,2", "-1,1,1", "nan,1,1", "0,0,0"});
  for (const char* spec : {"''", "nope", "toy:", ":x"})
    cases.push_back({std::string("data info --data ") + spec, "data SPEC"});
  addOption(cases, sample, "--trajectories", {"''"});
  cases.push_back({"sample --count 3 --out x.csv --run ''", "--run"});
  cases.push_back({"eval --run ''", "--run"});
  cases.push_back({"sample --run " + run + " --count 3 --out ''", "--out"});
  cases.push_back({"data synth-streets --count 1 --out ''", "--out"});
  expectRefused(cases);
}

TEST_CASE("Every toy SPEC parameter refuses malformed values with exit 2", "[cli][heavy]") {
  std::vector<Case> cases;
  const std::vector<std::pair<std::string, std::vector<std::string>>> toys = {
      {"toy:pinwheel", {"c"}},
      {"toy:8gaussians", {"c"}},
      {"toy:checkerboard", {"c"}},
      {"toy:kscaling", {"K", "n", "seed"}},
      {"toy:dirichlet", {"n", "c", "alpha", "seed"}},
      {"toy:dial", {"lambda", "n", "c", "seed"}}};
  for (const auto& [toy, parameters] : toys) {
    for (const std::string& parameter : parameters)
      for (const char* v : {"", "-1", "nan", "1e400", "abc", "99999999999999999999"}) {
        const std::string spec = toy + "?" + parameter + "=" + v;
        cases.push_back({"data info --data '" + spec + "'", spec});
      }
    cases.push_back({"data info --data '" + toy + "?colour=3'", "colour"});
  }
  expectRefused(cases);
}

TEST_CASE("Malformed CSV, PMF, IDX and PNG files exit 2 naming the file", "[cli]") {
  std::mt19937 random(6);
  std::vector<Case> cases;
  int index = 0;
  auto file = [&](const std::string& extension, const std::string& bytes) {
    return writeFile("malformed-" + std::to_string(index++) + extension, bytes);
  };
  auto refuse = [&](const std::string& scheme, const fs::path& path, const std::string& query) {
    cases.push_back(
        {"data info --data '" + scheme + path.string() + query + "'", path.filename().string()});
  };

  for (const std::string& bytes :
       {std::string(), std::string("\n\n"), std::string("0,1\n1\n"), std::string("0,-1\n"),
        std::string("0,nan\n"), std::string("0,1e400\n"), std::string("0,99999999999999999999\n"),
        std::string("a,b\n"), std::string("0,1\n1,"), randomBytes(random, 64),
        randomBytes(random, 4096)})
    refuse("csv:", file(".csv", bytes), "");
  refuse("csv:", file(".csv", "0,5\n"), "?c=2");  // a label outside 0..c-1
  refuse("csv:", file(".csv", "0,1\n"), "?c=abc");
  refuse("csv:", file(".csv", "0,1\n"), "?c=1");

  for (const std::string& bytes :
       {std::string(), std::string("0 1 -2\n"), std::string("0 1 nan\n"), std::string("0 1 inf\n"),
        std::string("0 0 0\n1 1 0\n"), std::string("0 1 0.5\n0\n"), randomBytes(random, 256)})
    refuse("pmf:", file(".pmf", bytes), "");

  // IDX: a valid 2 x 3 x 3 image file, then damaged copies.
  const std::string header("\0\0\x08\x03\0\0\0\x02\0\0\0\x03\0\0\0\x03", 16);
  const std::string valid = header + std::string(18, '\x80');
  REQUIRE(efm("data info --data 'idx:" + file(".idx", valid).string() + "?levels=2'").code == 0);
  for (const std::string& bytes :
       {std::string(), header.substr(0, 7), header, valid.substr(0, valid.size() - 1), valid + "x",
        std::string("\0\0\x09\x03", 4) + valid.substr(4),
        std::string("\0\0\x08\x01", 4) + valid.substr(4),
        std::string("\x1f\x8b\x08\0", 4) + randomBytes(random, 200), randomBytes(random, 512),
        // declares 4 GiB of images in a 16-byte file: refused without allocating them
        std::string("\0\0\x08\x03\x00\x01\x00\x00\0\0\x01\0\0\0\x01\0", 16)})
    refuse("idx:", file(".idx", bytes), "?levels=2");

  // Label-map PNGs in a Cityscapes tree: written by the command line, then damaged.
  ::setenv("EFM_CACHE_DIR", (scratch() / "malformed-cache").c_str(), 1);
  for (int variant = 0; variant < 4; ++variant) {
    const fs::path root = scratch() / ("malformed-streets-" + std::to_string(variant));
    REQUIRE(efm("data synth-streets --count 2 --height 16 --width 32 --split 1,0,0 --out " +
                quoted(root))
                .code == 0);
    fs::path png;
    for (const auto& entry : fs::recursive_directory_iterator(root))
      if (entry.path().string().find("labelIds.png") != std::string::npos) png = entry.path();
    REQUIRE(!png.empty());
    std::string bytes = slurp(png);
    if (variant == 0) bytes = bytes.substr(0, bytes.size() / 2);              // truncated
    if (variant == 1) bytes.clear();                                          // empty
    if (variant == 2) bytes = randomBytes(random, 300);                       // random bytes
    if (variant == 3) bytes = bytes.substr(0, 8) + randomBytes(random, 200);  // PNG signature
    std::ofstream(png, std::ios::binary | std::ios::trunc) << bytes;
    cases.push_back({"data info --data 'cityscapes:" + root.string() + "?scale=1&crop=16x32'",
                     png.filename().string()});
  }
  expectRefused(cases);
}

TEST_CASE("Damaged checkpoints and configurations exit 2 naming the file", "[cli]") {
  std::mt19937 random(7);
  const std::string good = slurp(smallRun() / "checkpoint.pt");
  std::vector<Case> cases;
  const std::vector<std::string> damaged = {std::string(), randomBytes(random, 1000),
                                            good.substr(0, good.size() / 2), good.substr(0, 100)};
  for (size_t k = 0; k < damaged.size(); ++k) {
    const fs::path run = scratch() / ("damaged-run-" + std::to_string(k));
    fs::create_directories(run);
    std::ofstream(run / "checkpoint.pt", std::ios::binary) << damaged[k];
    const std::string r = quoted(run);
    cases.push_back(
        {"sample --run " + r + " --count 3 --out " + quoted(scratch() / "d.csv"), "checkpoint.pt"});
    cases.push_back({"eval --run " + r, "checkpoint.pt"});
    cases.push_back({"likelihood --run " + r + " --data toy:coupled-binary", "checkpoint.pt"});
    cases.push_back({"train --resume --out " + r, "checkpoint.pt"});
  }
  const fs::path folderRun = scratch() / "damaged-run-folder";
  fs::create_directories(folderRun / "checkpoint.pt");
  cases.push_back({"eval --run " + quoted(folderRun), "checkpoint.pt"});

  int index = 0;
  for (const std::string& text :
       {std::string(), randomBytes(random, 300), std::string("[]"), std::string("{\"train\": 5}"),
        std::string("{\"train\": {\"steps\": 1e400}}"),
        std::string("{\"train\": {\"batch\": \"x\"}}"), std::string("{\"train\": {\"batch\": -3}}"),
        std::string("{\"network\": {\"hidden\": 1e12}}"),
        std::string(100000, '[') + std::string(100000, ']'),
        std::string("{\"a\":") + "\xff\xfe}"}) {
    const fs::path config = writeFile("damaged-" + std::to_string(index) + ".json", text);
    cases.push_back({"train --steps 2 --out " +
                         quoted(scratch() / ("damaged-config-" + std::to_string(index++))) +
                         " --config " + quoted(config),
                     config.filename().string()});
  }
  expectRefused(cases);
}

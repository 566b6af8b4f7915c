// The `efm` command line as a user meets it: exit codes, messages naming the problem, JSON
// on stdout, files written, interrupt and resume. Runs the real binary (EFM_BINARY).
#include "cli_harness.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace cli_test;

TEST_CASE("Usage: help, version, missing subcommand", "[cli]") {
  CHECK(efm("--help").code == 0);
  CHECK(efm("--version").out.find("efm") != std::string::npos);
  const Result none = efm("");
  CHECK(none.code == 2);
  const Result unknown = efm("frobnicate");
  CHECK(unknown.code == 2);
  const Result missing = efm("sample --count 3 --out x.csv");
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains("--run"));
}

TEST_CASE("data info prints n, c, count and class frequencies", "[cli]") {
  const Result r = efm("data info --data toy:coupled-binary");
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  CHECK(j["n"] == 2);
  CHECK(j["c"] == 2);
  CHECK(j["count"].is_null());
  CHECK(j["joint_table_known"] == true);
  CHECK(j["class_frequencies"][0].get<double>() == Approx(0.5));

  const fs::path csv = writeFile("items.csv", "# three labelings\n0,1,2\n2,1,0\n0,0,0\n");
  const json items = json::parse(efm("data info --data 'csv:" + csv.string() + "'").out);
  CHECK(items["count"] == 3);
  CHECK(items["n"] == 3);
  CHECK(items["c"] == 3);
  CHECK(items["class_frequencies"][0].get<double>() == Approx(5.0 / 9));

  const json k = json::parse(efm("data info --data 'toy:kscaling?K=160&n=4&seed=0'").out);
  CHECK(k["c"] == 160);
  CHECK(k["joint_table_known"] == false);
}

TEST_CASE("Bad SPECs, files and options exit 2 with a message naming them", "[cli]") {
  struct Case {
    std::string args, mention;
  };
  const fs::path ragged = writeFile("ragged.csv", "0,1\n1\n");
  const fs::path badWeight = writeFile("bad.pmf", "0 1 0.5\n1 0 -2\n");
  const fs::path badConfig = writeFile("bad.json", R"({"train": {"lr": "fast"}})");
  const fs::path notJson = writeFile("not.json", "{");
  fs::create_directories(scratch() / "garbage-run");
  writeFile("garbage-run/checkpoint.pt", "not a checkpoint");
  const Case cases[] = {
      {"data info --data toy:nope", "toy:nope"},
      {"data info --data 'toy:pinwheel?c=abc'", "abc"},
      {"data info --data 'toy:pinwheel?c=1'", "c"},
      {"data info --data 'toy:dirichlet?n=3&alpha=nan'", "alpha"},
      {"data info --data csv:/no/such/file.csv", "/no/such/file.csv"},
      {"data info --data 'csv:" + ragged.string() + "'", "line 2"},
      {"data info --data 'pmf:" + badWeight.string() + "'", "line 2"},
      {"data info --data mnist:foo", "mnist"},
      {"data info --data cityscapes:/no/such/folder", "/no/such/folder"},
      {"data info --data 'idx:/no/such/file.gz?levels=2'", "/no/such/file.gz"},
      {"data info --data 'idx:fashion-mnist?levels=1'", "levels"},
      {"data synth-streets --out " + (scratch() / "s0").string() + " --count 0", "--count"},
      {"train --out " + (scratch() / "r1").string() + " --steps 0", "--steps"},
      {"train --out " + (scratch() / "r2").string() + " --lr nan", "--lr"},
      {"train --out " + (scratch() / "r3").string() + " --batch -4", "--batch"},
      {"train --out " + (scratch() / "r4").string() + " --path sphere", "--path"},
      {"train --out " + (scratch() / "r5").string() + " --config " + badConfig.string(),
       "train.lr"},
      {"train --out " + (scratch() / "r6").string() + " --config " + notJson.string(), "not.json"},
      {"train --out " + (scratch() / "r7").string() + " --data toy:nope", "toy:nope"},
      {"train --out /proc/efm-not-writable --steps 5", "/proc/efm-not-writable"},
      {"sample --run " + (scratch() / "nothing").string() + " --count 5 --out x.csv", "nothing"},
      {"sample --run " + (scratch() / "garbage-run").string() + " --count 5 --out x.csv",
       "checkpoint.pt"},
      {"eval --run " + (scratch() / "garbage-run").string(), "checkpoint.pt"},
      {"train --out x --threads -1", "--threads"},
      {"train --out x --device tpu", "tpu"},
  };
  for (const Case& c : cases) {
    const Result r = efm(c.args);
    INFO("efm " << c.args << "\nstderr: " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.mention));
  }
}

TEST_CASE("data synth-streets writes label maps that data info reads as cityscapes:", "[cli]") {
  const fs::path root = scratch() / "streets";
  ::setenv("EFM_CACHE_DIR", (scratch() / "cache").c_str(), 1);  // not the user's cache
  const Result w = efm("data synth-streets --out '" + root.string() +
                       "' --count 10 --seed 4 --height 64 --width 128");
  INFO(w.err);
  REQUIRE(w.code == 0);
  const json written = json::parse(w.out);
  CHECK(written["splits"]["train"]["count"] == 8);
  CHECK(written["splits"]["val"]["count"] == 1);
  CHECK(written["splits"]["test"]["count"] == 1);
  const std::string first = written["splits"]["train"]["first"];
  CHECK(first ==
        (root / "gtFine/train/synthcity/synthcity_000000_000019_gtFine_labelIds.png").string());
  CHECK(fs::exists(first));

  const std::string spec = "cityscapes:" + root.string() + "?scale=0.25&crop=8x16&crops=grid";
  const Result r = efm("data info --data '" + spec + "'");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const json info = json::parse(r.out);
  CHECK(info["n"] == 8 * 16);
  CHECK(info["c"] == 8);
  CHECK(info["count"] == 8 * 4);
  CHECK(info["image"]["images"] == 8);
  CHECK(info["image"]["size"] == json::array({16, 32}));
  CHECK(info["image"]["file_size"] == json::array({64, 128}));
  CHECK(info["image"]["crop"] == json::array({8, 16}));
  CHECK(info["image"]["crops"] == "grid");
  CHECK(info["image"]["out_of_table_pixels"] == 0);
  CHECK(info["image"]["classes"][5]["name"] == "sky");
  CHECK(info["image"]["classes"][5]["colour"] == "#4682b4");
  CHECK(info["image"]["classes"][5]["frequency"].get<double>() > 0.05);

  const Result split = efm("data synth-streets --out '" + (scratch() / "streets2").string() +
                           "' --count 4 --height 16 --width 32 --split 1,0,1");
  INFO(split.err);
  REQUIRE(split.code == 0);
  CHECK(json::parse(split.out)["splits"]["test"]["count"] == 2);
  const Result bad = efm("data info --data 'cityscapes:" + root.string() + "?crop=100x100'");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("crop 100x100 is larger"));
}

TEST_CASE("U-Net on synthetic streets: train, label-map PNGs, image metrics", "[cli][heavy]") {
  const fs::path root = scratch() / "unet-streets";
  ::setenv("EFM_CACHE_DIR", (scratch() / "cache").c_str(), 1);
  REQUIRE(efm("data synth-streets --out '" + root.string() +
              "' --count 6 --seed 2 --height 64 --width 128")
              .code == 0);
  // A small U-Net (8 base channels, two levels) keeps this a smoke test of the plumbing.
  const fs::path config =
      writeFile("unet.json",
                R"({"network": {"hidden": 8, "channel_multipliers": [1, 2], "residual_blocks": 1,
          "attention_resolutions": [2], "norm_groups": 4}, "train": {"log_every": 5}})");
  const fs::path run = scratch() / "unet-run";
  const std::string spec = "cityscapes:" + root.string() + "?scale=0.25&crop=16x32";
  const Result t = efm("train --data '" + spec + "' --model unet --steps 10 --batch 2 --config '" +
                       config.string() + "' --out '" + run.string() + "' --threads 1");
  INFO(t.err);
  REQUIRE(t.code == 0);
  const json stored = json::parse(slurp(run / "config.json"));
  CHECK(stored["image"]["height"] == 16);
  CHECK(stored["image"]["width"] == 32);
  CHECK(stored["image"]["class_set"] == "categories");
  CHECK(stored["network"]["kind"] == "unet");

  const fs::path maps = scratch() / "unet-maps";
  const Result s = efm("sample --run '" + run.string() + "' --count 3 --out '" + maps.string() +
                       "' --step 5 --threads 1");
  INFO(s.err);
  REQUIRE(s.code == 0);
  for (const char* name : {"sample_00000.png", "sample_00002.png", "sample_00002_labels.png",
                           "contact_sheet.png", "samples.csv"})
    CHECK(fs::exists(maps / name));
  const std::string csv = slurp(maps / "samples.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
  // A .csv --out puts the pictures beside it.
  const fs::path csvOut = scratch() / "unet.csv";
  REQUIRE(efm("sample --run '" + run.string() + "' --count 1 --out '" + csvOut.string() +
              "' --step 5 --threads 1")
              .code == 0);
  CHECK(fs::exists(scratch() / "unet_maps" / "sample_00000_labels.png"));

  const Result e = efm("eval --run '" + run.string() + "' --samples 2 --threads 1");
  INFO(e.err);
  REQUIRE(e.code == 0);
  const json j = json::parse(e.out);
  CHECK(j["samples"] == 2);
  CHECK(j["class_frequencies_model"].size() == 8);
  double total = 0;
  for (const auto& f : j["class_frequencies_model"]) total += f.get<double>();
  CHECK(total == Approx(1.0));
  CHECK(j["class_tv"].get<double>() >= 0);
  CHECK(j["class_tv"].get<double>() <= 1);
  CHECK(j["mean_pixel_entropy"].get<double>() >= 0);
  CHECK(j["mean_pixel_entropy"].get<double>() <= std::log(8.0) + 1e-9);
  CHECK(j["late_change_fraction"].get<double>() >= 0);
  CHECK(j["late_time"].get<double>() >= 13.5);

  // A U-Net needs image data, and a size it can halve.
  const Result toy = efm("train --data toy:coupled-binary --model unet --steps 1 --out '" +
                         (scratch() / "unet-toy").string() + "'");
  CHECK(toy.code == 2);
  CHECK_THAT(toy.err, Catch::Contains("needs image data"));
  const Result odd = efm("train --data 'cityscapes:" + root.string() +
                         "?scale=0.25&crop=12x20' --model unet --steps 1 --out '" +
                         (scratch() / "unet-odd").string() + "'");
  CHECK(odd.code == 2);
  CHECK_THAT(odd.err, Catch::Contains("multiples of 8") && Catch::Contains("12 x 20"));
}

TEST_CASE("train, sample and eval: files and JSON a script can rely on", "[cli]") {
  const fs::path& run = trainedRun();
  CHECK(fs::exists(run / "checkpoint.pt"));
  CHECK(fs::exists(run / "config.json"));
  const json config = json::parse(slurp(run / "config.json"));
  CHECK(config["path"]["kind"] == "ray");
  CHECK(config["data_shape"]["n"] == 2);
  const std::string metrics = slurp(run / "metrics.csv");
  CHECK(metrics.rfind("step,loss,lr,steps_per_s,elapsed_s\n", 0) == 0);
  CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 1 + 300 / 50);

  for (const char* solver : {"euler", "heun", "rk4", "dopri5"}) {
    const fs::path out = scratch() / (std::string(solver) + ".csv");
    const Result r = efm("sample --run '" + run.string() + "' --count 500 --out '" + out.string() +
                         "' --solver " + solver + " --seed 1");
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::ifstream in(out);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
      ++lines;
      CHECK((line == "0,0" || line == "0,1" || line == "1,0" || line == "1,1"));
    }
    CHECK(lines == 500);
  }
  // Same seed, same samples; the factorized readout also works.
  const fs::path a = scratch() / "a.csv", b = scratch() / "b.csv";
  efm("sample --run '" + run.string() + "' --count 200 --out '" + a.string() + "' --seed 5");
  efm("sample --run '" + run.string() + "' --count 200 --out '" + b.string() + "' --seed 5");
  CHECK(slurp(a) == slurp(b));
  CHECK(efm("sample --run '" + run.string() + "' --count 50 --out '" + a.string() +
            "' --readout factorized")
            .code == 0);

  const fs::path traj = scratch() / "traj.csv";
  REQUIRE(efm("sample --run '" + run.string() + "' --count 3 --out '" + a.string() +
              "' --trajectories '" + traj.string() + "'")
              .code == 0);
  const std::string t = slurp(traj);
  CHECK(t.rfind("sample,step,t,node,p0,p1\n", 0) == 0);
  // 3 samples x 61 times (ray's 60 Euler steps) x 2 nodes + header.
  CHECK(std::count(t.begin(), t.end(), '\n') == 1 + 3 * 61 * 2);

  const Result e = efm("eval --run '" + run.string() + "' --samples 5000");
  INFO(e.err);
  REQUIRE(e.code == 0);
  const json j = json::parse(e.out);
  for (const char* key : {"kl_target_model", "kl_model_target", "tv", "marginal_kl", "samples"})
    CHECK(j.contains(key));
  CHECK(j["samples"] == 5000);
  CHECK(j["tv"].get<double>() >= 0);
  CHECK(j["tv"].get<double>() < 0.5);
  // The path's own sampler: Euler with 60 steps over [0, 15].
  CHECK(j["network_evaluations"] == 60);
  CHECK(j["solver"] == "euler");
  CHECK(j["solver_step"] == 0.25);

  // Fewer evaluations, for comparisons at equal cost: the solver options of `efm sample`.
  const Result coarse =
      efm("eval --run '" + run.string() + "' --samples 2000 --step 1 --solver heun");
  INFO(coarse.err);
  REQUIRE(coarse.code == 0);
  const json k = json::parse(coarse.out);
  CHECK(k["solver"] == "heun");
  CHECK(k["network_evaluations"] == 30);
  CHECK(efm("eval --run '" + run.string() + "' --step 0").code == 2);

  // Early decision stopping: fewer evaluations on average, reported by both commands.
  const Result early = efm("eval --run '" + run.string() + "' --samples 2000 --early-stop");
  INFO(early.err);
  REQUIRE(early.code == 0);
  const json l = json::parse(early.out);
  CHECK(l["early_stop"] == true);
  CHECK(l["network_evaluations"].get<double>() < 60);
  CHECK(l["network_evaluations"].get<double>() > 0);
  const Result stopped = efm("sample --run '" + run.string() + "' --count 100 --out '" +
                             a.string() + "' --early-stop");
  REQUIRE(stopped.code == 0);
  CHECK_THAT(stopped.err, Catch::Contains("network evaluations each on average (early stopping"));
  const Result factorized = efm("sample --run '" + run.string() + "' --count 10 --out '" +
                                a.string() + "' --early-stop --readout factorized");
  CHECK(factorized.code == 2);
  CHECK_THAT(factorized.err, Catch::Contains("factorized readout"));
  CHECK(efm("eval --run '" + run.string() + "' --early-stop --early-stop-safety 0.5").code == 2);
}

TEST_CASE("The peer paths train, sample with their own sampler and evaluate", "[cli][heavy]") {
  for (const std::string path : {"linear", "dirichlet", "fisher"}) {
    const fs::path run = scratch() / ("peer-" + path);
    const Result t = efm("train --out '" + run.string() + "' --path " + path +
                         " --steps 200 --batch 128 --lr 1e-3 --seed 3 --threads 2");
    INFO(path << ": " << t.err);
    REQUIRE(t.code == 0);
    CHECK(json::parse(slurp(run / "config.json"))["path"]["kind"] == path);
    const fs::path out = scratch() / ("peer-" + path + ".csv");
    const fs::path traj = scratch() / ("peer-" + path + "-traj.csv");
    const Result s = efm("sample --run '" + run.string() + "' --count 100 --out '" + out.string() +
                         "' --trajectories '" + traj.string() + "'");
    INFO(s.err);
    REQUIRE(s.code == 0);
    const std::string samples = slurp(out);
    CHECK(std::count(samples.begin(), samples.end(), '\n') == 100);
    // Euler with 300 steps: 301 times per labeling and node, starting at the path's start.
    const std::string flows = slurp(traj);
    CHECK(std::count(flows.begin(), flows.end(), '\n') == 1 + 100 * 301 * 2);
    CHECK(flows.find(path == "dirichlet" ? "\n0,0,1," : "\n0,0,0,") != std::string::npos);
    const Result e = efm("eval --run '" + run.string() + "' --samples 2000");
    INFO(e.err);
    REQUIRE(e.code == 0);
    const json j = json::parse(e.out);
    CHECK(j["path"] == path);
    CHECK(j["tv"].get<double>() < 0.5);
  }
  // The linear path's velocity is singular at t = 1, which RK4 evaluates: refused.
  const Result r = efm("sample --run '" + (scratch() / "peer-linear").string() +
                       "' --count 10 --out x.csv --solver rk4");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("singular at t = 1"));
  // Early stopping is derived for the e-geodesic paths only.
  const Result early = efm("sample --run '" + (scratch() / "peer-dirichlet").string() +
                           "' --count 10 --out x.csv --early-stop");
  CHECK(early.code == 2);
  CHECK_THAT(early.err, Catch::Contains("not for the dirichlet path"));
  const Result unknown = efm("train --out '" + (scratch() / "x").string() + "' --path sphere");
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("--path"));
}

TEST_CASE("An existing run is never overwritten and --resume continues it", "[cli]") {
  const fs::path run = scratch() / "resume-run";
  REQUIRE(efm("train --out '" + run.string() + "' --steps 40 --batch 32").code == 0);
  const Result again = efm("train --out '" + run.string() + "' --steps 40");
  CHECK(again.code == 2);
  CHECK_THAT(again.err, Catch::Contains("--resume"));
  const Result change = efm("train --out '" + run.string() + "' --resume --lr 0.1");
  CHECK(change.code == 2);
  CHECK_THAT(change.err, Catch::Contains("--lr"));
  const Result more = efm("train --out '" + run.string() + "' --resume --steps 60");
  INFO(more.err);
  CHECK(more.code == 0);
  const std::string metrics = slurp(run / "metrics.csv");
  CHECK(metrics.find("\n50,") != std::string::npos);
  CHECK(metrics.find("\n60,") != std::string::npos);
}

TEST_CASE("Ctrl-C during training saves a checkpoint and exits cleanly", "[cli]") {
  const fs::path run = scratch() / "interrupted";
  const fs::path err = scratch() / "interrupt-err.txt";
  const pid_t pid =
      spawnEfm({"train", "--out", run.string(), "--steps", "100000000", "--batch", "16"}, err);
  REQUIRE(pid > 0);
  // Wait until training runs and, its first steps measured, has said that 10^8 steps take
  // more than an hour and what would shorten them; then press Ctrl-C.
  const std::string hint = "remaining steps take about";
  for (int k = 0; k < 1200 && slurp(err).find(hint) == std::string::npos; ++k) ::usleep(50000);
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO(slurp(err));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(fs::exists(run / "checkpoint.pt"));
  CHECK_THAT(slurp(err), Catch::Contains("--resume"));
  CHECK_THAT(slurp(err), Catch::Contains(hint) && Catch::Contains("a smaller --batch (now 16)"));
  CHECK(efm("sample --run '" + run.string() + "' --count 10 --out '" +
            (scratch() / "after.csv").string() + "'")
            .code == 0);
}

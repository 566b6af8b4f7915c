// `efm likelihood` as a user meets it: JSON keys, the CSV, the table on stdout, exit code 2
// with a message naming the problem, and Ctrl-C. Runs the real binary (EFM_BINARY).
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
#include <vector>

namespace fs = std::filesystem;
using Catch::Contains;
using nlohmann::json;
using namespace cli_test;

namespace {

// A plain IDX file of `images` grey images of rows x columns pixels (a gradient per image).
fs::path writeIdx(const std::string& name, uint32_t images, uint32_t rows, uint32_t columns) {
  std::string bytes = {0, 0, 8, 3};
  for (uint32_t d : {images, rows, columns})
    for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<char>((d >> shift) & 255));
  for (uint32_t k = 0; k < images * rows * columns; ++k)
    bytes.push_back(static_cast<char>((k * 37 + k / (rows * columns) * 91) % 256));
  return writeFile(name, bytes);
}

std::string runArg() { return "--run '" + trainedRun().string() + "'"; }

}  // namespace

TEST_CASE("likelihood of every labeling of a toy table: JSON a script can rely on", "[cli]") {
  const Result r = efm("likelihood " + runArg() +
                       " --data toy:coupled-binary --proposal-samples 1000 --step 0.5 --seed 1 "
                       "--json --threads 2");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  for (const char* key : {"items",
                          "item_source",
                          "proposal_samples",
                          "divergence",
                          "readout",
                          "mass",
                          "proposal",
                          "proposal_scale",
                          "proposal_centre_norm",
                          "mean_effective_samples",
                          "solver",
                          "t_end",
                          "evaluations",
                          "mean_log_likelihood",
                          "mean_log_likelihood_se",
                          "bits_per_dimension",
                          "bits_per_dimension_se",
                          "log_likelihoods",
                          "standard_errors",
                          "target_probabilities",
                          "model_mass",
                          "cross_entropy",
                          "seconds"})
    CHECK(j.contains(key));
  CHECK(j["items"] == 4);
  CHECK(j["item_source"] == "every labeling");
  CHECK(j["divergence"] == "exact");  // (c - 1) n = 2: exact by default
  CHECK(j["evaluations"] == 120);     // RK4, 30 steps of 0.5 to t_end 15
  REQUIRE(j["log_likelihoods"].size() == 4);
  double mass = 0, variance = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    REQUIRE(j["log_likelihoods"][k].is_number());
    REQUIRE(j["standard_errors"][k].is_number());
    const double se = j["standard_errors"][k].get<double>();
    const double p = std::exp(j["log_likelihoods"][k].get<double>());
    CHECK(se > 0);
    CHECK(se < 0.3);
    mass += p;
    variance += p * p * se * se;
  }
  CHECK(j["model_mass"].get<double>() == Approx(mass).epsilon(1e-9));
  // The model's probabilities sum to 1, within the stated standard errors.
  INFO("model mass " << mass << " +- " << std::sqrt(variance));
  CHECK(std::abs(mass - 1) < 4 * std::sqrt(variance) + 0.02);
  // The run learned the coupling: the diagonal labelings (0,0), (1,1) are the likely ones.
  CHECK(j["log_likelihoods"][0].get<double>() > j["log_likelihoods"][1].get<double>() + 1);
  CHECK(j["log_likelihoods"][3].get<double>() > j["log_likelihoods"][2].get<double>() + 1);
  const double mean = j["mean_log_likelihood"].get<double>();
  CHECK(j["bits_per_dimension"].get<double>() == Approx(-mean / (2 * std::log(2.0))));
  CHECK(j["t_end"] == 15.0);
  // docs/METHOD.md's proposal by default: centred on P0(log w1(a)), |m_a| per node = gap / sqrt(2)
  // for c = 2 (gap = log(0.995 / 0.005)).
  CHECK(j["proposal"] == "reference");
  CHECK(j["proposal_centre_norm"].get<double>() ==
        Approx(std::log(0.995 / 0.005) / std::sqrt(2.0)).epsilon(1e-9));
  CHECK(j["mean_effective_samples"].get<double>() > 1);

  // The path-end proposal: centred on m t_end vhat (norm 0.5 * 15 per node), spread at least 1.
  const Result end = efm("likelihood " + runArg() +
                         " --data toy:coupled-binary --proposal-samples 1000 --step 0.5 --seed 1 "
                         "--proposal path-end --json --threads 2");
  INFO(end.err);
  REQUIRE(end.code == 0);
  const json e = json::parse(end.out);
  CHECK(e["proposal"] == "path-end");
  CHECK(e["proposal_centre_norm"].get<double>() == Approx(7.5).epsilon(1e-9));
  CHECK(e["proposal_scale"].get<double>() >= 1.0);
  double endMass = 0;
  for (const auto& l : e["log_likelihoods"]) endMass += std::exp(l.get<double>());
  CHECK(std::abs(endMass - 1) < 0.15);  // the same distribution, estimated another way
}

TEST_CASE("likelihood of CSV items: the CSV file and the summary on stdout", "[cli]") {
  const fs::path items = writeFile("items.csv", "0,0\n1,1\n0,1\n");
  const fs::path out = scratch() / "likelihood.csv";
  const Result r = efm("likelihood " + runArg() + " --data 'csv:" + items.string() +
                       "' --proposal-samples 200 --divergence hutchinson --readout factorized "
                       "--solver heun --step 0.5 --out '" +
                       out.string() + "' --threads 2");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("mean_log_likelihood") && Contains("bits_per_dimension") &&
                        Contains("items 3 (items)"));
  CHECK_THAT(r.err, Contains("hutchinson") && Contains(out.string()));
  std::istringstream lines(slurp(out));
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) rows.push_back(line);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] ==
        "item,log_likelihood,standard_error,probability,bits_per_dimension,effective_samples,"
        "nonzero_weights,labeling");
  CHECK_THAT(rows[1], Catch::StartsWith("0,") && Catch::EndsWith(",0 0"));
  CHECK_THAT(rows[3], Catch::StartsWith("2,") && Catch::EndsWith(",0 1"));
  // Without --out and --json the per-item table goes to stdout.
  const Result table = efm("likelihood " + runArg() + " --data 'csv:" + items.string() +
                           "' --proposal-samples 50 --limit 2 --step 1 --threads 2");
  INFO(table.err);
  REQUIRE(table.code == 0);
  CHECK_THAT(table.out, Contains("log_likelihood  standard_error") && Contains("items 2"));
}

TEST_CASE("likelihood: bad input exits 2 with a message naming the problem", "[cli]") {
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {"--data 'toy:dirichlet?n=3&c=2'", "n=3"},
      {"--data 'toy:dirichlet?n=2&c=3'", "c=3"},
      {"--data toy:coupled-binary --proposal-samples 0", "--proposal-samples"},
      {"--data toy:coupled-binary --mass 1", "--mass"},
      {"--data toy:coupled-binary --mass 0", "--mass"},
      {"--data toy:coupled-binary --divergence trace", "--divergence"},
      {"--data toy:coupled-binary --proposal centre", "--proposal"},
      {"--data toy:coupled-binary --divergence hutchinson --probe uniform", "--probe"},
      {"--data toy:coupled-binary --proposal-scale -1", "--proposal-scale"},
      {"--data toy:nothing", "nothing"},
  };
  for (const Case& c : cases) {
    const Result r = efm("likelihood " + runArg() + " " + c.args);
    INFO(c.args << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains(c.message));
  }
  const Result missing = efm("likelihood --run '" + (scratch() / "no-such-run").string() +
                             "' --data toy:coupled-binary");
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Contains("no-such-run"));
  // A peer's run has no likelihood (docs/METHOD.md section 6 is for the e-geodesic paths).
  const fs::path peer = scratch() / "linear-run";
  const Result train =
      efm("train --out '" + peer.string() + "' --path linear --steps 10 --batch 16 --threads 2");
  INFO(train.err);
  REQUIRE(train.code == 0);
  const Result refused =
      efm("likelihood --run '" + peer.string() + "' --data toy:coupled-binary --threads 2");
  CHECK(refused.code == 2);
  CHECK_THAT(refused.err, Contains("'linear'") && Contains("e-geodesic"));
}

TEST_CASE("likelihood on image data: items in order, label-map shape checked", "[cli]") {
  const fs::path square = writeIdx("square.idx", 6, 4, 4);
  const fs::path wide = writeIdx("wide.idx", 6, 2, 8);
  const fs::path run = scratch() / "image-run";
  const Result train =
      efm("train --data 'idx:" + square.string() + "' --out '" + run.string() +
          "' --steps 20 --batch 8 --threads 2 --config '" +
          writeFile("small.json", R"({"network": {"hidden": 32}})").string() + "'");
  INFO(train.err);
  REQUIRE(train.code == 0);
  const Result ok = efm("likelihood --run '" + run.string() + "' --data 'idx:" + square.string() +
                        "' --limit 2 --proposal-samples 20 --step 1 --json --threads 2");
  INFO(ok.err);
  REQUIRE(ok.code == 0);
  const json j = json::parse(ok.out);
  CHECK(j["items"] == 2);
  CHECK(j["item_source"] == "items");
  CHECK(j["variables"] == 16);
  CHECK(j["divergence"] == "exact");  // (c - 1) n = 16
  const Result mismatch = efm("likelihood --run '" + run.string() +
                              "' --data 'idx:" + wide.string() + "' --proposal-samples 20");
  INFO(mismatch.err);
  CHECK(mismatch.code == 2);
  CHECK_THAT(mismatch.err, Contains("2x8") && Contains("4x4"));
}

TEST_CASE("Ctrl-C during likelihood exits 130 and writes nothing", "[cli]") {
  const fs::path err = scratch() / "interrupt-err.txt";
  const fs::path out = scratch() / "interrupted.csv";
  const std::string run = trainedRun().string();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDERR_FILENO);
    ::execl(EFM_BINARY, EFM_BINARY, "likelihood", "--run", run.c_str(), "--data",
            "toy:coupled-binary", "--proposal-samples", "100000000", "--out", out.c_str(),
            "--threads", "2", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until the estimate runs (the first progress line), then press Ctrl-C.
  for (int k = 0; k < 600 && slurp(err).find("likelihood ") == std::string::npos; ++k)
    ::usleep(50000);
  ::usleep(200000);
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO(slurp(err));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK_THAT(slurp(err), Contains("interrupted"));
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("likelihood --estimator bound: a posterior trained once, kept, and reused",
          "[cli][heavy]") {
  // A copy of the shared run: the posterior is written into the run's folder.
  const fs::path run = scratch() / "bound-run";
  fs::remove_all(run);
  fs::copy(trainedRun(), run, fs::copy_options::recursive);
  const fs::path out = scratch() / "bound.csv";
  const std::string common = "likelihood --run '" + run.string() +
                             "' --data toy:coupled-binary --estimator bound --proposal-samples 64 "
                             "--posterior-batch 32 --step 1 --seed 3 "
                             "--threads 2 --json";
  const Result first = efm(common + " --posterior-steps 40 --out '" + out.string() + "'");
  INFO(first.err);
  REQUIRE(first.code == 0);
  CHECK_THAT(first.err, Contains("posterior trained") && Contains("lower bound"));
  const json a = json::parse(first.out);
  CHECK(a["estimator"] == "bound");
  CHECK(a["readout"] == "factorized");
  CHECK(a["posterior_loaded"] == false);
  CHECK(a["posterior_steps"] == 40);
  CHECK(a["prior_share"] == 0.25);
  CHECK(a["refine_steps"] == 100);
  REQUIRE(a["elbos"].size() == 4);
  for (std::size_t k = 0; k < 4; ++k)  // the ELBO never exceeds the K-sample bound
    CHECK(a["elbos"][k].get<double>() <= a["log_likelihoods"][k].get<double>() + 1e-9);
  CHECK(a["mean_elbo"].get<double>() <= a["mean_log_likelihood"].get<double>());
  CHECK(fs::exists(run / "posterior.pt"));
  std::istringstream lines(slurp(out));
  std::string header;
  std::getline(lines, header);
  CHECK(header ==
        "item,log_likelihood,standard_error,probability,bits_per_dimension,effective_samples,"
        "nonzero_weights,elbo,target_probability,labeling");

  // The same settings again: the saved posterior, the same numbers.
  const Result again = efm(common + " --posterior-steps 40");
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK_THAT(again.err, Contains("posterior from"));
  const json b = json::parse(again.out);
  CHECK(b["posterior_loaded"] == true);
  CHECK(b["log_likelihoods"] == a["log_likelihoods"]);
  // Drawing from the posterior alone scores with the same posterior (it is not retrained).
  const Result qOnly = efm(common + " --posterior-steps 40 --prior-share 0");
  REQUIRE(qOnly.code == 0);
  const json q = json::parse(qOnly.out);
  CHECK(q["posterior_loaded"] == true);
  CHECK(q["prior_share"] == 0.0);
  CHECK(q["log_likelihoods"] != a["log_likelihoods"]);
  // Without the per-labeling refinement: the same posterior, a looser bound on average.
  const Result unrefined = efm(common + " --posterior-steps 40 --refine-steps 0");
  REQUIRE(unrefined.code == 0);
  const json u = json::parse(unrefined.out);
  CHECK(u["posterior_loaded"] == true);
  CHECK(u["refine_steps"] == 0);
  CHECK(u["mean_elbo"].get<double>() < a["mean_elbo"].get<double>());
  // Other settings, or --retrain-posterior: trained again.
  const Result other = efm(common + " --posterior-steps 41");
  REQUIRE(other.code == 0);
  CHECK(json::parse(other.out)["posterior_loaded"] == false);
  const Result forced = efm(common + " --posterior-steps 41 --retrain-posterior");
  REQUIRE(forced.code == 0);
  CHECK(json::parse(forced.out)["posterior_loaded"] == false);

  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {" --readout argmax", "factorized"},     {" --posterior-data 'toy:dirichlet?n=3&c=2'", "n=3"},
      {" --posterior-lr 0", "--posterior-lr"}, {" --posterior-batch 0", "--posterior-batch"},
      {" --prior-share 2", "--prior-share"},   {" --refine-lr 0", "--refine-lr"},
  };
  for (const Case& c : cases) {
    const Result r = efm(common + " --posterior-steps 40" + c.args);
    INFO(c.args << "\n" << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains(c.message));
  }
  const Result unknown =
      efm("likelihood " + runArg() + " --data toy:coupled-binary --estimator guess");
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Contains("--estimator"));
}

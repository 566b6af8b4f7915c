// The likelihood benchmark on binarized Fashion-MNIST (issue 20; docs/EVALUATION.md, "The
// likelihood benchmark"). For each e-geodesic path (ray, bridge): a model trained on the
// training images, the likelihood bound's posterior trained for it, and the importance-weighted
// lower bound on log p of the first N test images (efm/sampling/likelihood_bound.h): bits per
// dimension (an upper bound in expectation) with its standard error, the ELBO, the effective
// sample size and the time of every stage; beside independent pixels on the same images and
// published figures of other models, quoted from their papers.
//
//   efm_bench_likelihood [--out DIR] [--paths ray,bridge] [--network KIND] [--hidden H]
//                        [--steps N] [--batch B] [--lr LR] [--items N] [--samples K]
//                        [--prior-share S] [--refine-steps R] [--refine-lr LR]
//                        [--posterior-steps N] [--posterior-batch B] [--posterior-lr LR]
//                        [--solver NAME] [--step H] [--threads T] [--seed S] [--quick]
//
// Each path's run lives in OUT/PATH, a run directory like `efm train`'s (config.json,
// checkpoint.pt, metrics.csv) plus posterior.pt and items.csv. Running again reuses the
// model and the posterior; a larger --steps continues training from the checkpoint; Ctrl-C
// saves a checkpoint and stops. A run trained with `efm train` can be scored by copying it to
// OUT/PATH. OUT/likelihood.csv and OUT/likelihood.md hold the table.
//
// Needs the Debian package dataset-fashion-mnist.
#include "bench_report.h"
#include "published_likelihoods.h"
#include "report_table.h"

#include "efm/base/errors.h"
#include "efm/base/runtime_tuning.h"
#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/io/posterior_io.h"
#include "efm/sampling/likelihood_bound.h"
#include "efm/solvers/ode_solver.h"
#include "efm/train/training_run.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <sstream>

using namespace efm;
using namespace efm::bench;
namespace fs = std::filesystem;

namespace {

std::atomic<bool> gStop{false};
extern "C" void onInterrupt(int /*signal*/) { gStop.store(true); }

struct Options {
  std::string out = "bench-results/likelihood";
  std::string paths = "ray,bridge";
  std::string data = "idx:fashion-mnist?levels=2&pad=32";
  std::string testData = "idx:fashion-mnist-test?levels=2&pad=32";
  // The defaults are the measured configuration of docs/EVALUATION.md's table (bridge: about
  // 45 minutes on 2 cores from scratch).
  std::string network = "mlp";
  int64_t hidden = 512;
  int64_t steps = 8000;
  int64_t batch = 128;
  double learningRate = 1e-3;
  int64_t items = 1000;
  int64_t samples = 16;  // K of the bound
  double priorShare = BoundOptions{}.priorFraction;
  int64_t posteriorSteps = 3000;
  int64_t posteriorBatch = 16;
  double posteriorLearningRate = 3e-3;
  int64_t refineSteps = 200;  // per image; 100 / 200 / 500 measured, docs/EVALUATION.md
  double refineLearningRate = BoundOptions{}.refineLearningRate;
  std::string solver;  // "" = the path's own sampler
  double step = 0;     // with --solver
  int threads = 2;
  uint64_t seed = 0;
  bool quick = false;
};

// One path's row of the table.
struct PathResult {
  std::string path, network, solver;
  int64_t parameters = 0, steps = 0, batch = 0, evaluations = 0;
  double trainSeconds = 0, posteriorSeconds = 0, scoreSeconds = 0;
  bool posteriorReused = false;
  double bits = 0, bitsSe = 0;  // the bound, as bits/dim (an upper bound in expectation)
  double elboBits = 0;          // the ELBO (K = 1) as bits/dim
  double effectiveSamples = 0;  // mean over images, of K
  double independentBits = 0;
};

std::vector<std::string> splitList(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// Wall seconds of training recorded in metrics.csv: `elapsed` counts from each start or
// resume, so the total is the sum of each segment's last value.
double recordedTrainingSeconds(const fs::path& metrics) {
  std::ifstream in(metrics);
  std::string line;
  std::getline(in, line);  // header
  double total = 0, last = 0;
  while (std::getline(in, line)) {
    const std::size_t comma = line.rfind(',');
    if (comma == std::string::npos) continue;
    const double elapsed = std::strtod(line.c_str() + comma + 1, nullptr);
    if (elapsed < last) total += last;
    last = elapsed;
  }
  return total + last;
}

RunConfig requestedConfig(const Options& o, const std::string& path) {
  RunConfig config;
  config.data = o.data;
  config.path.kind = path;
  config.network.kind = o.network;
  config.network.hidden = o.hidden;
  config.train.steps = o.steps;
  config.train.batch = o.batch;
  config.train.learningRate = o.learningRate;
  config.train.seed = o.seed;
  config.train.logEvery = 50;
  return config;
}

// Trains the model of OUT/PATH to at least o.steps, continuing a checkpoint found there.
std::unique_ptr<Trainer> trainedModel(const Options& o, const std::string& path,
                                      const RunDirectory& run, const DatasetPtr& train) {
  RunConfig config = requestedConfig(o, path);
  const bool resuming = fs::exists(run.checkpoint());
  if (resuming) {
    const RunConfig recorded = run.readConfig();
    if (recorded.path.kind != path || recorded.data != o.data)
      throw InputError("'" + run.root.string() + "' holds a run of path " + recorded.path.kind +
                       " on " + recorded.data + ", not " + path + " on " + o.data +
                       "; choose another --out");
    config = recorded;
    config.train.steps = std::max(recorded.train.steps, o.steps);
  }
  resolveAndValidate(config);
  run.prepare();
  auto trainer = std::make_unique<Trainer>(config, train);
  if (resuming) trainer->loadCheckpoint(run.checkpoint().string());
  trainer->setTotalSteps(std::max(trainer->completedSteps(), config.train.steps));
  run.writeConfig(trainer->config());
  const int64_t first = trainer->completedSteps(), total = trainer->config().train.steps;
  if (first >= total) return trainer;

  std::cerr << path << ": training " << trainer->config().network.kind << " from step " << first
            << " to " << total << " (batch " << trainer->config().train.batch << ")\n";
  TrainingHooks hooks;
  hooks.cancel = &gStop;
  const int64_t every = std::max<int64_t>(1, (total - first) / 40);
  hooks.progress = [&](const TrainProgress& p) {
    if (p.step % every == 0 || p.step == total)
      std::cerr << "  step " << p.step << "/" << total << "  loss " << std::setprecision(4)
                << p.loss << "  " << std::setprecision(3) << p.stepsPerSecond << " steps/s  eta "
                << std::setprecision(3) << p.etaSeconds / 60 << " min\n";
  };
  if (runTraining(*trainer, run, hooks) == TrainOutcome::Cancelled) throw Cancelled();
  return trainer;
}

int64_t parameterCount(VectorFieldImpl& network) {
  int64_t count = 0;
  for (const Tensor& p : network.parameters()) count += p.numel();
  return count;
}

// Per-image log p under independent pixels with the training images' marginals,
// Laplace-smoothed by one image of each class: float64 [N].
Tensor independentLogLikelihood(const Dataset& train, const Tensor& test) {
  const double images = static_cast<double>(train.count().value_or(1));
  const int64_t n = train.variables(), c = train.classes();
  const Tensor logMarginals = torch::log((train.marginals() * images + 1) / (images + c));
  return logMarginals.unsqueeze(0)
      .expand({test.size(0), n, c})
      .gather(2, test.unsqueeze(2))
      .sum({1, 2});
}

PathResult scorePath(const Options& o, const std::string& path, const DatasetPtr& train,
                     const Tensor& test) {
  const RunDirectory run{fs::path(o.out) / path};
  PathResult row;
  row.path = path;
  const std::unique_ptr<Trainer> trainer = trainedModel(o, path, run, train);
  const RunConfig& config = trainer->config();
  row.network = config.network.kind + " (hidden " + std::to_string(config.network.hidden) + ")";
  row.parameters = parameterCount(trainer->network());
  row.steps = trainer->completedSteps();
  row.batch = config.train.batch;
  row.trainSeconds = recordedTrainingSeconds(run.metrics());

  BoundOptions bound;
  bound.classes = config.classes;
  bound.samples = o.samples;
  bound.priorFraction = o.priorShare;
  bound.refineSteps = o.refineSteps;
  bound.refineLearningRate = o.refineLearningRate;
  bound.seed = o.seed;
  bound.solver = trainer->path().defaultSolver();
  if (!o.solver.empty()) {
    bound.solver.kind = parseSolverKind(o.solver);
    if (o.step > 0) bound.solver.step = o.step;
  }
  row.solver = solverName(bound.solver.kind) + " step " + formatNumber(bound.solver.step);
  PosteriorTrainingOptions training;
  training.steps = o.posteriorSteps;
  training.batch = o.posteriorBatch;
  training.learningRate = o.posteriorLearningRate;
  training.seed = o.seed;

  torch::manual_seed(o.seed);  // the encoders' initial weights, as `efm likelihood` sets them
  NoisePosterior posterior(config.variables, config.classes, config.network, config.image,
                           config.path.smoothing);
  const std::string file = (run.root / "posterior.pt").string();
  const std::string key = posteriorKey(config, row.steps, bound, training, config.data);
  const auto cancelled = [] { return gStop.load(); };
  Clock::time_point start = Clock::now();
  row.posteriorReused = readPosteriorFor(file, *posterior, key);
  if (!row.posteriorReused) {
    std::cerr << path << ": training the posterior (" << training.steps << " steps of "
              << training.batch << ")\n";
    const int64_t every = std::max<int64_t>(1, training.steps / 20);
    trainNoisePosterior(
        trainer->network(), trainer->path(), *posterior,
        [&](int64_t batch, at::Generator& g) { return train->sample(batch, g); }, bound, training,
        [&](int64_t step, int64_t steps, double elbo) {
          if (step % every == 0 || step == steps)
            std::cerr << "  step " << step << "/" << steps << "  ELBO " << std::setprecision(4)
                      << elbo << " nats per pixel  " << std::setprecision(3) << seconds(start) / 60
                      << " min\n";
        },
        cancelled);
    writePosterior(file, *posterior, key);
    row.posteriorSeconds = seconds(start);
  }

  std::cerr << path << ": bounding log p of " << test.size(0) << " test images (K = " << o.samples
            << ")\n";
  start = Clock::now();
  int64_t reported = 0;
  const BoundResult r = boundLikelihood(
      trainer->network(), trainer->path(), *posterior, test, bound,
      [&](int64_t done, int64_t total) {
        if (done * 10 / total > reported) {
          reported = done * 10 / total;
          std::cerr << "  " << done << "/" << total << " samples  " << std::setprecision(3)
                    << seconds(start) << " s\n";
        }
      },
      cancelled);
  row.scoreSeconds = seconds(start);
  row.evaluations = r.bound.evaluations;
  row.bits = r.bound.bitsPerDimension;
  row.bitsSe = r.bound.bitsPerDimensionStandardError;
  const double nats = static_cast<double>(config.variables) * std::log(2.0);
  row.elboBits = -r.meanElbo / nats;
  row.effectiveSamples = r.bound.meanEffectiveSamples;
  const Tensor independent = independentLogLikelihood(*train, test);
  row.independentBits = -independent.mean().item<double>() / nats;

  std::ofstream items(run.root / "items.csv");
  items << "item,log_likelihood_bound,standard_error,bits_per_dimension,elbo,effective_samples,"
           "independent_log_likelihood\n"
        << std::setprecision(10);
  for (std::size_t k = 0; k < r.bound.items.size(); ++k) {
    const LabelingLikelihood& e = r.bound.items[k];
    items << k << ',' << e.logLikelihood << ',' << e.standardError << ',' << e.bitsPerDimension
          << ',' << r.elbo[k] << ',' << e.effectiveSamples << ','
          << independent[static_cast<int64_t>(k)].item<double>() << '\n';
  }
  return row;
}

std::string fixed(double value, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << value;
  return s.str();
}

void writeReports(const Options& o, const std::vector<PathResult>& rows, int64_t images) {
  Table table;
  table.columns = {"model",      "bits/dim", "se",        "ELBO bits/dim", "ESS of K", "network",
                   "parameters", "training", "posterior", "scoring",       "solver"};
  for (const PathResult& r : rows)
    table.add({"e-geodesic FM, " + r.path + " (bound, K = " + std::to_string(o.samples) + ")",
               fixed(r.bits, 4), formatNumber(r.bitsSe, 2), fixed(r.elboBits, 4),
               fixed(r.effectiveSamples, 2), r.network, std::to_string(r.parameters),
               std::to_string(r.steps) + " steps of " + std::to_string(r.batch) + ", " +
                   fixed(r.trainSeconds / 60, 1) + " min",
               r.posteriorReused ? "reused"
                                 : std::to_string(o.posteriorSteps) + " steps, " +
                                       fixed(r.posteriorSeconds / 60, 1) + " min",
               fixed(r.scoreSeconds, 0) + " s" +
                   (o.refineSteps > 0
                        ? " (q refined " + std::to_string(o.refineSteps) + " steps per image, lr " +
                              formatNumber(o.refineLearningRate) + ")"
                        : std::string()),
               r.solver + " (" + std::to_string(r.evaluations) + " evaluations)"});
  if (!rows.empty())
    table.add({"independent pixels (training marginals)", fixed(rows.front().independentBits, 4),
               "exact", "", "", "", "1024", "", "", "", ""});
  writeTextFile((fs::path(o.out) / "likelihood.csv").string(), toCsv(table));
  const std::vector<bool> numbers = {false, true, true, true, true};
  std::ostringstream md;
  md << "Binarized Fashion-MNIST (levels=2, pad=32: n = 1024), the first " << images
     << " test images. bits/dim = -log p / (n ln 2); the bound's is an upper bound in "
        "expectation, se its standard error.\n\n"
     << toMarkdown(table, numbers)
     << "\nPublished figures of other models, on other datasets (binarized MNIST: 28 x 28, "
        "n = 784), quoted from their papers for scale:\n\n"
     << toMarkdown(publishedLikelihoods(), {false, false, true, true});
  writeTextFile((fs::path(o.out) / "likelihood.md").string(), md.str());
  std::cout << "\n" << md.str();
}

}  // namespace

int main(int argc, char** argv) {
  tuneRuntime(argv);
  Options o;
  CLI::App app{"Likelihood benchmark: bits/dim of binarized Fashion-MNIST test images"};
  app.add_option("--out", o.out, "output folder (one run directory per path inside)");
  app.add_option("--paths", o.paths, "comma-separated e-geodesic paths");
  app.add_option("--data", o.data, "training data SPEC");
  app.add_option("--test-data", o.testData, "test data SPEC (its first --items are scored)");
  app.add_option("--network", o.network, "vector-field network kind");
  app.add_option("--hidden", o.hidden, "network width (0 = the kind's default)");
  app.add_option("--steps", o.steps, "training steps (at least; a run with more keeps them)");
  app.add_option("--batch", o.batch, "training batch");
  app.add_option("--lr", o.learningRate, "learning rate");
  app.add_option("--items", o.items, "test images scored")->check(CLI::PositiveNumber);
  app.add_option("--samples", o.samples, "K: posterior samples per image")
      ->check(CLI::PositiveNumber);
  app.add_option("--prior-share", o.priorShare, "share of K drawn from the prior")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--posterior-steps", o.posteriorSteps, "posterior training steps");
  app.add_option("--posterior-batch", o.posteriorBatch, "images per posterior step");
  app.add_option("--posterior-lr", o.posteriorLearningRate, "posterior learning rate");
  app.add_option("--refine-steps", o.refineSteps, "per-image refinement steps of q")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--refine-lr", o.refineLearningRate, "per-image refinement learning rate")
      ->check(CLI::PositiveNumber);
  app.add_option("--solver", o.solver, "ODE solver (default: each path's own sampler)");
  app.add_option("--step", o.step, "solver step (with --solver)");
  app.add_option("--threads", o.threads, "CPU threads");
  app.add_option("--seed", o.seed, "seed of training, posterior and bound");
  app.add_flag("--quick", o.quick,
               "a smoke run: MLP 2x128, 200 steps, 50 images, K = 4, 30 posterior steps, 10 "
               "refinement steps");
  CLI11_PARSE(app, argc, argv);
  if (o.quick) {  // the smoke run's budget, where the options do not say otherwise
    auto unless = [&](const char* option, auto& value, auto quick) {
      if (app.count(option) == 0) value = quick;
    };
    unless("--network", o.network, std::string("mlp"));
    unless("--hidden", o.hidden, int64_t{128});
    unless("--steps", o.steps, int64_t{200});
    unless("--items", o.items, int64_t{50});
    unless("--samples", o.samples, int64_t{4});
    unless("--posterior-steps", o.posteriorSteps, int64_t{30});
    unless("--refine-steps", o.refineSteps, int64_t{10});
    unless("--out", o.out, std::string("bench-results/likelihood-quick"));
  }
  torch::set_num_threads(o.threads);
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);

  try {
    fs::create_directories(o.out);
    const DatasetPtr train = openDataset(o.data);
    const DatasetPtr testData = openDataset(o.testData);
    const int64_t available = testData->count().value_or(0);
    if (available < o.items)
      throw InputError("--test-data " + o.testData + " has " + std::to_string(available) +
                       " images, fewer than --items " + std::to_string(o.items));
    const Tensor test = *testData->items(0, o.items);
    std::vector<PathResult> rows;
    for (const std::string& path : splitList(o.paths)) {
      if (path != "ray" && path != "bridge")
        throw InputError("--paths: the bound needs an e-geodesic path (ray, bridge), not " + path);
      rows.push_back(scorePath(o, path, train, test));
      const PathResult& r = rows.back();
      std::cout << path << ": " << std::fixed << std::setprecision(4) << r.bits << " +- "
                << std::scientific << std::setprecision(1) << r.bitsSe << std::fixed
                << std::setprecision(4) << " bits/dim (ELBO " << r.elboBits << ", ESS "
                << std::setprecision(2) << r.effectiveSamples << " of " << o.samples
                << "), independent pixels " << std::setprecision(4) << r.independentBits << "\n";
    }
    writeReports(o, rows, o.items);
  } catch (const Cancelled&) {
    std::cerr << "efm_bench_likelihood: stopped; the checkpoint is saved, run again to go on\n";
    return 130;
  } catch (const std::exception& e) {
    std::cerr << "efm_bench_likelihood: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

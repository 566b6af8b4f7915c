#pragma once
// What the comparison benchmarks (class scaling, joint structure, stability) share: the
// command-line options that every one of them takes, training one model with one path, and
// sampling it with that path's own solver. Every path gets the same network, data,
// optimizer, batch and step budget, so only the geometry differs.
#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/paths/path_registry.h"
#include "efm/sampling/sampler.h"
#include "efm/train/trainer.h"

#include <CLI/App.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace efm::bench {

struct CommonOptions {
  std::string out;    // output folder; default bench-results/NAME
  std::string paths;  // comma-separated; empty = every path of the registry
  int seeds = 3;      // training seeds 0 .. seeds-1
  int64_t steps = 2000;
  int64_t batch = 256;
  double learningRate = 3e-4;
  std::string model = "mlp";
  int64_t hidden = 0;  // 0 = the network's default
  int threads = 2;
  std::string device = "cpu";
  int64_t nfe = 0;                 // network evaluations per sample; 0 = each path's own sampler
  std::string readout = "argmax";  // or "factorized": a draw per node from the end point
  bool quick = false;
};

// Adds --out, --paths, --seeds, --steps, --batch, --lr, --model, --hidden, --threads,
// --device, --nfe, --readout and --quick.
void addCommonOptions(CLI::App& app, CommonOptions& options);

// "a,b,c" -> {"a", "b", "c"} (empty items dropped).
std::vector<std::string> splitList(const std::string& list);
std::vector<double> parseNumbers(const std::string& list);  // throws std::invalid_argument

// Sets the thread count, creates the output folder, checks every path name with
// makeProbabilityPath (InputError names an unknown one) unless `checkPaths` is false (when
// only the reports are written again); returns the path names.
std::vector<std::string> prepare(CommonOptions& options, const std::string& benchmarkName,
                                 bool checkPaths = true);

// The run configuration of one (data, path, seed) cell of a comparison.
RunConfig makeConfig(const CommonOptions& options, const std::string& data, const std::string& path,
                     uint64_t seed);

struct TrainOutcome {
  std::unique_ptr<Trainer> trainer;
  std::vector<double> losses;  // one per completed step
  bool nonFinite = false;      // the loss became NaN or infinite (training stopped there)
  double seconds = 0;
};
// Trains config.train.steps steps; a non-finite loss ends training early with nonFinite set.
TrainOutcome train(const RunConfig& config, const DatasetPtr& data, torch::Device device);

struct Sampled {
  Tensor labels;  // int64 [count, n]
  int64_t evaluations = 0;
  double seconds = 0;
  std::string solver;  // e.g. "rk4 h=0.2"
};
// `count` labelings from the trained model with the path's own solver, or with a step that
// gives about `nfe` network evaluations when nfe > 0.
Sampled sample(Trainer& trainer, int64_t count, uint64_t seed, int64_t nfe, torch::Device device,
               Readout readout = Readout::Argmax);
// ", each path's own sampler" or ", N evaluations per sample", and the readout unless argmax:
// for the captions of the tables.
std::string samplerCaption(const CommonOptions& options);

// "bench-results/NAME/NAME.csv" etc.
std::string outputFile(const CommonOptions& options, const std::string& name,
                       const std::string& extension);

// A line in the log (stderr), flushed.
void log(const std::string& line);

}  // namespace efm::bench

#include "bench_common.h"

#include "efm/base/random.h"
#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"
#include "efm/paths/probability_path.h"
#include "efm/sampling/sampling_request.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace efm::bench {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void addCommonOptions(CLI::App& app, CommonOptions& o) {
  app.add_option("--out", o.out, "output folder (default bench-results/NAME)");
  app.add_option("--paths", o.paths,
                 "probability paths to compare, comma-separated (default: all)");
  app.add_option("--seeds", o.seeds, "training seeds 0..N-1")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--steps", o.steps, "training steps per model")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--batch", o.batch, "batch size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--lr", o.learningRate, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  std::vector<std::string> sequenceNetworks;  // the toys are no images
  for (const NetworkKind& kind : networkKinds())
    if (!kind.imageOnly) sequenceNetworks.push_back(kind.name);
  app.add_option("--model", o.model, "network (not an image-only one: the toys are no images)")
      ->capture_default_str()
      ->check(CLI::IsMember(sequenceNetworks));
  app.add_option("--hidden", o.hidden, "network width (0 = the network's default)")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "LibTorch threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--device", o.device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  app.add_option("--nfe", o.nfe,
                 "network evaluations per sample for every path (0 = each path's own sampler)")
      ->capture_default_str();
  app.add_option("--readout", o.readout,
                 "argmax per node (rounding) or factorized (a draw per node from the end point; "
                 "the denoiser's probabilities for dirichlet)")
      ->check(CLI::IsMember({"argmax", "factorized"}))
      ->capture_default_str();
  app.add_flag("--quick", o.quick, "a tiny run (smoke test)");
}

std::vector<std::string> splitList(const std::string& list) {
  std::vector<std::string> items;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

std::vector<double> parseNumbers(const std::string& list) {
  std::vector<double> values;
  for (const auto& item : splitList(list)) {
    std::size_t used = 0;
    const double v = std::stod(item, &used);
    if (used != item.size()) throw std::invalid_argument("not a number: " + item);
    values.push_back(v);
  }
  return values;
}

std::vector<std::string> prepare(CommonOptions& o, const std::string& benchmarkName,
                                 bool checkPaths) {
  torch::set_num_threads(o.threads);
  if (o.out.empty()) o.out = "bench-results/" + benchmarkName;
  std::filesystem::create_directories(o.out);
  if (!checkPaths) return {};  // only writing the reports again
  if (o.paths.empty())
    for (const std::string& name : pathNames()) o.paths += (o.paths.empty() ? "" : ",") + name;
  std::vector<std::string> paths = splitList(o.paths);
  if (paths.empty()) throw std::invalid_argument("--paths is empty");
  for (const auto& name : paths) pathKind(name);  // throws InputError naming an unknown path
  return paths;
}

RunConfig makeConfig(const CommonOptions& o, const std::string& data, const std::string& path,
                     uint64_t seed) {
  RunConfig config;
  config.data = data;
  config.path.kind = path;
  config.network.kind = o.model;
  config.network.hidden = o.hidden;
  config.train.steps = o.steps;
  config.train.batch = o.batch;
  config.train.learningRate = o.learningRate;
  config.train.seed = seed;
  resolveAndValidate(config);
  return config;
}

TrainOutcome train(const RunConfig& config, const DatasetPtr& data, torch::Device device) {
  TrainOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  outcome.trainer = std::make_unique<Trainer>(config, data, device);
  outcome.losses.reserve(static_cast<std::size_t>(config.train.steps));
  for (int64_t k = 0; k < config.train.steps; ++k) {
    try {
      outcome.losses.push_back(outcome.trainer->step());
    } catch (const std::runtime_error&) {  // Trainer::step: the loss is not finite
      outcome.nonFinite = true;
      break;
    }
  }
  outcome.seconds = secondsSince(start);
  return outcome;
}

Sampled sample(Trainer& trainer, int64_t count, uint64_t seed, int64_t nfe, torch::Device device,
               Readout readout) {
  const ProbabilityPath& path = trainer.path();
  SamplingRequest request;  // the path's own sampler, or `nfe` evaluations of it
  request.count = count;
  request.seed = seed;
  request.evaluations = nfe;
  request.readout = readoutName(readout);
  const SampleOptions options =
      sampleOptionsFor(path, trainer.data().variables(), trainer.data().classes(), request, device);
  const auto start = std::chrono::steady_clock::now();
  SampleResult result = sampleLabelings(trainer.network(), path, options);
  Sampled out;
  out.labels = result.labels;
  out.evaluations = result.evaluations;
  out.seconds = secondsSince(start);
  std::ostringstream solver;
  solver << solverName(options.solver.kind) << " h=" << options.solver.step;
  out.solver = solver.str();
  return out;
}

std::string outputFile(const CommonOptions& o, const std::string& name,
                       const std::string& extension) {
  return (std::filesystem::path(o.out) / (name + "." + extension)).string();
}

std::string samplerCaption(const CommonOptions& o) {
  return (o.nfe > 0 ? ", " + std::to_string(o.nfe) + " evaluations per sample"
                    : std::string(", each path's own sampler")) +
         (o.readout == "argmax" ? "" : ", " + o.readout + " readout");
}

void log(const std::string& line) { std::cerr << line << std::endl; }

}  // namespace efm::bench

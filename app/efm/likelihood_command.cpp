// efm likelihood: log-likelihoods of labelings under a trained run (docs/METHOD.md section 6),
// by importance sampling over the flow's end point with a continuous normalizing flow, or as
// a lower bound with a learned posterior over the flow's initial state.
#include "commands.h"
#include "data_progress_bar.h"
#include "interrupt.h"
#include "json_output.h"
#include "likelihood_posterior.h"
#include "terminal_progress.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/paths/path_registry.h"
#include "efm/sampling/likelihood.h"
#include "efm/sampling/likelihood_bound.h"
#include "efm/train/training_run.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

namespace efm::cli {

namespace {

// Distributions with at most this many labelings are scored on every labeling.
constexpr int64_t kEnumeratedLabelings = 4096;
// Labelings drawn from larger distributions unless --limit says otherwise.
constexpr int64_t kDefaultDrawnLabelings = 1000;
// Per-labeling refinement steps of the bound's posterior unless --refine-steps says otherwise.
constexpr int64_t kDefaultRefineSteps = 100;
// Labelings are written out in the CSV and the table up to this many nodes.
constexpr int64_t kMaxPrintedNodes = 32;

struct LikelihoodArgs {
  std::string run, data, divergence, readout, solver = "rk4", out;
  std::string estimator = "importance";
  PosteriorSettings posterior;
  std::string proposal = "reference", probe = "rademacher";
  int64_t proposalSamples = 1000;
  int64_t limit = 0;
  double mass = 0.5, scale = 0, step = 0.2, tEnd = 0, rtol = 1e-5, atol = 1e-6;
  double priorShare = BoundOptions{}.priorFraction;
  // The bound's per-labeling refinement: on by default here (cheap beside the posterior's
  // training, and it tightens the bound most on images); the library's default is off.
  int64_t refineSteps = kDefaultRefineSteps;
  double refineLearningRate = BoundOptions{}.refineLearningRate;
  uint64_t seed = 0;
  bool json = false;
  ComputeOptions compute;
};

// The labelings to score and, for tables, their probability under the data distribution.
struct Items {
  Tensor labels;                 // int64 [N, n]
  std::optional<Tensor> target;  // float64 [N]
  std::string source;            // "items", "every labeling", "drawn"
};

Items selectItems(const Dataset& data, int64_t limit, uint64_t seed) {
  if (const auto count = data.count()) {
    const int64_t number = limit > 0 ? std::min(limit, *count) : *count;
    if (auto items = data.items(0, number)) return {*items, std::nullopt, "items"};
  }
  if (const auto table = data.jointTable(); table && table->numel() <= kEnumeratedLabelings) {
    const int64_t number = limit > 0 ? std::min(limit, table->numel()) : table->numel();
    const Tensor index = torch::arange(number, torch::kLong);
    return {labelingsFromIndex(index, data.variables(), data.classes()),
            table->narrow(0, 0, number).to(torch::kFloat64), "every labeling"};
  }
  const int64_t number = limit > 0 ? limit : kDefaultDrawnLabelings;
  at::Generator generator = makeGenerator(torch::kCPU, seed ^ 0x5DEECE66DULL);
  return {data.sample(number, generator), std::nullopt, "drawn"};
}

void checkDataFitsRun(const Dataset& data, const RunConfig& config, const std::string& spec,
                      const std::string& run) {
  if (data.variables() != config.variables || data.classes() != config.classes)
    throw InputError("--data " + spec + " has n=" + std::to_string(data.variables()) +
                     ", c=" + std::to_string(data.classes()) + " but the run " + run +
                     " was trained with n=" + std::to_string(config.variables) +
                     ", c=" + std::to_string(config.classes) + " (for a CSV, csv:FILE?c=K sets c)");
  const ImageLayout image = data.imageLayout();
  if (image.isImage() && config.image.isImage() &&
      (image.height != config.image.height || image.width != config.image.width ||
       image.classSet != config.image.classSet))
    throw InputError("--data " + spec + " holds " + std::to_string(image.height) + "x" +
                     std::to_string(image.width) + " label maps (" + image.classSet +
                     ") but the run " + run + " was trained on " +
                     std::to_string(config.image.height) + "x" +
                     std::to_string(config.image.width) + " maps (" + config.image.classSet + ")");
}

std::string labelingText(const Tensor& labels) {
  std::ostringstream s;
  const Tensor a = labels.contiguous();
  const int64_t* p = a.data_ptr<int64_t>();
  for (int64_t i = 0; i < a.numel(); ++i) s << (i ? " " : "") << p[i];
  return s.str();
}

std::string number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream s;
  s << std::setprecision(8) << value;
  return s.str();
}

// `elbo`: per item, for the bound (its own column after nonzero_weights); empty otherwise.
void writeCsv(const std::string& file, const Items& items, const LikelihoodResult& result,
              const std::vector<double>& elbo) {
  const bool printLabels = items.labels.size(1) <= kMaxPrintedNodes;
  const std::filesystem::path path(file), temporary(file + ".tmp");
  {
    std::ofstream out(temporary);
    if (!out) throw InputError("cannot write --out " + file);
    out << "item,log_likelihood,standard_error,probability,bits_per_dimension,effective_samples,"
           "nonzero_weights";
    if (!elbo.empty()) out << ",elbo";
    if (items.target) out << ",target_probability";
    if (printLabels) out << ",labeling";
    out << '\n';
    for (std::size_t k = 0; k < result.items.size(); ++k) {
      const LabelingLikelihood& r = result.items[k];
      const auto i = static_cast<int64_t>(k);
      out << k << ',' << number(r.logLikelihood) << ',' << number(r.standardError) << ','
          << number(std::exp(r.logLikelihood)) << ',' << number(r.bitsPerDimension) << ','
          << number(r.effectiveSamples) << ',' << r.nonzeroWeights;
      if (!elbo.empty()) out << ',' << number(elbo[k]);
      if (items.target) out << ',' << number((*items.target)[i].item<double>());
      if (printLabels) out << ',' << labelingText(items.labels[i]);
      out << '\n';
    }
    if (!out.flush()) throw InputError("cannot write --out " + file);
  }
  std::filesystem::rename(temporary, path);
}

void printTable(const Items& items, const LikelihoodResult& result) {
  const bool printLabels = items.labels.size(1) <= kMaxPrintedNodes;
  std::cout << "item  log_likelihood  standard_error  bits_per_dimension";
  if (items.target) std::cout << "  target_probability";
  if (printLabels) std::cout << "  labeling";
  std::cout << '\n';
  for (std::size_t k = 0; k < result.items.size(); ++k) {
    const LabelingLikelihood& r = result.items[k];
    const auto i = static_cast<int64_t>(k);
    std::cout << k << "  " << number(r.logLikelihood) << "  " << number(r.standardError) << "  "
              << number(r.bitsPerDimension);
    if (items.target) std::cout << "  " << number((*items.target)[i].item<double>());
    if (printLabels) std::cout << "  " << labelingText(items.labels[i]);
    std::cout << '\n';
  }
}

int runLikelihood(const LikelihoodArgs& args) {
  if (!(args.mass > 0 && args.mass < 1))
    throw InputError("--mass must lie strictly between 0 and 1 (got " + number(args.mass) + ")");
  const bool bound = args.estimator == "bound";
  const std::string readout = !args.readout.empty() ? args.readout
                              : bound               ? "factorized"
                                                    : "argmax";
  if (bound && readout != "factorized")
    throw InputError(
        "--estimator bound bounds the factorized read-out's likelihood (the model's average of "
        "factorizing distributions, docs/METHOD.md 6); the argmax read-out has no such bound: "
        "drop --readout argmax, or use --estimator importance");
  const c10::Device device = applyComputeOptions(args.compute);
  const TrainedModel model = loadTrainedModel(RunDirectory{args.run}, device);
  const RunConfig& config = model.config;
  if (!isEGeodesicPath(config.path.kind))
    throw InputError("likelihood is defined only for the e-geodesic paths (ray, bridge); the run " +
                     args.run + " uses the path '" + config.path.kind + "'");
  const DatasetPtr data = openDatasetWithProgress(args.data);
  checkDataFitsRun(*data, config, args.data, args.run);
  const Items items = selectItems(*data, args.limit, args.seed);

  LikelihoodOptions options;
  options.classes = config.classes;
  options.proposalSamples = args.proposalSamples;
  options.divergence = args.divergence.empty() ? defaultDivergence(config.variables, config.classes)
                                               : parseDivergence(args.divergence);
  options.readout = parseReadout(readout);
  options.probe = parseProbe(args.probe);
  options.proposal = parseProposal(args.proposal);
  options.mass = args.mass;
  options.scale = args.scale;
  options.smoothing = config.path.smoothing;
  options.solver.kind = parseSolverKind(args.solver);
  options.solver.step = args.step;
  options.solver.relativeTolerance = args.rtol;
  options.solver.absoluteTolerance = args.atol;
  options.timeEnd = args.tEnd;
  options.seed = args.seed;
  options.device = device;
  BoundOptions boundOptions;
  boundOptions.classes = config.classes;
  boundOptions.samples = args.proposalSamples;
  boundOptions.priorFraction = args.priorShare;
  boundOptions.refineSteps = args.refineSteps;
  boundOptions.refineLearningRate = args.refineLearningRate;
  boundOptions.solver = options.solver;
  boundOptions.timeEnd = args.tEnd;
  boundOptions.seed = args.seed;
  boundOptions.device = device;

  InterruptGuard interrupt;
  const auto cancelled = [&] { return interrupt.interrupted(); };
  PreparedPosterior posterior;
  if (bound) {
    try {
      posterior = preparePosterior(model, RunDirectory{args.run}, boundOptions, args.posterior,
                                   args.seed, cancelled);
    } catch (const Cancelled&) {
      std::cerr << "\nefm likelihood: interrupted while training the posterior; nothing "
                   "written\n";
      return 130;
    }
    if (posterior.loaded)
      std::cerr << "efm likelihood: posterior from " << posterior.file << '\n';
    else
      std::cerr << "efm likelihood: posterior trained in " << number(posterior.seconds)
                << " s (ELBO " << number(posterior.finalElbo) << " nats per node at the end), "
                << "saved to " << posterior.file << '\n';
  }

  TerminalProgress bar("likelihood");
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto progress = [&](int64_t done, int64_t total) {
    const double seconds = elapsed();
    bar.update(done, total, done > 0 ? seconds / done * (total - done) : -1.0,
               bound ? "posterior samples" : "proposal samples");
  };
  LikelihoodResult result;
  BoundResult boundResult;
  try {
    if (bound) {
      boundResult = boundLikelihood(*model.network, *model.path, *posterior.posterior, items.labels,
                                    boundOptions, progress, cancelled);
      result = boundResult.bound;
    } else {
      result = estimateLikelihood(*model.network, *model.path, items.labels, options, progress,
                                  cancelled);
    }
  } catch (const Cancelled&) {
    bar.finish();
    std::cerr << "efm likelihood: interrupted; nothing written\n";
    return 130;
  }
  bar.finish();
  const double seconds = elapsed();
  if (!args.out.empty()) writeCsv(args.out, items, result, boundResult.elbo);

  const int64_t n = config.variables;
  double modelMass = 0, crossEntropy = 0;
  if (items.target) {
    for (std::size_t k = 0; k < result.items.size(); ++k) {
      const double target = (*items.target)[static_cast<int64_t>(k)].item<double>();
      modelMass += std::exp(result.items[k].logLikelihood);
      if (target > 0) crossEntropy -= target * result.items[k].logLikelihood;
    }
  }
  const double tEnd = args.tEnd > 0 ? args.tEnd : model.path->timeEnd();
  if (args.json) {
    nlohmann::json out;
    out["run"] = args.run;
    out["data"] = args.data;
    out["step"] = model.step;
    out["estimator"] = args.estimator;
    out["items"] = static_cast<int64_t>(result.items.size());
    out["item_source"] = items.source;
    out["variables"] = n;
    out["classes"] = config.classes;
    out["readout"] = readout;
    if (bound) {
      out["samples"] = boundOptions.samples;
      out["prior_share"] = boundOptions.priorFraction;
      out["refine_steps"] = boundOptions.refineSteps;
      out["refine_learning_rate"] = boundOptions.refineLearningRate;
      out["mean_elbo"] = finiteOrNull(boundResult.meanElbo);
      out["elbos"] = boundResult.elbo;
      out["posterior_file"] = posterior.file;
      out["posterior_loaded"] = posterior.loaded;
      out["posterior_steps"] = args.posterior.steps;
      out["posterior_batch"] = args.posterior.batch;
      out["posterior_learning_rate"] = args.posterior.learningRate;
      out["posterior_seconds"] = posterior.seconds;
      out["posterior_final_elbo_per_node"] = finiteOrNull(posterior.finalElbo);
    } else {
      out["proposal_samples"] = options.proposalSamples;
      out["divergence"] = divergenceName(result.divergence);
      if (result.divergence == DivergenceKind::Hutchinson) out["probe"] = probeName(options.probe);
      out["proposal"] = proposalName(options.proposal);
      out["proposal_centre_norm"] = result.proposalCentreNorm;
      out["mass"] = options.mass;
      out["node_mass"] = result.nodeMass;
      out["proposal_scale"] = result.proposalScale;
    }
    out["solver"] = solverName(options.solver.kind);
    out["solver_step"] = options.solver.step;
    out["t_end"] = tEnd;
    out["evaluations"] = result.evaluations;
    out["integrated_samples"] = result.integratedSamples;
    out["seconds"] = seconds;
    out["mean_log_likelihood"] = finiteOrNull(result.meanLogLikelihood);
    out["mean_log_likelihood_se"] = finiteOrNull(result.meanStandardError);
    out["bits_per_dimension"] = finiteOrNull(result.bitsPerDimension);
    out["bits_per_dimension_se"] = finiteOrNull(result.bitsPerDimensionStandardError);
    out["mean_effective_samples"] = result.meanEffectiveSamples;
    nlohmann::json logs = nlohmann::json::array(), errors = nlohmann::json::array();
    for (const LabelingLikelihood& r : result.items) {
      logs.push_back(finiteOrNull(r.logLikelihood));
      errors.push_back(finiteOrNull(r.standardError));
    }
    out["log_likelihoods"] = logs;
    out["standard_errors"] = errors;
    if (items.target) {
      out["target_probabilities"] = tensorToJson(*items.target);
      out["model_mass"] = modelMass;
      out["cross_entropy"] = finiteOrNull(crossEntropy);
    }
    if (!args.out.empty()) out["out"] = args.out;
    printJson(out);
  } else {
    if (args.out.empty()) printTable(items, result);
    std::cout << "items " << result.items.size() << " (" << items.source << ")\n"
              << (bound ? "mean_log_likelihood_bound " : "mean_log_likelihood ")
              << number(result.meanLogLikelihood) << " +- " << number(result.meanStandardError)
              << '\n'
              << (bound ? "bits_per_dimension_bound " : "bits_per_dimension ")
              << number(result.bitsPerDimension) << " +- "
              << number(result.bitsPerDimensionStandardError) << '\n'
              << "mean_effective_samples " << number(result.meanEffectiveSamples) << " of "
              << options.proposalSamples << '\n';
    if (bound) std::cout << "mean_elbo " << number(boundResult.meanElbo) << '\n';
    if (items.target)
      std::cout << "model_mass " << number(modelMass) << '\n'
                << "cross_entropy " << number(crossEntropy) << '\n';
  }
  std::cerr << "efm likelihood: " << result.items.size() << " labelings (n=" << n
            << ", c=" << config.classes << "), " << options.proposalSamples
            << (bound ? " posterior samples each (" : " proposal samples each (")
            << result.integratedSamples << " integrated, " << result.evaluations
            << " network evaluations each";
  if (bound)
    std::cerr << ", a lower bound on log p";
  else
    std::cerr << ", divergence " << divergenceName(result.divergence);
  std::cerr << ") in " << number(seconds) << " s" << (args.out.empty() ? "" : ", to " + args.out)
            << "\n";
  return 0;
}

}  // namespace

Runner addLikelihoodCommand(CLI::App& app) {
  auto args = std::make_shared<LikelihoodArgs>();
  app.add_option("--run", args->run, "run directory written by efm train (path ray or bridge)")
      ->check(NonEmptyText)
      ->required();
  app.add_option("--data", args->data,
                 "labelings to score: the items of a CSV or image data, every labeling of a "
                 "table of at most 4096, else 1000 drawn (see --limit)")
      ->required();
  app.add_option("--estimator", args->estimator,
                 "importance (an estimate by importance sampling over the flow's end point) or "
                 "bound (a lower bound on log p with a posterior learned per model, "
                 "factorized read-out; docs/METHOD.md 6)")
      ->check(CLI::IsMember({"importance", "bound"}))
      ->capture_default_str();
  app.add_option("--proposal-samples", args->proposalSamples,
                 "samples K per labeling (importance: proposals; bound: posterior draws)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30))
      ->capture_default_str();
  app.add_option("--divergence", args->divergence,
                 "exact or hutchinson (default: exact when (c-1) n <= 64)")
      ->check(CLI::IsMember({"exact", "hutchinson"}));
  app.add_option("--probe", args->probe,
                 "Hutchinson's probe: rademacher (smaller variance, less upward bias) or gaussian")
      ->check(CLI::IsMember({"rademacher", "gaussian"}))
      ->capture_default_str();
  app.add_option("--readout", args->readout,
                 "argmax (rounding) or factorized (default: argmax for importance, factorized "
                 "for bound, which bounds only that one)")
      ->check(CLI::IsMember({"argmax", "factorized"}));
  app.add_option("--posterior-steps", args->posterior.steps,
                 "bound: training steps of the posterior (kept in RUN_DIR/posterior.pt and "
                 "used again while the model and these settings stay the same)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30))
      ->capture_default_str();
  app.add_option("--posterior-batch", args->posterior.batch,
                 "bound: labelings per training step of the posterior")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
      ->capture_default_str();
  app.add_option("--posterior-lr", args->posterior.learningRate,
                 "bound: the posterior's learning rate (Adam)")
      ->check(PositiveFinite)
      ->capture_default_str();
  app.add_option("--prior-share", args->priorShare,
                 "bound: share of the K draws taken from the prior instead of the posterior (a "
                 "defensive mixture: finds probability the posterior misses on small labelings)")
      ->check(NonNegativeFinite & CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--refine-steps", args->refineSteps,
                 "bound: Adam steps that refine the posterior for each scored labeling before "
                 "the bound is taken (0 = the trained posterior as it is)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 20))
      ->capture_default_str();
  app.add_option("--refine-lr", args->refineLearningRate,
                 "bound: the per-labeling refinement's learning rate (Adam)")
      ->check(PositiveFinite)
      ->capture_default_str();
  app.add_option("--posterior-data", args->posterior.data,
                 "bound: the labelings the posterior trains on (default: the run's training "
                 "data)")
      ->check(NonEmptyText);
  app.add_flag("--retrain-posterior", args->posterior.retrain,
               "bound: train the posterior again even if RUN_DIR/posterior.pt fits");
  app.add_option("--proposal", args->proposal,
                 "where proposals are centred: reference (P0(log w1(a)), docs/METHOD.md 6) or "
                 "path-end (the path's own end point, spread at least its noise)")
      ->check(CLI::IsMember({"reference", "path-end"}))
      ->capture_default_str();
  app.add_option("--mass", args->mass,
                 "proposal mass M inside the labeling's cone, in (0, 1) (path-end: at least M)")
      ->capture_default_str();
  app.add_option("--proposal-scale", args->scale,
                 "the proposal's standard deviation s per coordinate, replacing the rule of "
                 "--proposal and --mass")
      ->check(PositiveFinite);
  app.add_option("--limit", args->limit, "score only the first N items (or draw N labelings)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34));
  app.add_option("--seed", args->seed, "random seed")->check(SeedNumber)->capture_default_str();
  app.add_option("--solver", args->solver, "ODE solver")
      ->check(CLI::IsMember({"euler", "heun", "rk4", "dopri5"}))
      ->capture_default_str();
  app.add_option("--step", args->step, "step size (dopri5: initial step)")
      ->check(PositiveFinite)
      ->capture_default_str();
  app.add_option("--t-end", args->tEnd, "end time of the flow (default: the path's)")
      ->check(PositiveFinite);
  app.add_option("--rtol", args->rtol, "dopri5 relative tolerance")->check(PositiveFinite);
  app.add_option("--atol", args->atol, "dopri5 absolute tolerance")->check(PositiveFinite);
  app.add_option("--out", args->out,
                 "CSV: item,log_likelihood,standard_error,probability,bits_per_dimension,...")
      ->check(NonEmptyText);
  app.add_flag("--json", args->json, "one JSON object on stdout instead of the table");
  addComputeOptions(app, args->compute);
  return [args] { return runLikelihood(*args); };
}

}  // namespace efm::cli

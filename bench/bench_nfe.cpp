// Quality against network evaluations (issue 19): per data, path and seed it trains one model,
// samples it with its own solver at 300 evaluations per labeling (the reference's sampler for
// ours: RK4, step 0.2 to t_end 15) and then with each solver at fewer evaluations, from the
// same noise.
// Quality on tables: KL(target || samples) on the known joint, and the fraction of labelings
// identical to the 300-evaluation labeling drawn from the same starting point. On label maps
// (--maps, the reference's U-Net on synthetic streets 64 x 128): the fraction of pixels equal
// to the 300-evaluation maps from the same noise, and the total variation between the two
// sets' class frequencies. A second 300-evaluation draw from other noise shows the noise
// floor of each measure; --precision fp32,bf16 repeats every setting in each precision.
//
//   efm_bench_nfe [--data SPEC]... [--samples S] [--evaluations 120,60,...]
//                 [--tolerances 1e-2,...] [--paths ray,...] [--steps N] [--seeds N] [--out DIR]
//                 [--maps [--no-tables]] [--map-steps N] [--map-samples M]
//                 [--precision fp32,bf16]
//
// Defaults: the reference's training budget (5000 steps, batch 512, lr 5e-4), 1 seed, 20,000
// samples, coupled-binary and a 3-node, 3-class table with strong dependence; with --maps
// also 1000 U-Net steps at batch 4 on 64 synthetic street scenes and 8 maps per setting.
#include "bench_common.h"
#include "comparison_harness.h"
#include "report_table.h"

#include "efm/base/errors.h"
#include "efm/data/images/synthetic_streets.h"
#include "efm/eval/metrics.h"
#include "efm/models/precision.h"
#include "efm/models/vector_field.h"
#include "efm/sampling/sampling_request.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

using namespace efm;
using namespace efm::bench;

namespace {

struct Setting {
  std::string solver;       // "euler", "heun", "rk4", "dopri5"
  int64_t evaluations = 0;  // fixed-step solvers: per labeling over the path's time range
  double tolerance = 0;     // dopri5: relative (the absolute one a tenth of it)
  Precision precision = Precision::kFloat32;
  std::string label() const {
    std::ostringstream text;
    text << solver;
    if (solver == "dopri5")
      text << " rtol " << tolerance;
    else
      text << " " << evaluations;
    if (precision != Precision::kFloat32) text << " " << precisionName(precision);
    return text.str();
  }
};

// Class frequencies of int64 labels: float64 [classes].
Tensor classFrequencies(const Tensor& labels, int64_t classes) {
  return torch::bincount(labels.flatten(), {}, classes).to(torch::kFloat64) /
         static_cast<double>(labels.numel());
}

struct Draw {
  Tensor labels;
  int64_t evaluations = 0;
  double seconds = 0;
};

Draw draw(Trainer& trainer, const Setting& setting, int64_t count, uint64_t seed,
          torch::Device device) {
  SamplingRequest request;
  request.count = count;
  request.seed = seed;
  request.solver = setting.solver;
  if (setting.solver == "dopri5") {
    request.relativeTolerance = setting.tolerance;
    request.absoluteTolerance = setting.tolerance / 10;
  } else {
    request.evaluations = setting.evaluations;
  }
  const SampleOptions options = sampleOptionsFor(trainer.path(), trainer.data().variables(),
                                                 trainer.data().classes(), request, device);
  trainer.network().setPrecision(setting.precision);
  const auto start = std::chrono::steady_clock::now();
  SampleResult result = sampleLabelings(trainer.network(), trainer.path(), options);
  trainer.network().setPrecision(Precision::kFloat32);
  Draw out;
  out.labels = result.labels;
  out.evaluations = result.evaluations;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CommonOptions defaults;
  defaults.seeds = 1;
  defaults.steps = 5000;
  defaults.batch = 512;
  defaults.learningRate = 5e-4;
  std::vector<std::string> specs = {"toy:coupled-binary", "toy:dial?lambda=1&n=3&c=3&seed=0"};
  int64_t samples = 20000;
  std::string evaluationList = "120,60,30,15,8";
  std::string toleranceList = "1e-2,1e-3,1e-4";
  bool maps = false, tables = true;
  int64_t mapSteps = 1000, mapSamples = 8, mapScenes = 64;
  std::string precisionList = "fp32";

  ComparisonBenchmark benchmark;
  benchmark.name = "nfe";
  benchmark.title = "Sample quality against network evaluations, per path and solver";
  benchmark.canReplot = false;
  benchmark.addOptions = [&](CLI::App& app) {
    app.add_option("--data", specs, "data SPECs whose joint table is known (repeat the option)")
        ->capture_default_str();
    app.add_option("--samples", samples, "labelings per setting")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--evaluations", evaluationList,
                   "network evaluations per labeling for euler, heun and rk4 (below 300)")
        ->capture_default_str();
    app.add_option("--tolerances", toleranceList, "dopri5's relative tolerances")
        ->capture_default_str();
    app.add_flag("--maps", maps,
                 "also label maps: the reference U-Net on synthetic streets 64 x 128");
    app.add_flag("!--no-tables", tables, "with --maps: only the label maps");
    app.add_option("--map-steps", mapSteps, "U-Net training steps (batch 4, lr 3e-4)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--map-samples", mapSamples, "label maps per setting")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--precision", precisionList,
                   "precisions to sample in, e.g. fp32,bf16 (bf16: the U-Net only, and only "
                   "where the CPU has native bf16)")
        ->capture_default_str();
  };
  benchmark.shrinkForQuick = [&](CommonOptions& options) {
    specs = {"toy:coupled-binary"};
    samples = std::min<int64_t>(samples, 2000);
    options.steps = std::min<int64_t>(options.steps, 200);
    evaluationList = "30";
    toleranceList = "1e-2";
    mapSteps = std::min<int64_t>(mapSteps, 20);
    mapSamples = std::min<int64_t>(mapSamples, 2);
    mapScenes = 8;
  };
  benchmark.measure = [&](const ComparisonContext& context) {
    const CommonOptions& options = context.options;
    std::vector<Precision> precisions;
    for (const std::string& name : splitList(precisionList))
      precisions.push_back(parsePrecision(name, "--precision"));
    std::vector<Setting> settings;
    for (Precision precision : precisions) {
      if (precision != Precision::kFloat32) settings.push_back({"rk4", 300, 0, precision});
      for (double e : parseNumbers(evaluationList))
        for (const char* solver : {"euler", "heun", "rk4"})
          settings.push_back({solver, static_cast<int64_t>(e), 0, precision});
      for (double tolerance : parseNumbers(toleranceList))
        settings.push_back({"dopri5", 0, tolerance, precision});
    }
    std::vector<std::string> allSpecs = tables ? specs : std::vector<std::string>{};
    if (maps) {
      const std::string root = (std::filesystem::path(options.out) / "streets").string();
      SyntheticCityscapesOptions scenes;
      scenes.height = 64;
      scenes.width = 128;
      scenes.trainFraction = 1;
      scenes.valFraction = 0;
      writeSyntheticCityscapes(root, mapScenes, 11, scenes);
      allSpecs.push_back("cityscapes:" + root + "?scale=1&crop=64x128");
    }

    Table runs;
    runs.columns = {"data", "path",      "seed",     "setting", "solver", "evaluations", "kl",
                    "tv",   "agreement", "sample_s", "train_s", "steps",  "batch"};
    for (const std::string& spec : allSpecs) {
      const DatasetPtr data = openDataset(spec);
      const std::optional<Tensor> joint = data->jointTable();
      const bool image = data->imageLayout().isImage();
      if (!joint && !image)
        throw InputError("--data '" + spec + "': its joint table is not known or too large");
      CommonOptions cell = options;
      if (image) {  // the reference's U-Net and its batch
        cell.model = "unet";
        cell.hidden = 0;
        cell.steps = mapSteps;
        cell.batch = 4;
        cell.learningRate = 3e-4;
      }
      const int64_t count = image ? mapSamples : samples;
      for (const auto& path : context.paths)
        for (int seed = 0; seed < options.seeds; ++seed) {
          const RunConfig config = makeConfig(cell, spec, path, static_cast<uint64_t>(seed));
          TrainOutcome model = train(config, data, context.device);
          if (model.nonFinite) {
            std::ostringstream message;
            message << spec << " " << path << ": training diverged";
            throw std::runtime_error(message.str());
          }
          const uint64_t noise = 7000 + static_cast<uint64_t>(seed);
          // The reference: the path's own solver (RK4 for ours, Euler for the linear path's
          // singular end) at 300 evaluations. A small draw first warms the caches up.
          const bool ours = isEGeodesicPath(path);
          const Setting reference{
              ours ? "rk4" : solverName(model.trainer->path().defaultSolver().kind), 300, 0};
          draw(*model.trainer, reference, image ? 1 : 64, noise, context.device);
          const Draw full = draw(*model.trainer, reference, count, noise, context.device);
          const Tensor fullFrequencies = classFrequencies(full.labels, data->classes());
          auto add = [&](const std::string& label, const Setting& setting, const Draw& d) {
            std::string kl, tv;
            double agreement = 0;
            if (joint) {
              const JointComparison j = compareJoint(*joint, d.labels, data->classes());
              kl = formatNumber(j.klTargetModel, 4);
              tv = formatNumber(j.totalVariation, 4);
              agreement =
                  (d.labels == full.labels).all(1).to(torch::kFloat64).mean().item<double>();
            } else {  // label maps: pixels, and class frequencies against the reference's
              const Tensor f = classFrequencies(d.labels, data->classes());
              tv = formatNumber(0.5 * (f - fullFrequencies).abs().sum().item<double>(), 4);
              agreement = (d.labels == full.labels).to(torch::kFloat64).mean().item<double>();
            }
            runs.add({spec, path, std::to_string(seed), label, setting.solver,
                      std::to_string(d.evaluations), kl, tv, formatNumber(agreement, 5),
                      formatNumber(d.seconds, 4), formatNumber(model.seconds, 4),
                      std::to_string(config.train.steps), std::to_string(config.train.batch)});
            std::ostringstream line;
            line << spec << " " << path << " " << label << ": " << d.evaluations
                 << " evaluations, KL " << (kl.empty() ? "-" : kl) << ", TV " << tv
                 << ", agreement " << formatNumber(agreement, 4) << ", "
                 << formatNumber(d.seconds, 3) << " s";
            log(line.str());
          };
          add(reference.label(), reference, full);
          // The noise floor: the same setting from other noise.
          add(reference.label() + ", other noise", reference,
              draw(*model.trainer, reference, count, noise + 500, context.device));
          for (const Setting& setting : settings) {
            if (setting.precision != Precision::kFloat32) {
              const PrecisionChoice choice =
                  choosePrecision(setting.precision, model.trainer->network(), context.device);
              if (!choice.notice.empty()) {
                std::ostringstream line;
                line << spec << " " << path << " " << setting.label() << ": skipped, "
                     << choice.notice;
                log(line.str());
                continue;
              }
            }
            try {
              add(setting.label(), setting,
                  draw(*model.trainer, setting, count, noise, context.device));
            } catch (const InputError& e) {  // e.g. the linear path's singular end for rk4
              std::ostringstream line;
              line << spec << " " << path << " " << setting.label() << ": " << e.what();
              log(line.str());
            }
          }
          writeTextFile(outputFile(options, "nfe", "csv"), toCsv(runs));  // as it goes
        }
    }
    return runs;
  };
  benchmark.report = [&](ComparisonContext& context, const Table& runs) {
    CommonOptions& options = context.options;
    readBudget(runs, options);
    Table summary;
    summary.columns = {"data", "path", "setting",   "evaluations",
                       "KL",   "TV",   "agreement", "sampling s"};
    for (const auto& row : runs.rows)
      summary.add({row[columnIndex(runs, "data")], row[columnIndex(runs, "path")],
                   row[columnIndex(runs, "setting")], row[columnIndex(runs, "evaluations")],
                   row[columnIndex(runs, "kl")], row[columnIndex(runs, "tv")],
                   row[columnIndex(runs, "agreement")], row[columnIndex(runs, "sample_s")]});
    std::ostringstream md;
    md << "Quality against network evaluations per labeling. Tables: KL(target || " << samples
       << " samples), TV of the joint, and the fraction of labelings identical to those of the "
          "path's own solver with 300 evaluations (RK4 for ours) from the same noise; "
       << options.steps << " training steps, batch " << options.batch << ", lr "
       << options.learningRate << ", " << options.model << ".";
    if (maps)
      md << " Label maps: TV between the class frequencies of " << mapSamples
         << " maps and those of the 300-evaluation maps, and the fraction of equal pixels; the "
            "reference U-Net, "
         << mapSteps << " steps at batch 4.";
    md << " \"other noise\": the 300-evaluation setting from different noise (the noise "
          "floor).\n\n"
       << toMarkdown(summary, {false, false, false, true, true, true, true, true});
    writeTextFile(outputFile(options, "nfe", "md"), md.str());
    std::cout << md.str();
  };
  return runComparison(argc, argv, defaults, benchmark);
}

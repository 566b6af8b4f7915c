// Quality against network evaluations (issue 19): per data, path and seed it trains one model,
// samples it with its own solver at 300 evaluations per labeling (the reference's sampler for
// ours: RK4, step 0.2 to t_end 15) and then with each solver at fewer evaluations, from the
// same noise.
// Quality: KL(target || samples) on the known joint, and the fraction of labelings that are
// identical to the 300-evaluation labeling drawn from the same starting point.
//
//   efm_bench_nfe [--data SPEC]... [--samples S] [--evaluations 120,60,...]
//                 [--tolerances 1e-2,...] [--paths ray,...] [--steps N] [--seeds N] [--out DIR]
//
// Defaults: the reference's training budget (5000 steps, batch 512, lr 5e-4), 1 seed, 20,000
// samples, coupled-binary and a 3-node, 3-class table with strong dependence.
#include "bench_common.h"
#include "comparison_harness.h"
#include "report_table.h"

#include "efm/base/errors.h"
#include "efm/eval/metrics.h"
#include "efm/sampling/sampling_request.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <chrono>
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
  std::string label() const {
    std::ostringstream text;
    text << solver;
    if (solver == "dopri5")
      text << " rtol " << tolerance;
    else
      text << " " << evaluations;
    return text.str();
  }
};

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
  const auto start = std::chrono::steady_clock::now();
  SampleResult result = sampleLabelings(trainer.network(), trainer.path(), options);
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
  };
  benchmark.shrinkForQuick = [&](CommonOptions& options) {
    specs = {"toy:coupled-binary"};
    samples = std::min<int64_t>(samples, 2000);
    options.steps = std::min<int64_t>(options.steps, 200);
    evaluationList = "30";
    toleranceList = "1e-2";
  };
  benchmark.measure = [&](const ComparisonContext& context) {
    const CommonOptions& options = context.options;
    std::vector<Setting> settings;
    for (double e : parseNumbers(evaluationList))
      for (const char* solver : {"euler", "heun", "rk4"})
        settings.push_back({solver, static_cast<int64_t>(e), 0});
    for (double tolerance : parseNumbers(toleranceList))
      settings.push_back({"dopri5", 0, tolerance});

    Table runs;
    runs.columns = {"data", "path",      "seed",     "setting", "solver", "evaluations", "kl",
                    "tv",   "agreement", "sample_s", "train_s", "steps",  "batch"};
    for (const std::string& spec : specs) {
      const DatasetPtr data = openDataset(spec);
      const std::optional<Tensor> joint = data->jointTable();
      if (!joint)
        throw InputError("--data '" + spec + "': its joint table is not known or too large");
      for (const auto& path : context.paths)
        for (int seed = 0; seed < options.seeds; ++seed) {
          const RunConfig config = makeConfig(options, spec, path, static_cast<uint64_t>(seed));
          TrainOutcome model = train(config, data, context.device);
          if (model.nonFinite) {
            std::ostringstream message;
            message << spec << " " << path << ": training diverged";
            throw std::runtime_error(message.str());
          }
          const uint64_t noise = 7000 + static_cast<uint64_t>(seed);
          // The reference: the path's own solver (RK4 for ours, Euler for the linear path's
          // singular end) at 300 evaluations. A small draw first warms the caches up.
          const Setting reference{solverName(model.trainer->path().defaultSolver().kind), 300, 0};
          draw(*model.trainer, reference, 64, noise, context.device);
          const Draw full = draw(*model.trainer, reference, samples, noise, context.device);
          auto add = [&](const Setting& setting, const Draw& d) {
            const JointComparison j = compareJoint(*joint, d.labels, data->classes());
            const double agreement =
                (d.labels == full.labels).all(1).to(torch::kFloat64).mean().item<double>();
            runs.add({spec, path, std::to_string(seed), setting.label(), setting.solver,
                      std::to_string(d.evaluations), formatNumber(j.klTargetModel, 4),
                      formatNumber(j.totalVariation, 4), formatNumber(agreement, 5),
                      formatNumber(d.seconds, 4), formatNumber(model.seconds, 4),
                      std::to_string(options.steps), std::to_string(options.batch)});
            std::ostringstream line;
            line << spec << " " << path << " " << setting.label() << ": " << d.evaluations
                 << " evaluations, KL " << formatNumber(j.klTargetModel, 3) << ", agreement "
                 << formatNumber(agreement, 4) << ", " << formatNumber(d.seconds, 3) << " s";
            log(line.str());
          };
          add(reference, full);
          for (const Setting& setting : settings) {
            try {
              add(setting, draw(*model.trainer, setting, samples, noise, context.device));
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
    summary.columns = {"data",        "path", "setting",
                       "evaluations", "KL",   "agreement with 300 evaluations",
                       "sampling s"};
    for (const auto& row : runs.rows)
      summary.add({row[columnIndex(runs, "data")], row[columnIndex(runs, "path")],
                   row[columnIndex(runs, "setting")], row[columnIndex(runs, "evaluations")],
                   row[columnIndex(runs, "kl")], row[columnIndex(runs, "agreement")],
                   row[columnIndex(runs, "sample_s")]});
    std::ostringstream md;
    md << "Quality against network evaluations per labeling: KL(target || " << samples
       << " samples) and the fraction of labelings identical to those of the path's own solver "
          "with 300 evaluations (RK4 for ours) from the same noise. "
       << options.steps << " training steps, batch " << options.batch << ", lr "
       << options.learningRate << ", " << options.model << ".\n\n"
       << toMarkdown(summary, {false, false, false, true, true, true, true});
    writeTextFile(outputFile(options, "nfe", "md"), md.str());
    std::cout << md.str();
  };
  return runComparison(argc, argv, defaults, benchmark);
}

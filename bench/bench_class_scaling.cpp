// Benchmark 1 of issue 5, class scaling (docs/METHOD.md section 8): n = 4 positions, target per
// position softmax(u), u ~ U[0,1)^K with a fixed seed (toy:kscaling), K classes; every path
// trains the same network with the same budget, samples S labelings with its own sampler,
// and is scored by KL(empirical || target) of the per-position marginals, averaged over
// positions. The sampling noise floor (K-1)/(2S) and the peers' published figures are
// written next to ours.
//
//   efm_bench_class_scaling [--K 5,10,20,40,80,160] [--samples S] [--steps N] [--seeds N]
//                           [--paths ray,bridge,linear,dirichlet,fisher] [--out DIR] [--quick]
#include "bench_common.h"
#include "comparison_harness.h"
#include "report_plot.h"
#include "report_table.h"

#include "efm/base/random.h"
#include "efm/base/runtime_tuning.h"
#include "efm/eval/metrics.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

using namespace efm;
using namespace efm::bench;

namespace {

// docs/METHOD.md section 8: early working figures of the Fisher-Flow authors, read off the
// Dirichlet FM paper (K -> KL at 512,000 samples).
const std::map<std::string, std::map<int64_t, double>> kPublished = {
    {"dirichlet", {{5, 1e-3}, {10, 1e-3}, {20, 5e-3}, {40, 1.5e-2}, {80, 2.5e-2}, {160, 2.7e-2}}},
    {"linear", {{5, 1e-3}, {10, 1e-2}, {20, 2e-2}, {40, 2.1e-2}, {80, 4.9e-2}, {160, 0.299}}},
    {"fisher", {{5, 1e-3}, {10, 2.5e-3}, {20, 4e-3}, {40, 0.02}, {80, 0.025}, {160, 0.235}}},
};
const std::map<std::string, std::string> kPublishedName = {
    {"dirichlet", "DFM"}, {"linear", "LinFM"}, {"fisher", "FisherFlow"}};

double noiseFloor(int64_t classes, int64_t samples) {
  return static_cast<double>(classes - 1) / (2.0 * static_cast<double>(samples));
}

}  // namespace

int main(int argc, char** argv) {
  CommonOptions defaults;
  // Defaults sized to finish in under two hours on two CPU cores (docs/RESULTS.md).
  defaults.seeds = 2;
  defaults.steps = 1000;
  std::string classList = "5,10,20,40,80,160";
  int64_t samples = 5000;
  int64_t positions = 4;

  ComparisonBenchmark benchmark;
  benchmark.name = "class_scaling";
  benchmark.title = "Class-scaling benchmark (docs/METHOD.md section 8) for every probability path";
  benchmark.addOptions = [&](CLI::App& app) {
    app.add_option("--K", classList, "class counts, comma-separated")->capture_default_str();
    app.add_option("--samples", samples, "labelings sampled per model (protocol: 512000)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--n", positions, "positions")->capture_default_str()->check(CLI::Range(1, 64));
  };
  benchmark.shrinkForQuick = [&](CommonOptions& options) {
    classList = "5,20";
    samples = std::min<int64_t>(samples, 2000);
    options.steps = std::min<int64_t>(options.steps, 100);
    options.seeds = 1;
  };
  benchmark.measure = [&](const ComparisonContext& context) {
    const CommonOptions& options = context.options;
    Table runs;
    runs.columns = {"K",
                    "path",
                    "seed",
                    "steps",
                    "batch",
                    "train_s",
                    "samples",
                    "nfe",
                    "solver",
                    "sample_s",
                    "marginal_kl",
                    "noise_floor",
                    "excess_over_floor",
                    "non_finite_loss"};
    for (const double listed : parseNumbers(classList)) {
      const auto k = static_cast<int64_t>(listed);
      const std::string spec =
          "toy:kscaling?K=" + std::to_string(k) + "&n=" + std::to_string(positions) + "&seed=0";
      const DatasetPtr data = openDataset(spec);
      const Tensor target = data->marginals();
      for (const auto& path : context.paths)
        for (int seed = 0; seed < options.seeds; ++seed) {
          const RunConfig config = makeConfig(options, spec, path, static_cast<uint64_t>(seed));
          TrainOutcome trained = train(config, data, context.device);
          double kl = std::numeric_limits<double>::quiet_NaN();
          Sampled drawn;
          if (!trained.nonFinite) {
            drawn = sample(*trained.trainer, samples, 1000 + static_cast<uint64_t>(seed),
                           options.nfe, context.device, parseReadout(options.readout));
            kl = marginalKl(drawn.labels, target);
          }
          const double floor = noiseFloor(k, samples);
          runs.add({std::to_string(k), path, std::to_string(seed), std::to_string(options.steps),
                    std::to_string(options.batch), formatNumber(trained.seconds, 4),
                    std::to_string(samples), std::to_string(drawn.evaluations), drawn.solver,
                    formatNumber(drawn.seconds, 4), formatNumber(kl, 4), formatNumber(floor, 3),
                    formatNumber(kl - floor, 3), trained.nonFinite ? "1" : "0"});
          log("K=" + std::to_string(k) + " " + path + " seed " + std::to_string(seed) + ": train " +
              formatNumber(trained.seconds, 3) + " s, sample " + formatNumber(drawn.seconds, 3) +
              " s (" + std::to_string(drawn.evaluations) + " evaluations), marginal KL " +
              formatNumber(kl, 3) + " (floor " + formatNumber(floor, 2) + ")");
        }
      writeTextFile(outputFile(options, "class_scaling", "csv"), toCsv(runs));  // as it goes
    }
    return runs;
  };
  benchmark.report = [&](ComparisonContext& context, const Table& runs) {
    CommonOptions& options = context.options;
    const auto column = [&](const std::string& name) { return columnIndex(runs, name); };
    std::map<std::string, std::map<int64_t, std::vector<double>>> results;  // [path][K]
    std::vector<int64_t> classes;
    const std::vector<std::string> paths = pathsOf(runs);
    for (const auto& row : runs.rows) {
      const int64_t k = std::stoll(row[column("K")]);
      const std::string& path = row[column("path")];
      if (std::find(classes.begin(), classes.end(), k) == classes.end()) classes.push_back(k);
      results[path][k].push_back(std::stod(row[column("marginal_kl")]));
      samples = std::stoll(row[column("samples")]);
    }
    readBudget(runs, options);

    // Summary: one row per K, mean (min-max) over seeds per path, the floor, the peers'
    // published figures.
    std::vector<std::string> after = {"noise floor"};
    for (const auto& [key, name] : kPublishedName) after.push_back(name + " (published)");
    Table summary;
    summary.columns = summaryColumns("K", paths, after);
    for (int64_t k : classes) {
      std::vector<std::string> row = {std::to_string(k)};
      for (const auto& path : paths) row.push_back(formatSpread(results[path][k]));
      row.push_back(formatNumber(noiseFloor(k, samples), 2));
      for (const auto& [key, name] : kPublishedName) {
        const auto& figures = kPublished.at(key);
        const auto it = figures.find(k);
        row.push_back(it == figures.end() ? "" : formatNumber(it->second, 2));
      }
      summary.add(row);
    }
    std::ostringstream md;
    md << "Class scaling: KL(empirical || target) of the per-position marginals, mean over "
       << positions << " positions; mean (min–max) over " << options.seeds << " seed(s). "
       << options.steps << " steps, batch " << options.batch << ", lr " << options.learningRate
       << ", " << options.model << "; " << samples << " samples per model"
       << samplerCaption(options)
       << ". Published figures: 512,000 samples, the peers' own networks and budgets.\n\n"
       << toMarkdown(summary, std::vector<bool>(summary.columns.size(), true));
    writeTextFile(outputFile(options, "class_scaling", "md"), md.str());
    std::cout << md.str();

    Plot plot;
    plot.title = "Class scaling (n = " + std::to_string(positions) + ")";
    plot.xLabel = "classes K";
    plot.yLabel = "marginal KL(empirical || target)";
    plot.xScale = Scale::Log;
    plot.yScale = Scale::Log;
    plot.xTicksAtData = true;
    std::vector<double> ks(classes.begin(), classes.end());
    for (const auto& path : paths) {
      Series s{path, path, ks, {}, {}, {}, SeriesStyle::Line};
      for (int64_t k : classes) {
        const auto& v = results[path][k];
        double sum = 0, lo = v[0], hi = v[0];
        for (double x : v) {
          sum += x;
          lo = std::min(lo, x);
          hi = std::max(hi, x);
        }
        s.y.push_back(sum / static_cast<double>(v.size()));
        s.lo.push_back(lo);
        s.hi.push_back(hi);
      }
      plot.series.push_back(s);
    }
    for (const auto& [key, name] : kPublishedName) {
      Series s{name + " (published)", key, {}, {}, {}, {}, SeriesStyle::Dashed};
      for (const auto& [k, value] : kPublished.at(key)) {
        s.x.push_back(static_cast<double>(k));
        s.y.push_back(value);
      }
      plot.series.push_back(s);
    }
    Series floor{"noise floor (K-1)/2S", "floor", ks, {}, {}, {}, SeriesStyle::Dashed};
    for (int64_t k : classes) floor.y.push_back(noiseFloor(k, samples));
    plot.series.push_back(floor);
    std::ostringstream note;
    note << options.steps << " steps, batch " << options.batch << ", " << options.seeds
         << " seed(s) (band: min-max), " << samples
         << " samples per model. Dashed: published figures (512,000 samples, their own budgets).";
    savePlots({plot}, 1, outputFile(options, "class_scaling", "png"), "", note.str());
  };
  return runComparison(argc, argv, defaults, benchmark);
}

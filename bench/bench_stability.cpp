// Benchmark 4 of issue 5, training stability: the loss curves of every path over several
// seeds and learning rates, on one fixed toy, and how many runs diverge. A run diverges when
// its loss becomes NaN or infinite (Trainer::step throws) or explodes: the mean loss of its
// last window is more than 10 times the lowest window mean of the run. The paths' losses have
// different units (our Fisher-Rao regression, the peers' cross-entropy or sphere-tangent
// regression), so each curve is drawn relative to its own initial loss (the first window).
//
//   efm_bench_stability [--data SPEC] [--lrs 1e-4,3e-4,1e-3] [--seeds 5] [--steps N]
//                       [--window W] [--paths ...] [--out DIR] [--quick]
#include "bench_common.h"
#include "comparison_harness.h"
#include "report_axes.h"
#include "report_plot.h"
#include "report_table.h"

#include "efm/base/random.h"
#include "efm/base/runtime_tuning.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

using namespace efm;
using namespace efm::bench;

namespace {

constexpr double kExplosionFactor = 10;

// Means of consecutive windows of `window` steps (a last, shorter window is dropped unless
// it is the only one).
std::vector<double> windowMeans(const std::vector<double>& losses, int64_t window) {
  std::vector<double> means;
  for (std::size_t start = 0; start + static_cast<std::size_t>(window) <= losses.size();
       start += static_cast<std::size_t>(window)) {
    double sum = 0;
    for (std::size_t k = start; k < start + static_cast<std::size_t>(window); ++k) sum += losses[k];
    means.push_back(sum / static_cast<double>(window));
  }
  if (means.empty() && !losses.empty()) {
    double sum = 0;
    for (double l : losses) sum += l;
    means.push_back(sum / static_cast<double>(losses.size()));
  }
  return means;
}

struct RunResult {
  std::vector<double> relative;  // window means / first window mean
  bool nonFinite = false;
  bool exploded = false;
  double finalRelative = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CommonOptions defaults;
  defaults.seeds = 5;
  defaults.steps = 1000;
  std::string data = "toy:kscaling?K=40&n=4&seed=0";
  std::string lrList = "1e-4,3e-4,1e-3";
  int64_t window = 0;

  ComparisonBenchmark benchmark;
  benchmark.name = "stability";
  benchmark.title =
      "Training-stability benchmark (issue 5, benchmark 4) for every probability path";
  benchmark.addOptions = [&](CLI::App& app) {
    app.add_option("--data", data, "the toy trained on")->capture_default_str();
    app.add_option("--lrs", lrList, "learning rates, comma-separated")->capture_default_str();
    app.add_option("--window", window, "steps per loss window (0 = steps / 40, at least 5)");
  };
  benchmark.shrinkForQuick = [&](CommonOptions& options) {
    options.steps = std::min<int64_t>(options.steps, 60);
    options.seeds = std::min(options.seeds, 2);
    lrList = "1e-4,1e-3";
  };
  // The runs go to stability.csv and every loss window to stability_curves.csv beside it;
  // the report reads both back, so --replot draws the same from a run's folder.
  benchmark.measure = [&](const ComparisonContext& context) {
    const CommonOptions& options = context.options;
    if (window <= 0) window = std::max<int64_t>(5, options.steps / 40);
    Table curves;  // every window of every run
    curves.columns = {"lr", "path", "seed", "step", "loss", "relative_loss"};
    Table runs;
    runs.columns = {"lr",           "path",        "seed",         "steps_done",     "train_s",
                    "initial_loss", "best_window", "final_window", "final_relative", "non_finite",
                    "exploded"};
    const DatasetPtr dataset = openDataset(data);
    for (double lr : parseNumbers(lrList))
      for (const auto& path : context.paths)
        for (int seed = 0; seed < options.seeds; ++seed) {
          CommonOptions o = options;
          o.learningRate = lr;
          const RunConfig config = makeConfig(o, data, path, static_cast<uint64_t>(seed));
          TrainOutcome trained = train(config, dataset, context.device);
          const auto means = windowMeans(trained.losses, window);
          RunResult r;
          r.nonFinite = trained.nonFinite;
          const double initial = means.empty() ? std::nan("") : means.front();
          const double best =
              means.empty() ? std::nan("") : *std::min_element(means.begin(), means.end());
          const double last = means.empty() ? std::nan("") : means.back();
          for (std::size_t k = 0; k < means.size(); ++k) {
            r.relative.push_back(means[k] / initial);
            curves.add({shortNumber(lr), path, std::to_string(seed),
                        std::to_string((static_cast<int64_t>(k) + 1) * window),
                        formatNumber(means[k], 5), formatNumber(means[k] / initial, 5)});
          }
          r.exploded = !r.nonFinite && last > kExplosionFactor * best;
          r.finalRelative = r.nonFinite ? std::nan("") : last / initial;
          runs.add({shortNumber(lr), path, std::to_string(seed),
                    std::to_string(trained.losses.size()), formatNumber(trained.seconds, 4),
                    formatNumber(initial, 5), formatNumber(best, 5), formatNumber(last, 5),
                    formatNumber(r.finalRelative, 4), r.nonFinite ? "1" : "0",
                    r.exploded ? "1" : "0"});
          log("lr " + shortNumber(lr) + " " + path + " seed " + std::to_string(seed) + ": " +
              std::to_string(trained.losses.size()) + " steps in " +
              formatNumber(trained.seconds, 3) + " s, loss " + formatNumber(initial, 3) + " -> " +
              formatNumber(last, 3) + (r.nonFinite ? " NON-FINITE" : "") +
              (r.exploded ? " EXPLODED" : ""));
        }
    writeTextFile(outputFile(options, "stability", "csv"), toCsv(runs));
    writeTextFile(outputFile(options, "stability_curves", "csv"), toCsv(curves));
    return runs;
  };
  benchmark.report = [&](ComparisonContext& context, const Table& runs) {
    CommonOptions& options = context.options;
    std::map<double, std::map<std::string, std::vector<RunResult>>> results;
    // The runs and their loss windows, in the order they were written.
    const auto folder = context.replotFile.empty()
                            ? std::filesystem::path(options.out)
                            : std::filesystem::path(context.replotFile).parent_path();
    const Table curves = fromCsv(readTextFile((folder / "stability_curves.csv").string()));
    const auto at = [](const Table& t, const std::vector<std::string>& row,
                       const std::string& name) -> const std::string& {
      return row[columnIndex(t, name)];
    };
    std::vector<double> rates;
    const std::vector<std::string> paths = pathsOf(runs);
    std::set<std::string> seedsSeen;
    options.steps = 0;
    for (const auto& row : runs.rows) {
      const double lr = std::stod(at(runs, row, "lr"));
      const std::string& path = at(runs, row, "path");
      if (std::find(rates.begin(), rates.end(), lr) == rates.end()) rates.push_back(lr);
      seedsSeen.insert(at(runs, row, "seed"));
      options.steps = std::max<int64_t>(options.steps, std::stoll(at(runs, row, "steps_done")));
      RunResult r;
      r.nonFinite = at(runs, row, "non_finite") == "1";
      r.exploded = at(runs, row, "exploded") == "1";
      r.finalRelative = std::stod(at(runs, row, "final_relative"));
      for (const auto& point : curves.rows)
        if (std::stod(at(curves, point, "lr")) == lr && at(curves, point, "path") == path &&
            at(curves, point, "seed") == at(runs, row, "seed")) {
          if (r.relative.empty()) window = std::stoll(at(curves, point, "step"));
          r.relative.push_back(std::stod(at(curves, point, "relative_loss")));
        }
      results[lr][path].push_back(std::move(r));
    }
    options.seeds = static_cast<int>(seedsSeen.size());
    // Divergence table: one row per path, per learning rate the divergences and the final
    // loss relative to the initial one.
    Table summary;
    summary.columns = {"path"};
    for (double lr : rates) {
      summary.columns.push_back("lr " + shortNumber(lr) + ": diverged");
      summary.columns.push_back("lr " + shortNumber(lr) + ": final / initial loss");
    }
    for (const auto& path : paths) {
      std::vector<std::string> row = {path};
      for (double lr : rates) {
        int diverged = 0;
        std::vector<double> finals;
        for (const RunResult& r : results[lr][path]) {
          diverged += (r.nonFinite || r.exploded) ? 1 : 0;
          if (!r.nonFinite) finals.push_back(r.finalRelative);
        }
        row.push_back(std::to_string(diverged) + " / " + std::to_string(options.seeds));
        row.push_back(finals.empty() ? "–" : formatSpread(finals));
      }
      summary.add(row);
    }
    std::ostringstream md;
    md << "Training stability on " << data << ": " << options.steps << " steps, batch "
       << options.batch << ", " << options.model << ", " << options.seeds
       << " seeds per cell. Diverged = NaN/infinite loss, or the last window's mean loss above "
       << kExplosionFactor << "x the run's best window (windows of " << window
       << " steps). Final / initial: last window over first window, mean (min–max) over seeds "
          "(each path in its own loss units).\n\n"
       << toMarkdown(summary, std::vector<bool>(summary.columns.size(), true));
    writeTextFile(outputFile(options, "stability", "md"), md.str());
    std::cout << md.str();

    std::vector<Plot> panels;
    for (double lr : rates) {
      Plot plot;
      plot.title = "learning rate " + shortNumber(lr);
      plot.xLabel = "training step";
      plot.yLabel = "loss / initial loss";
      plot.yScale = Scale::Log;
      for (const auto& path : paths) {
        const auto& list = results[lr][path];
        std::size_t length = 0;
        for (const RunResult& r : list) length = std::max(length, r.relative.size());
        Series s{path, path, {}, {}, {}, {}, SeriesStyle::Line};
        for (std::size_t k = 0; k < length; ++k) {
          std::vector<double> v;
          for (const RunResult& r : list)
            if (k < r.relative.size() && std::isfinite(r.relative[k])) v.push_back(r.relative[k]);
          if (v.empty()) break;
          double sum = 0;
          for (double x : v) sum += x;
          s.x.push_back(static_cast<double>((static_cast<int64_t>(k) + 1) * window));
          s.y.push_back(sum / static_cast<double>(v.size()));
          s.lo.push_back(*std::min_element(v.begin(), v.end()));
          s.hi.push_back(*std::max_element(v.begin(), v.end()));
        }
        plot.series.push_back(s);
      }
      panels.push_back(plot);
    }
    std::ostringstream note;
    note << data << ", " << options.seeds << " seeds: line = mean, band = min-max of the " << window
         << "-step window means, each relative to its own first window.";
    savePlots(panels, static_cast<int>(panels.size()), outputFile(options, "stability", "png"),
              "Training loss relative to the initial loss", note.str());
  };
  return runComparison(argc, argv, defaults, benchmark);
}

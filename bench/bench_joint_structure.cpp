// Benchmark 2 of issue 5, joint structure: how well each path learns a whole joint table,
// where a model that averages factorizing distributions must prove itself. Discretized 2-D
// densities on 91 x 91 grids (pinwheel, 8 Gaussians), random Dirichlet tables, and the dial
// toy:dial?lambda=L from the product of the marginals (lambda = 0) to a deterministically
// coupled table with the same marginals (lambda = 1). Metric: KL(target || model) of the
// joint, the model's joint being the histogram of its samples (efm eval's convention: empty
// model cells get half a count). Next to it, the same KL for as many samples drawn from the
// target itself: what a perfect model would score with this sample size.
//
//   efm_bench_joint_structure [--data SPEC;SPEC] [--lambdas 0,0.25,0.5,0.75,1]
//                             [--dial 'n=4&c=4&seed=0'] [--samples S] [--steps N] [--seeds N]
//                             [--paths ...] [--out DIR] [--quick]
#include "bench_common.h"
#include "comparison_harness.h"
#include "report_plot.h"
#include "report_table.h"

#include "efm/base/random.h"
#include "efm/base/runtime_tuning.h"
#include "efm/eval/metrics.h"

#include <ATen/CPUGeneratorImpl.h>
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

struct Case {
  std::string label;  // short, for tables and plots
  std::string spec;
  double lambda = -1;  // dial cases only
};

std::vector<std::string> splitOn(const std::string& list, char separator) {
  std::vector<std::string> items;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, separator))
    if (!item.empty()) items.push_back(item);
  return items;
}

std::string shortLabel(const std::string& spec) {
  if (spec.rfind("toy:pinwheel", 0) == 0) return "pinwheel";
  if (spec.rfind("toy:8gaussians", 0) == 0) return "8 Gaussians";
  if (spec.rfind("toy:checkerboard", 0) == 0) return "checkerboard";
  if (spec.rfind("toy:dirichlet", 0) == 0) {
    const auto q = spec.find('?');
    // "toy:dirichlet?n=2&c=10&alpha=..." -> "Dirichlet n=2 c=10"
    std::string shape = q == std::string::npos ? std::string() : spec.substr(q + 1);
    shape = shape.substr(0, shape.find("&alpha"));
    std::replace(shape.begin(), shape.end(), '&', ' ');
    return "Dirichlet " + shape;
  }
  return spec;
}

// KL(target || histogram of `samples` draws from the target): a perfect model's score.
double samplingFloor(const Dataset& data, const Tensor& target, int64_t samples, uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  return compareJoint(target, data.sample(samples, generator), data.classes()).klTargetModel;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

}  // namespace

int main(int argc, char** argv) {
  CommonOptions defaults;
  defaults.seeds = 1;
  defaults.steps = 2000;
  std::string dataList =
      "toy:pinwheel?c=91;toy:8gaussians?c=91;toy:dirichlet?n=3&c=4&alpha=0.3&seed=0;"
      "toy:dirichlet?n=2&c=10&alpha=0.5&seed=1";
  std::string lambdaList = "0,0.25,0.5,0.75,1";
  std::string dial = "n=4&c=4&seed=0";
  int64_t samples = 20000;

  ComparisonBenchmark benchmark;
  benchmark.name = "joint_structure";
  benchmark.title = "Joint-structure benchmark (issue 5, benchmark 2) for every probability path";
  benchmark.addOptions = [&](CLI::App& app) {
    app.add_option("--data", dataList, "data SPECs separated by ';' (empty: only the dial)")
        ->capture_default_str();
    app.add_option("--lambdas", lambdaList, "dial positions, comma-separated (empty: no dial)")
        ->capture_default_str();
    app.add_option("--dial", dial, "parameters of toy:dial besides lambda")->capture_default_str();
    app.add_option("--samples", samples, "labelings sampled per model")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  };
  benchmark.shrinkForQuick = [&](CommonOptions& options) {
    dataList = "toy:pinwheel?c=16";
    lambdaList = "0,1";
    dial = "n=3&c=3&seed=0";
    samples = std::min<int64_t>(samples, 2000);
    options.steps = std::min<int64_t>(options.steps, 100);
    options.seeds = 1;
  };
  benchmark.measure = [&](const ComparisonContext& context) {
    const CommonOptions& options = context.options;
    std::vector<Case> cases;
    for (const auto& spec : splitOn(dataList, ';')) cases.push_back({shortLabel(spec), spec});
    for (double lambda : parseNumbers(lambdaList)) {
      std::ostringstream spec;
      spec << "toy:dial?lambda=" << lambda << "&" << dial;
      cases.push_back({"dial " + formatNumber(lambda, 2), spec.str(), lambda});
    }

    Table runs;
    runs.columns = {"data",
                    "path",
                    "seed",
                    "steps",
                    "batch",
                    "train_s",
                    "samples",
                    "nfe",
                    "sample_s",
                    "kl_target_model",
                    "kl_model_target",
                    "tv",
                    "empty_model_cells",
                    "floor_kl_target_model",
                    "non_finite_loss"};
    for (const Case& c : cases) {
      const DatasetPtr data = openDataset(c.spec);
      const Tensor target = data->jointTable().value();
      const double floor = samplingFloor(*data, target, samples, 4242);
      for (const auto& path : context.paths)
        for (int seed = 0; seed < options.seeds; ++seed) {
          const RunConfig config = makeConfig(options, c.spec, path, static_cast<uint64_t>(seed));
          TrainOutcome trained = train(config, data, context.device);
          JointComparison joint;
          joint.klTargetModel = joint.klModelTarget = joint.totalVariation =
              std::numeric_limits<double>::quiet_NaN();
          Sampled drawn;
          if (!trained.nonFinite) {
            drawn = sample(*trained.trainer, samples, 1000 + static_cast<uint64_t>(seed),
                           options.nfe, context.device, parseReadout(options.readout));
            joint = compareJoint(target, drawn.labels, data->classes());
          }
          runs.add({c.spec, path, std::to_string(seed), std::to_string(options.steps),
                    std::to_string(options.batch), formatNumber(trained.seconds, 4),
                    std::to_string(samples), std::to_string(drawn.evaluations),
                    formatNumber(drawn.seconds, 4), formatNumber(joint.klTargetModel, 4),
                    formatNumber(joint.klModelTarget, 4), formatNumber(joint.totalVariation, 4),
                    std::to_string(joint.emptyModelCells), formatNumber(floor, 4),
                    trained.nonFinite ? "1" : "0"});
          log(c.spec + " " + path + " seed " + std::to_string(seed) + ": train " +
              formatNumber(trained.seconds, 3) + " s, sample " + formatNumber(drawn.seconds, 3) +
              " s, KL(target||model) " + formatNumber(joint.klTargetModel, 3) + " (floor " +
              formatNumber(floor, 3) + "), TV " + formatNumber(joint.totalVariation, 3));
        }
      writeTextFile(outputFile(options, "joint_structure", "csv"), toCsv(runs));
    }
    return runs;
  };
  benchmark.report = [&](ComparisonContext& context, const Table& runs) {
    CommonOptions& options = context.options;
    // Everything below reads the runs table only, so --replot draws the same from a CSV.
    const auto column = [&](const std::string& name) { return columnIndex(runs, name); };
    std::map<std::string, std::map<std::string, std::vector<double>>> kl;  // [path][spec]
    std::map<std::string, double> floors;
    std::vector<Case> cases;
    const std::vector<std::string> paths = pathsOf(runs);
    const std::string dialPrefix = "toy:dial?lambda=";
    for (const auto& row : runs.rows) {
      const std::string& spec = row[column("data")];
      const std::string& path = row[column("path")];
      if (std::none_of(cases.begin(), cases.end(), [&](const Case& c) { return c.spec == spec; })) {
        if (spec.rfind(dialPrefix, 0) == 0) {
          const auto amp = spec.find('&');
          const double lambda = std::stod(spec.substr(dialPrefix.size(), amp - dialPrefix.size()));
          if (amp != std::string::npos) dial = spec.substr(amp + 1);
          cases.push_back({"dial " + formatNumber(lambda, 2), spec, lambda});
        } else {
          cases.push_back({shortLabel(spec), spec});
        }
      }
      kl[path][spec].push_back(std::stod(row[column("kl_target_model")]));
      floors[spec] = std::stod(row[column("floor_kl_target_model")]);
      samples = std::stoll(row[column("samples")]);
    }
    readBudget(runs, options);

    Table summary;
    summary.columns = summaryColumns("data", paths, {"floor (target's own samples)"});
    for (const Case& c : cases) {
      std::vector<std::string> row = {c.label};
      for (const auto& path : paths) row.push_back(formatSpread(kl[path][c.spec]));
      row.push_back(formatNumber(floors[c.spec], 3));
      summary.add(row);
    }
    std::ostringstream md;
    md << "Joint structure: KL(target || model) of the joint; mean (min–max) over " << options.seeds
       << " seed(s). " << options.steps << " steps, batch " << options.batch << ", lr "
       << options.learningRate << ", " << options.model << "; " << samples << " samples per model"
       << samplerCaption(options) << ". Dial: toy:dial?lambda=L&" << dial
       << ". The floor column is the same KL for " << samples
       << " samples drawn from the target itself.\n\n"
       << toMarkdown(summary, std::vector<bool>(summary.columns.size(), true));
    writeTextFile(outputFile(options, "joint_structure", "md"), md.str());
    std::cout << md.str();

    std::vector<Plot> panels;
    std::vector<Case> fixed, dialCases;
    for (const Case& c : cases) (c.lambda >= 0 ? dialCases : fixed).push_back(c);
    auto addFloor = [&](Plot& plot, const std::vector<Case>& list, const std::vector<double>& x,
                        SeriesStyle style) {
      Series s{"floor (target samples)", "floor", x, {}, {}, {}, style};
      for (const Case& c : list) s.y.push_back(floors[c.spec]);
      plot.series.push_back(s);
    };
    if (!dialCases.empty()) {
      Plot plot;
      plot.title = "Dial of non-factorizability (toy:dial?" + dial + ")";
      plot.xLabel = "lambda (0: product of marginals, 1: coupled)";
      plot.yLabel = "KL(target || model)";
      plot.xTicksAtData = true;
      std::vector<double> x;
      x.reserve(dialCases.size());
      for (const Case& c : dialCases) x.push_back(c.lambda);
      for (const auto& path : paths) {
        Series s{path, path, x, {}, {}, {}, SeriesStyle::Line};
        for (const Case& c : dialCases) {
          const auto& v = kl[path][c.spec];
          s.y.push_back(mean(v));
          s.lo.push_back(*std::min_element(v.begin(), v.end()));
          s.hi.push_back(*std::max_element(v.begin(), v.end()));
        }
        plot.series.push_back(s);
      }
      addFloor(plot, dialCases, x, SeriesStyle::Dashed);
      panels.push_back(plot);
    }
    if (!fixed.empty()) {
      Plot plot;
      plot.title = "Joint tables";
      plot.yLabel = "KL(target || model)";
      std::vector<double> x;
      for (std::size_t k = 0; k < fixed.size(); ++k) {
        plot.categories.push_back(fixed[k].label);
        x.push_back(static_cast<double>(k));
      }
      for (const auto& path : paths) {
        Series s{path, path, x, {}, {}, {}, SeriesStyle::Points};
        for (const Case& c : fixed) {
          const auto& v = kl[path][c.spec];
          s.y.push_back(mean(v));
          s.lo.push_back(*std::min_element(v.begin(), v.end()));
          s.hi.push_back(*std::max_element(v.begin(), v.end()));
        }
        plot.series.push_back(s);
      }
      addFloor(plot, fixed, x, SeriesStyle::Points);
      plot.yScale = Scale::Log;
      panels.push_back(plot);
    }
    std::ostringstream note;
    note << options.steps << " steps, batch " << options.batch << ", " << options.seeds
         << " seed(s) (bars/bands: min-max), " << samples << " samples per model.";
    savePlots(panels, 2, outputFile(options, "joint_structure", "png"), "", note.str());
  };
  return runComparison(argc, argv, defaults, benchmark);
}

// Benchmark 3 of issue 5, binarized Fashion-MNIST (32 x 32, n = 1024, c = 2): every path
// trained with the same network, optimizer and budget; a sheet of samples per path; and,
// for ours (ray, bridge), bits per dimension of test images from `efm likelihood`'s
// estimator with its standard error and effective sample size, under both proposals
// (docs/METHOD.md's reference and the path's end point), next to a baseline of independent pixels
// (the training images' per-pixel marginals). The peers have no likelihood.
//
//   efm_bench_fashion [--data SPEC] [--test-data SPEC] [--items N] [--proposals K]
//                     [--likelihood-steps N] [--sheet N] [--paths ...] [--steps N]
//                     [--batch B] [--lr LR] [--out DIR] [--quick]
//
// Needs the Debian package dataset-fashion-mnist.
#include "bench_common.h"
#include "bench_report.h"
#include "comparison_harness.h"
#include "report_plot.h"
#include "report_sheet.h"
#include "report_table.h"

#include "efm/base/random.h"
#include "efm/base/runtime_tuning.h"
#include "efm/paths/path_registry.h"
#include "efm/paths/probability_path.h"
#include "efm/sampling/likelihood.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <sstream>

using namespace efm;
using namespace efm::bench;

namespace {

struct FashionOptions {
  std::string data = "idx:fashion-mnist?levels=2&pad=32";
  std::string testData = "idx:fashion-mnist-test?levels=2&pad=32";
  int64_t items = 100;           // test images scored
  int64_t proposals = 32;        // K per image
  int64_t likelihoodSteps = 15;  // RK4 steps over [0, t_end] (ray: step 1; bridge: 1/15)
  int64_t sheet = 64;            // samples drawn per path
};

// Bits per dimension of each test image under independent pixels with the training data's
// marginals, Laplace-smoothed by one image of each class.
double independentPixelBits(const Dataset& train, const Tensor& test) {
  const double images = static_cast<double>(train.count().value_or(1));
  const int64_t n = train.variables(), c = train.classes();
  const Tensor logMarginals = torch::log((train.marginals() * images + 1) / (images + c));
  const Tensor logP = logMarginals.unsqueeze(0)
                          .expand({test.size(0), n, c})
                          .gather(2, test.unsqueeze(2))
                          .sum({1, 2});
  return -logP.mean().item<double>() / (static_cast<double>(n) * std::log(2.0));
}

std::vector<std::vector<int64_t>> toMaps(const Tensor& labels) {
  const Tensor cpu = labels.to(torch::kCPU, torch::kLong).contiguous();
  std::vector<std::vector<int64_t>> maps;
  for (int64_t k = 0; k < cpu.size(0); ++k) {
    const int64_t* row = cpu[k].data_ptr<int64_t>();
    maps.emplace_back(row, row + cpu.size(1));
  }
  return maps;
}

}  // namespace

int main(int argc, char** argv) {
  CommonOptions defaults;
  defaults.seeds = 1;
  defaults.steps = 1500;
  defaults.batch = 128;
  defaults.learningRate = 1e-3;
  FashionOptions f;

  ComparisonBenchmark benchmark;
  benchmark.name = "fashion";
  benchmark.title =
      "Binarized Fashion-MNIST benchmark (issue 5, benchmark 3): samples of every path, bits "
      "per dimension of ours";
  benchmark.canReplot = false;  // the sample sheets need the models
  benchmark.addOptions = [&](CLI::App& app) {
    app.add_option("--data", f.data, "training images")->capture_default_str();
    app.add_option("--test-data", f.testData, "images scored")->capture_default_str();
    app.add_option("--items", f.items, "test images scored")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--proposals", f.proposals, "importance samples K per image")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--likelihood-steps", f.likelihoodSteps,
                   "RK4 steps of the likelihood's flow over [0, t_end] (the reference sampler: 75)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--sheet", f.sheet, "samples drawn per path")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
  };
  benchmark.shrinkForQuick = [&](CommonOptions& options) {
    options.steps = std::min<int64_t>(options.steps, 30);
    f.items = std::min<int64_t>(f.items, 3);
    f.proposals = std::min<int64_t>(f.proposals, 4);
    f.sheet = std::min<int64_t>(f.sheet, 16);
  };
  benchmark.measure = [&](const ComparisonContext& context) {
    const CommonOptions& options = context.options;
    const DatasetPtr trainSet = openDataset(f.data);
    const ImageLayout layout = trainSet->imageLayout();
    if (!layout.isImage())
      throw std::invalid_argument("--data must be image data (idx: or cityscapes:)");
    const DatasetPtr testSet = openDataset(f.testData);
    if (testSet->variables() != trainSet->variables() || testSet->classes() != trainSet->classes())
      throw std::invalid_argument("--test-data has another shape or class count than --data");
    const int64_t items = std::min<int64_t>(f.items, testSet->count().value_or(0));
    if (items < 1) throw std::invalid_argument("--test-data has no items");
    const Tensor test = *testSet->items(0, items);
    const double baseline = independentPixelBits(*trainSet, test);
    log("independent pixels: " + formatNumber(baseline, 4) + " bits/dim on " +
        std::to_string(items) + " test images");

    Table table;
    table.columns = {"path",
                     "proposal",
                     "steps",
                     "train_s",
                     "final_loss",
                     "items",
                     "K",
                     "bits_per_dim",
                     "bits_se",
                     "mean_ess",
                     "likelihood_s",
                     "baseline_bits",
                     "sample_solver"};
    std::vector<SampleSheet> sheets;
    const int64_t columns = std::max<int64_t>(1, std::llround(std::sqrt(double(f.sheet))));
    for (const std::string& path : context.paths) {
      const RunConfig config = makeConfig(options, f.data, path, 0);
      log("train " + path + ": " + std::to_string(config.train.steps) + " steps");
      TrainOutcome trained = train(config, trainSet, context.device);
      const std::size_t tail = std::min<std::size_t>(100, trained.losses.size());
      double finalLoss = 0;
      for (std::size_t k = trained.losses.size() - tail; k < trained.losses.size(); ++k)
        finalLoss += trained.losses[k] / static_cast<double>(tail);
      const Sampled drawn = sample(*trained.trainer, f.sheet, 7, options.nfe, context.device,
                                   parseReadout(options.readout));
      SampleSheet sheet;
      sheet.title = path + (isEGeodesicPath(path) ? " (ours)" : "");
      sheet.colourKey = path;
      sheet.height = layout.height;
      sheet.width = layout.width;
      sheet.classes = trainSet->classes();
      sheet.maps = toMaps(drawn.labels);
      sheets.push_back(std::move(sheet));

      std::vector<std::string> common = {path, "", std::to_string(trained.losses.size()),
                                         formatNumber(trained.seconds), formatNumber(finalLoss, 4)};
      auto addRow = [&](const std::string& proposal, const std::vector<std::string>& numbers) {
        std::vector<std::string> row = common;
        row[1] = proposal;
        row.insert(row.end(), numbers.begin(), numbers.end());
        row.push_back(formatNumber(baseline, 4));
        row.push_back(drawn.solver);
        table.add(row);
      };
      if (!isEGeodesicPath(path) || trained.nonFinite) {
        addRow("–", {"–", "–", "–", "–", "–", "–"});
        continue;
      }
      for (ProposalKind proposal : {ProposalKind::Reference, ProposalKind::PathEnd}) {
        LikelihoodOptions lik;
        lik.classes = trainSet->classes();
        lik.proposalSamples = f.proposals;
        lik.divergence = defaultDivergence(trainSet->variables(), trainSet->classes());
        lik.proposal = proposal;
        lik.smoothing = config.path.smoothing;
        lik.solver.step =
            trained.trainer->path().timeEnd() / static_cast<double>(f.likelihoodSteps);
        lik.seed = 1;
        lik.device = context.device;
        const auto start = Clock::now();
        const LikelihoodResult r =
            estimateLikelihood(trained.trainer->network(), trained.trainer->path(), test, lik);
        const double took = seconds(start);
        log("  likelihood (" + proposalName(proposal) +
            "): " + formatNumber(r.bitsPerDimension, 4) + " +- " +
            formatNumber(r.bitsPerDimensionStandardError, 2) + " bits/dim, effective samples " +
            formatNumber(r.meanEffectiveSamples) + " of " + std::to_string(f.proposals) + ", " +
            formatNumber(took) + " s");
        addRow(proposalName(proposal), {std::to_string(items), std::to_string(f.proposals),
                                        formatNumber(r.bitsPerDimension, 4),
                                        formatNumber(r.bitsPerDimensionStandardError, 2),
                                        formatNumber(r.meanEffectiveSamples), formatNumber(took)});
      }
    }
    writeTextFile(outputFile(options, "fashion", "csv"), toCsv(table));
    writeTextFile(outputFile(options, "fashion", "md"),
                  toMarkdown(table, {false, false, true, true, true, true, true, true, true, true,
                                     true, true, false}));
    std::ostringstream title;
    title << "Binarized Fashion-MNIST " << layout.height << "x" << layout.width << ": " << f.sheet
          << " samples per path after " << options.steps << " steps (batch " << options.batch
          << ", lr " << formatNumber(options.learningRate) << ")";
    saveSampleSheets(sheets, static_cast<int>(columns), 2, outputFile(options, "fashion", "png"),
                     title.str());
    std::cout << toMarkdown(table) << "\n"
              << "wrote " << outputFile(options, "fashion", "csv") << ", .md and .png\n";
    return table;
  };
  return runComparison(argc, argv, defaults, benchmark);
}

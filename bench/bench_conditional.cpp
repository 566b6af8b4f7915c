// How exact conditional sampling is where the truth is known (issue 18, docs/CONDITIONING.md):
// on joint tables small enough to enumerate, every set A of given nodes and every value x_A,
// KL(p(x_B | x_A) || sampled) for the two methods. Per data, path and seed it trains two
// models with the same budget: a plain one, sampled with `replace` (the training-free
// method, what a user of any model gets), and one with --mask-training, sampled with
// `trained` and, for comparison, with `replace`.
//
//   efm_bench_conditional [--data SPEC]... [--samples S] [--steps N] [--seeds N]
//                         [--batch B] [--lr LR] [--paths ray,...] [--out DIR] [--quick]
//
// Defaults: the reference's budget (5000 steps, batch 512, lr 5e-4), 3 seeds, 4000 samples
// per case, coupled-binary and a 3-variable, 3-class table with strong dependence.
#include "bench_common.h"
#include "comparison_harness.h"
#include "report_table.h"

#include "efm/base/errors.h"
#include "efm/eval/conditional_exactness.h"
#include "efm/sampling/sampling_request.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

using namespace efm;
using namespace efm::bench;

namespace {

struct Method {
  std::string name;  // the row's label
  bool maskTrained;  // which of the two models
  ConditioningMethod conditioning;
};

const std::vector<Method> kMethods = {
    {"replace, plain model", false, ConditioningMethod::Replace},
    {"replace, mask-trained model", true, ConditioningMethod::Replace},
    {"trained", true, ConditioningMethod::Trained},
};

// "mean ± standard error" over seeds (just the number for one seed).
std::string meanAndError(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  if (values.size() < 2) return formatNumber(mean, 2);
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double error = std::sqrt(squares / static_cast<double>(values.size() - 1) / values.size());
  return formatNumber(mean, 2) + " ± " + formatNumber(error, 2);
}

std::string caseText(const ConditionalCase& given) {
  std::ostringstream text;
  for (size_t k = 0; k < given.nodes.size(); ++k)
    text << (k ? "," : "") << given.nodes[k] << "=" << given.labels[k];
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  CommonOptions defaults;
  defaults.seeds = 3;
  defaults.steps = 5000;
  defaults.batch = 512;
  defaults.learningRate = 5e-4;
  defaults.paths = "ray";
  std::vector<std::string> specs = {"toy:coupled-binary", "toy:dial?lambda=1&n=3&c=3&seed=0"};
  int64_t samples = 4000;

  ComparisonBenchmark benchmark;
  benchmark.name = "conditional";
  benchmark.title = "Conditional sampling against the exact conditionals of small tables";
  benchmark.canReplot = false;
  benchmark.addOptions = [&](CLI::App& app) {
    app.add_option("--data", specs, "data SPECs whose joint table is known (repeat the option)")
        ->capture_default_str();
    app.add_option("--samples", samples, "labelings sampled per given set and value")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  };
  benchmark.shrinkForQuick = [&](CommonOptions& options) {
    specs = {"toy:coupled-binary"};
    samples = std::min<int64_t>(samples, 500);
    options.steps = std::min<int64_t>(options.steps, 200);
    options.seeds = 1;
  };
  benchmark.measure = [&](const ComparisonContext& context) {
    const CommonOptions& options = context.options;
    Table runs, cases;
    runs.columns = {"data",    "path",    "seed",        "method", "steps",   "batch",   "cases",
                    "samples", "mean_kl", "weighted_kl", "max_kl", "train_s", "sample_s"};
    cases.columns = {"data", "path", "seed", "method", "given", "probability", "kl"};
    for (const std::string& spec : specs) {
      const DatasetPtr data = openDataset(spec);
      const std::optional<Tensor> joint = data->jointTable();
      if (!joint)
        throw InputError("--data '" + spec + "': its joint table is not known or too large");
      for (const auto& path : context.paths)
        for (int seed = 0; seed < options.seeds; ++seed) {
          std::map<bool, TrainOutcome> models;
          for (bool masked : {false, true}) {
            RunConfig config = makeConfig(options, spec, path, static_cast<uint64_t>(seed));
            config.network.givenNodes = masked;
            models[masked] = train(config, data, context.device);
            if (models[masked].nonFinite) {
              std::ostringstream message;
              message << spec << " " << path << " seed " << seed << ": training diverged";
              throw std::runtime_error(message.str());
            }
          }
          for (const Method& method : kMethods) {
            Trainer& trainer = *models[method.maskTrained].trainer;
            SamplingRequest request;
            request.evaluations = options.nfe;
            request.seed = 1000 + static_cast<uint64_t>(seed);
            const SampleOptions sampling = sampleOptionsFor(
                trainer.path(), data->variables(), data->classes(), request, context.device);
            const auto start = std::chrono::steady_clock::now();
            const ConditionalExactness e = measureConditionalExactness(
                trainer.network(), trainer.path(), *joint, data->variables(), data->classes(),
                method.conditioning, samples, sampling);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            runs.add({spec, path, std::to_string(seed), method.name, std::to_string(options.steps),
                      std::to_string(options.batch), std::to_string(e.cases.size()),
                      std::to_string(samples), formatNumber(e.meanKl, 4),
                      formatNumber(e.weightedKl, 4), formatNumber(e.maxKl, 4),
                      formatNumber(models[method.maskTrained].seconds, 4),
                      formatNumber(seconds, 4)});
            for (const ConditionalCase& given : e.cases)
              cases.add({spec, path, std::to_string(seed), method.name, caseText(given),
                         formatNumber(given.probability, 4), formatNumber(given.kl, 4)});
            std::ostringstream line;
            line << spec << " " << path << " seed " << seed << ", " << method.name
                 << ": mean conditional KL " << formatNumber(e.meanKl, 3) << " over "
                 << e.cases.size() << " cases (max " << formatNumber(e.maxKl, 3) << ")";
            log(line.str());
          }
          writeTextFile(outputFile(options, "conditional", "csv"), toCsv(runs));  // as it goes
          writeTextFile(outputFile(options, "conditional_cases", "csv"), toCsv(cases));
        }
    }
    return runs;
  };
  benchmark.report = [&](ComparisonContext& context, const Table& runs) {
    CommonOptions& options = context.options;
    readBudget(runs, options);
    // [data][path][method] -> mean and weighted KL per seed
    std::map<std::string, std::map<std::string, std::map<std::string, std::vector<double>>>> means,
        weighted;
    std::vector<std::string> order;
    for (const auto& row : runs.rows) {
      const std::string& spec = row[columnIndex(runs, "data")];
      if (std::find(order.begin(), order.end(), spec) == order.end()) order.push_back(spec);
      const std::string& path = row[columnIndex(runs, "path")];
      const std::string& method = row[columnIndex(runs, "method")];
      means[spec][path][method].push_back(std::stod(row[columnIndex(runs, "mean_kl")]));
      weighted[spec][path][method].push_back(std::stod(row[columnIndex(runs, "weighted_kl")]));
    }
    Table summary;
    summary.columns = {"data", "path", "method", "mean conditional KL", "E over x_A"};
    for (const auto& spec : order)
      for (const auto& [path, byMethod] : means[spec])
        for (const Method& method : kMethods) {
          const auto it = byMethod.find(method.name);
          if (it == byMethod.end()) continue;
          summary.add({spec, path, method.name, meanAndError(it->second),
                       meanAndError(weighted[spec][path][method.name])});
        }
    std::ostringstream md;
    md << "Conditional exactness: KL(p(x_B | x_A) || sampled) over every given set A and value "
          "x_A of positive probability, "
       << samples << " samples per case; mean ± s.e. over " << options.seeds << " seed(s). "
       << options.steps << " steps, batch " << options.batch << ", lr " << options.learningRate
       << ", " << options.model << samplerCaption(options) << ".\n\n"
       << toMarkdown(summary, {false, false, false, true, true});
    writeTextFile(outputFile(options, "conditional", "md"), md.str());
    std::cout << md.str();
  };
  return runComparison(argc, argv, defaults, benchmark);
}

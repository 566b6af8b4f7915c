#include "comparison_harness.h"

#include "efm/base/random.h"
#include "efm/base/runtime_tuning.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <set>
#include <stdexcept>

namespace efm::bench {

std::size_t columnIndex(const Table& table, const std::string& name) {
  const auto it = std::find(table.columns.begin(), table.columns.end(), name);
  if (it == table.columns.end())
    throw std::invalid_argument("the runs table has no column " + name);
  return static_cast<std::size_t>(it - table.columns.begin());
}

void readBudget(const Table& runs, CommonOptions& options) {
  std::set<std::string> seeds;
  for (const auto& row : runs.rows) {
    seeds.insert(row[columnIndex(runs, "seed")]);
    options.steps = std::stoll(row[columnIndex(runs, "steps")]);
    options.batch = std::stoll(row[columnIndex(runs, "batch")]);
  }
  options.seeds = static_cast<int>(seeds.size());
}

int runComparison(int argc, char** argv, CommonOptions options,
                  const ComparisonBenchmark& benchmark) {
  tuneRuntime(argv);
  CLI::App app{benchmark.title};
  addCommonOptions(app, options);
  if (benchmark.addOptions) benchmark.addOptions(app);
  std::string replot;
  if (benchmark.canReplot)
    app.add_option(
        "--replot", replot,
        "write the tables and plots again from a " + benchmark.name + ".csv, training nothing");
  CLI11_PARSE(app, argc, argv);
  try {
    if (options.quick && benchmark.shrinkForQuick) benchmark.shrinkForQuick(options);
    ComparisonContext context{options, prepare(options, benchmark.name, replot.empty()),
                              selectDevice(options.device), replot};
    const Table runs = replot.empty() ? benchmark.measure(context) : fromCsv(readTextFile(replot));
    if (benchmark.report) benchmark.report(context, runs);
    log("wrote " + options.out);
  } catch (const std::exception& e) {
    std::cerr << "efm_bench_" << benchmark.name << ": " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace efm::bench

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

std::vector<std::string> pathsOf(const Table& runs) {
  std::vector<std::string> paths;
  for (const auto& row : runs.rows) {
    const std::string& path = row[columnIndex(runs, "path")];
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
  }
  return paths;
}

std::vector<std::string> summaryColumns(const std::string& first,
                                        const std::vector<std::string>& paths,
                                        const std::vector<std::string>& after) {
  std::vector<std::string> columns = {first};
  columns.insert(columns.end(), paths.begin(), paths.end());
  columns.insert(columns.end(), after.begin(), after.end());
  return columns;
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

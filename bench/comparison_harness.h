#pragma once
// The frame every comparison benchmark runs in, so that each one is only what differs: its
// own options, what --quick shrinks, how it measures (training and sampling one model per
// path and seed into a table of runs) and how it reports (tables and plots drawn from that
// table alone, so that --replot draws them again from a saved CSV). The frame parses the
// common options (bench_common.h) and --replot, prepares the output folder, checks the
// paths, picks the device, and turns any error into a message and exit code 2.
#include "bench_common.h"
#include "report_table.h"

#include <torch/types.h>
#include <CLI/App.hpp>

#include <functional>
#include <string>
#include <vector>

namespace efm::bench {

struct ComparisonContext {
  CommonOptions& options;
  std::vector<std::string> paths;  // empty when replotting
  torch::Device device = torch::kCPU;
  std::string replotFile;  // non-empty: the runs come from this CSV, nothing is trained
};

struct ComparisonBenchmark {
  std::string name;   // "class_scaling": the output folder and the files' names
  std::string title;  // the --help line
  bool canReplot = true;
  std::function<void(CLI::App&)> addOptions;           // its own options; may be empty
  std::function<void(CommonOptions&)> shrinkForQuick;  // what --quick does; may be empty
  // Trains and samples: one row per run (writing the CSV as it goes is the benchmark's).
  std::function<Table(const ComparisonContext&)> measure;
  // Tables and plots from the runs alone; may be empty.
  std::function<void(ComparisonContext&, const Table& runs)> report;
};

// main() of a comparison benchmark; `options` holds its defaults.
int runComparison(int argc, char** argv, CommonOptions options,
                  const ComparisonBenchmark& benchmark);

// The budget a runs table was measured with, into `options`: steps and batch (from the
// columns "steps" and "batch") and the number of seeds (distinct values of "seed"), so that
// the captions of a --replot say what was run.
void readBudget(const Table& runs, CommonOptions& options);

// The paths of a runs table (column "path"), in the order they first appear.
std::vector<std::string> pathsOf(const Table& runs);
// The columns of a summary with a row per case: `first`, one per path, then `after`.
std::vector<std::string> summaryColumns(const std::string& first,
                                        const std::vector<std::string>& paths,
                                        const std::vector<std::string>& after);

// The index of the column called `name`; std::invalid_argument naming it otherwise.
std::size_t columnIndex(const Table& table, const std::string& name);

}  // namespace efm::bench

#pragma once
// The subcommands of `efm`. Each registers its options on a CLI11 subcommand and returns
// the function that runs it. Runners return the process exit code; they throw
// efm::InputError for bad input (exit 2) and anything else for other failures (exit 1).
#include "efm/base/limits.h"

#include <CLI/App.hpp>

#include <functional>

namespace efm {
struct SamplingRequest;
}

namespace efm::cli {

using Runner = std::function<int()>;

Runner addTrainCommand(CLI::App& app);
Runner addSampleCommand(CLI::App& app);
Runner addEvalCommand(CLI::App& app);
Runner addDataCommand(CLI::App& app);
Runner addLikelihoodCommand(CLI::App& app);

// Option checks. Number checks that, unlike CLI::PositiveNumber, reject NaN and infinity.
extern const CLI::Validator PositiveFinite;     // finite and > 0
extern const CLI::Validator NonNegativeFinite;  // finite and >= 0
extern const CLI::Validator SeedNumber;         // digits only, at most 2^64 - 1
// A finite number within the setting's range, the one the core and the studio use too.
CLI::Validator WithinLimits(const Limits<double>& limits);
CLI::Validator WithinLimits(const Limits<int64_t>& limits);
extern const CLI::Validator NonEmptyText;  // file and folder names

// --solver, --step and --t-end, shared by the commands that sample.
void addSolverOptions(CLI::App& command, SamplingRequest& request);

// --threads and --device, shared by the commands that compute.
struct ComputeOptions {
  int threads = 0;  // 0 = all cores
  std::string device = "auto";
};
void addComputeOptions(CLI::App& command, ComputeOptions& options);
// Sets LibTorch's intra-op thread count for this (main) thread; returns the device.
c10::Device applyComputeOptions(const ComputeOptions& options);

}  // namespace efm::cli

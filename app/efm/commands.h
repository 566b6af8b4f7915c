#pragma once
// The subcommands of `efm`. Each registers its options on a CLI11 subcommand and returns
// the function that runs it. Runners return the process exit code; they throw
// efm::InputError for bad input (exit 2) and anything else for other failures (exit 1).
#include "efm/base/limits.h"
#include "efm/models/precision.h"

#include <CLI/App.hpp>

#include <functional>

namespace efm {
struct SamplingRequest;
class VectorFieldImpl;
}  // namespace efm

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

// --threads and --device, shared by the commands that compute; --precision for those that
// run a network forward in bulk (train, sample, eval).
struct ComputeOptions {
  int threads = 0;  // 0 = all cores
  std::string device = "auto";
  std::string precision = "fp32";  // or "bf16" (efm/models/precision.h)
};
void addComputeOptions(CLI::App& command, ComputeOptions& options);
void addPrecisionOption(CLI::App& command, ComputeOptions& options);
// Sets LibTorch's intra-op thread count for this (main) thread; returns the device.
c10::Device applyComputeOptions(const ComputeOptions& options);
// Sets `network` to the precision --precision asks for, or to fp32 where that cannot run
// (the reason in one line on stderr, prefixed with `command`, when `report`); returns
// what runs.
Precision applyPrecisionOption(const ComputeOptions& options, VectorFieldImpl& network,
                               const c10::Device& device, const std::string& command,
                               bool report = true);

}  // namespace efm::cli

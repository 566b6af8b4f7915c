#include "commands.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/models/vector_field.h"

#include <torch/torch.h>

#include <iostream>
#include <thread>

namespace efm::cli {

void addComputeOptions(CLI::App& command, ComputeOptions& options) {
  command.add_option("--threads", options.threads, "LibTorch intra-op threads (0 = all cores)")
      ->check(CLI::Range(0, 1024));
  command.add_option("--device", options.device, "auto, cpu, cuda or cuda:N")
      ->capture_default_str();
}

void addPrecisionOption(CLI::App& command, ComputeOptions& options) {
  command
      .add_option("--precision", options.precision,
                  "fp32, or bf16: the U-Net's convolutions with bf16 operands where the CPU "
                  "has AVX512-BF16 or AMX (elsewhere fp32, with a notice)")
      ->check(CLI::IsMember({"fp32", "bf16"}))
      ->capture_default_str();
}

Precision applyPrecisionOption(const ComputeOptions& options, VectorFieldImpl& network,
                               const c10::Device& device, const std::string& command, bool report) {
  const PrecisionChoice choice =
      choosePrecision(parsePrecision(options.precision, "--precision"), network, device);
  if (report && !choice.notice.empty()) std::cerr << command << ": " << choice.notice << "\n";
  network.setPrecision(choice.precision);
  return choice.precision;
}

c10::Device applyComputeOptions(const ComputeOptions& options) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(options.threads > 0 ? options.threads : cores);
  return selectDevice(options.device);
}

}  // namespace efm::cli

#include "commands.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"

#include <torch/torch.h>

#include <thread>

namespace efm::cli {

void addComputeOptions(CLI::App& command, ComputeOptions& options) {
  command.add_option("--threads", options.threads, "LibTorch intra-op threads (0 = all cores)")
      ->check(CLI::Range(0, 1024));
  command.add_option("--device", options.device, "auto, cpu, cuda or cuda:N")
      ->capture_default_str();
}

c10::Device applyComputeOptions(const ComputeOptions& options) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(options.threads > 0 ? options.threads : cores);
  return selectDevice(options.device);
}

}  // namespace efm::cli

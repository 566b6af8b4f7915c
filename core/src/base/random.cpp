#include "efm/base/random.h"

#include "efm/base/errors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/cuda.h>

namespace efm {

at::Generator makeGenerator(const c10::Device& device, uint64_t seed) {
  if (device.is_cpu()) return at::detail::createCPUGenerator(seed);
  at::Generator generator = at::globalContext().defaultGenerator(device);
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_current_seed(seed);
  }
  return generator;
}

c10::Device selectDevice(const std::string& name) {
  if (name == "auto")
    return torch::cuda::is_available() ? c10::Device(c10::kCUDA) : c10::Device(c10::kCPU);
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(name);
  } catch (const std::exception&) {
    throw InputError("--device: unknown device '" + name + "' (expected auto, cpu or cuda[:N])");
  }
  if (device.is_cuda() && !torch::cuda::is_available())
    throw InputError("--device " + name + ": this LibTorch build or machine has no CUDA device");
  if (!device.is_cpu() && !device.is_cuda())
    throw InputError("--device: only cpu and cuda devices are supported, got '" + name + "'");
  return device;
}

}  // namespace efm

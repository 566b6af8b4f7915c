// c10d's Gloo process group behind efm::Collective. Compiled with EFM_HAVE_C10D_GLOO, which
// CMake defines when LibTorch's c10d headers and the Gloo library link (core/CMakeLists.txt);
// without it, joining a job is an InputError that says so.
#include "efm/dist/distributed.h"

#include "efm/base/errors.h"

#ifdef EFM_HAVE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include <chrono>
#include <cstdlib>

namespace efm {

#ifdef EFM_HAVE_C10D_GLOO

namespace {

bool isLoopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

class GlooCollective final : public Collective {
 public:
  explicit GlooCollective(const ProcessGroupOptions& options) : options_(options) {
    const auto timeout =
        std::chrono::milliseconds(static_cast<int64_t>(options.timeoutSeconds * 1000));
    try {
      c10d::TCPStoreOptions storeOptions;
      storeOptions.port = static_cast<std::uint16_t>(options.masterPort);
      storeOptions.isServer = options.rank == 0;
      storeOptions.numWorkers = options.worldSize;
      storeOptions.waitWorkers = false;  // the process group's own rendezvous waits
      storeOptions.timeout = timeout;
      auto store = c10::make_intrusive<c10d::TCPStore>(options.masterAddress, storeOptions);
      auto groupOptions = c10d::ProcessGroupGloo::Options::create(timeout);
      // As PyTorch does: GLOO_SOCKET_IFNAME names the interface; a job on loopback stays on
      // it; otherwise the address this machine's host name resolves to.
      if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"))
        groupOptions->devices.push_back(
            c10d::ProcessGroupGloo::createDeviceForInterface(interface));
      else if (isLoopback(options.masterAddress))
        groupOptions->devices.push_back(
            c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else
        groupOptions->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store, options.rank, options.worldSize,
                                                           groupOptions);
    } catch (const std::exception& e) {
      throw DistributedError(where() + "could not join the job at " + options.masterAddress + ":" +
                             std::to_string(options.masterPort) + " within " +
                             std::to_string(static_cast<int>(options.timeoutSeconds)) +
                             " s (are all ranks started, with the same MASTER_ADDR, " +
                             "MASTER_PORT and WORLD_SIZE?): " + firstLine(e.what()));
    }
  }

  int rank() const override { return options_.rank; }
  int worldSize() const override { return options_.worldSize; }

  void allreduceSum(torch::Tensor& tensor) override {
    run("averaging gradients", tensor,
        [&](std::vector<at::Tensor>& tensors) { return group_->allreduce(tensors); });
  }

  void broadcastFromRankZero(torch::Tensor& tensor) override {
    run("receiving rank 0's state", tensor,
        [&](std::vector<at::Tensor>& tensors) { return group_->broadcast(tensors); });
  }

 private:
  std::string where() const { return "rank " + std::to_string(options_.rank) + ": "; }

  static std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

  // Gloo works on CPU tensors here: CUDA tensors go through a CPU copy (NCCL is not wired).
  template <typename Operation>
  void run(const char* what, torch::Tensor& tensor, Operation operation) {
    const bool staged = !tensor.device().is_cpu();
    std::vector<at::Tensor> tensors{staged ? tensor.cpu() : tensor.contiguous()};
    try {
      operation(tensors)->wait();
    } catch (const std::exception& e) {
      throw DistributedError(where() + "lost contact with the other ranks while " + what +
                             " (a rank stopped, the network failed or " +
                             std::to_string(static_cast<int>(options_.timeoutSeconds)) +
                             " s passed): " + firstLine(e.what()));
    }
    if (staged || !tensors[0].is_same(tensor)) tensor.copy_(tensors[0]);
  }

  ProcessGroupOptions options_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};

}  // namespace

bool distributedTrainingAvailable() { return true; }

CollectivePtr joinProcessGroup(const ProcessGroupOptions& options) {
  return std::make_shared<GlooCollective>(options);
}

#else

bool distributedTrainingAvailable() { return false; }

CollectivePtr joinProcessGroup(const ProcessGroupOptions&) {
  throw InputError(
      "this efm was built without c10d's Gloo process group (CMake did not find LibTorch's "
      "c10d headers or the Gloo library: install libgloo-dev and rebuild), so it cannot "
      "train on several processes");
}

#endif

}  // namespace efm

// Catch2 entry point for the core tests. LibTorch's intra-op thread count is pinned so
// that results and timings do not depend on the machine's default (STACK.md 5).
#define CATCH_CONFIG_RUNNER
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "efm/runtime_tuning.h"

int main(int argc, char* argv[]) {
  efm::tuneRuntime(argv);
  torch::set_num_threads(2);
  return Catch::Session().run(argc, argv);
}

// Catch2 entry point for the core tests. LibTorch's intra-op thread count is pinned so
// that results and timings do not depend on the machine's default (docs/STACK.md 5): 2, or
// EFM_TEST_THREADS (the ThreadSanitizer run uses 1: libgomp is not instrumented, so TSan
// cannot see its barriers and reports every OpenMP hand-over as a race).
#define CATCH_CONFIG_RUNNER
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "efm/base/runtime_tuning.h"

#include <algorithm>
#include <cstdlib>

int main(int argc, char* argv[]) {
  efm::tuneRuntime(argv);
  const char* threads = std::getenv("EFM_TEST_THREADS");
  torch::set_num_threads(threads ? std::max(1, std::atoi(threads)) : 2);
  return Catch::Session().run(argc, argv);
}

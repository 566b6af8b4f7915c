// U-Net benchmark (issue 4): training steps per second on 64 x 128 label maps with 8 classes
// at batch 4, and the time to sample 4 maps with RK4 (step 0.2 to t_end 15: 75 steps, 300
// network evaluations), with the achieved GFLOP/s against this machine's measured rate for
// a 3 x 3 convolution of the same shape as the U-Net's widest layers.
//
//   build/bin/efm_bench_unet [--threads T] [--quick] [--steps N] [--size HxW]
//                            [--precision fp32|bf16] [--evaluations E]
//
// --precision bf16 trains and samples with the U-Net's mixed bf16 path (fp32 with a notice
// where the CPU has no native bf16); --evaluations E samples with RK4 at E evaluations per
// map instead of 300.
//
// Reference figures (the authors' Python implementation on the same 2-core machine, same
// LibTorch 1.13, 2 threads): 1.78 training steps/s, 61.7 s to sample 4 maps.
#include "banded_maps.h"
#include "bench_report.h"
#include "efm/base/runtime_tuning.h"
#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/models/precision.h"
#include "efm/models/unet_field.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>

using namespace efm;
using efm::bench::Clock;
using efm::bench::row;
using efm::bench::seconds;

namespace {

// Forward 3 x 3 convolution, 64 -> 64 channels on [4, 64, 32, 64]: the U-Net's bulk.
double measureConvGflops() {
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({4, 64, 32, 64});
  const auto w = torch::randn({64, 64, 3, 3});
  return efm::bench::gflopsOf([&] { torch::conv2d(x, w, {}, 1, 1); },
                              2.0 * 4 * 32 * 64 * 64 * 64 * 9);
}

}  // namespace

int main(int argc, char** argv) {
  efm::tuneRuntime(argv);
  int threads = 2;
  bool quick = false;
  int64_t steps = 20;
  int64_t height = 64, width = 128;
  int64_t evaluations = 300;
  std::string precisionArg = "fp32";
  for (int k = 1; k < argc; ++k) {
    if (!std::strcmp(argv[k], "--precision") && k + 1 < argc) precisionArg = argv[++k];
    if (!std::strcmp(argv[k], "--evaluations") && k + 1 < argc) evaluations = std::atoll(argv[++k]);
    if (!std::strcmp(argv[k], "--threads") && k + 1 < argc) threads = std::atoi(argv[++k]);
    if (!std::strcmp(argv[k], "--steps") && k + 1 < argc) steps = std::atoll(argv[++k]);
    if (!std::strcmp(argv[k], "--quick")) quick = true;
    if (!std::strcmp(argv[k], "--size") && k + 1 < argc &&
        std::sscanf(argv[++k], "%ldx%ld", &height, &width) != 2) {
      std::cerr << "--size takes HxW, e.g. 32x64\n";
      return 2;
    }
  }
  if (precisionArg != "fp32" && precisionArg != "bf16") {
    std::cerr << "--precision takes fp32 or bf16\n";
    return 2;
  }
  if (evaluations < 4 || evaluations % 4 != 0) {
    std::cerr << "--evaluations: a positive multiple of 4 (RK4 evaluates 4 times a step)\n";
    return 2;
  }
  if (height % 8 != 0 || width % 8 != 0 || height < 8 || width < 8) {
    std::cerr << "--size: height and width must be positive multiples of 8\n";
    return 2;
  }
  const std::string size = std::to_string(height) + "x" + std::to_string(width);
  if (quick) steps = 5;
  torch::set_num_threads(threads);
  std::cout << "efm U-Net benchmark: " << threads << " threads, LibTorch " << TORCH_VERSION << "\n";
  const double conv = measureConvGflops();
  std::cout << "measured fp32 conv 3x3 64->64 on 4x32x64: " << std::setprecision(1) << std::fixed
            << conv << " GFLOP/s\n\n";

  RunConfig config;
  config.data = "banded-maps";
  config.network.kind = "unet";  // reference: 32 channels, 1,2,2,2, two blocks, attention 16
  config.train.batch = 4;
  config.train.seed = 1;
  resolveAndValidate(config);
  Trainer trainer(config, std::make_shared<efm::bench::BandedMaps>(height, width));
  const PrecisionChoice precision =
      choosePrecision(parsePrecision(precisionArg, "--precision"), trainer.network(), torch::kCPU);
  if (!precision.notice.empty()) std::cout << precision.notice << "\n";
  trainer.network().setPrecision(precision.precision);
  std::cout << "precision: " << precisionName(precision.precision) << "\n";
  const double multiplyAdds = trainer.network().multiplyAddsPerSample();
  std::cout << "U-Net: " << std::setprecision(2) << 2 * multiplyAdds / 1e9 << " GFLOP per " << size
            << " map forward, " << trainer.network().parameters().size() << " parameter tensors\n";
  for (int k = 0; k < 2; ++k) trainer.step();
  const auto start = Clock::now();
  for (int64_t k = 0; k < steps; ++k) trainer.step();
  const double stepsPerSecond = steps / seconds(start);
  row("train U-Net " + size + ", 8 classes, batch 4", stepsPerSecond, "steps/s", 1.78, true);
  // Backward costs about twice the forward pass (gradients of inputs and of weights).
  const double trainRate = 3 * 2 * multiplyAdds * 4 * stepsPerSecond / 1e9;
  std::cout << "    " << std::setprecision(1) << trainRate << " GFLOP/s (" << std::setprecision(0)
            << 100 * trainRate / conv << "% of the measured conv rate)\n";

  SamplingRequest request;  // the reference's sampler: RK4, step 0.2, to t_end 15
  request.count = 4;
  request.solver = "rk4";
  request.timeEnd = 15;
  if (quick)
    request.step = 1.5;
  else
    request.evaluations = evaluations;
  const SampleOptions options = sampleOptionsFor(trainer.path(), height * width, 8, request);
  const auto sampleStart = Clock::now();
  const SampleResult result = sampleLabelings(trainer.network(), trainer.path(), options);
  const double sampleSeconds = seconds(sampleStart);
  if (quick) {
    std::cout << "sample 4 maps, RK4 step 1.5 (--quick): " << std::setprecision(2) << sampleSeconds
              << " s\n";
    return 0;
  }
  row("sample 4 maps " + size + ", RK4 to 15, " + std::to_string(result.evaluations) +
          " evaluations",
      sampleSeconds, "s", 61.7, false);
  const double sampleRate = 2 * multiplyAdds * 4 * result.evaluations / sampleSeconds / 1e9;
  std::cout << "    " << result.evaluations << " evaluations; " << std::setprecision(1)
            << sampleRate << " GFLOP/s (" << std::setprecision(0) << 100 * sampleRate / conv
            << "% of the measured conv rate)\n";
  return 0;
}

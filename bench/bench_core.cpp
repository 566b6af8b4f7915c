// Core benchmark (issue 2): training steps per second and sampling time for the reference
// cases, with achieved GFLOP/s against this machine's measured matrix-multiply rate.
//
//   build/bin/efm_bench_core [--threads T] [--quick] [--cases mlp,dense,cnn,cnn-ref,sample]
//
// dense and cnn-ref are the reference's own networks, layer for layer: the figures below were
// measured with them, so those two rows compare like with like.
//
// Reference figures (the authors' Python implementation on the same 2-core machine, same
// LibTorch 1.13 with OpenBLAS, 2 threads): MLP 21.9 steps/s, CNN 7.5 steps/s, sampling
// 16,000 coupled-binary labelings with RK4 (step 0.2, t_end 15) 34.3 s.
#include "bench_report.h"
#include "efm/base/runtime_tuning.h"
#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>

using namespace efm;
using efm::bench::Clock;
using efm::bench::row;
using efm::bench::seconds;

namespace {

// fp32 GEMM rate of this machine with LibTorch's BLAS (the ceiling for the MLP).
double measureMatmulGflops() {
  torch::NoGradGuard noGrad;
  const int64_t n = 1024;
  const auto a = torch::randn({n, n}), b = torch::randn({n, n});
  return efm::bench::gflopsOf([&] { torch::mm(a, b); }, 2.0 * n * n * n);
}

struct TrainResult {
  double stepsPerSecond;
  double multiplyAddsPerSample;  // forward pass, as the network's layers define it
};

TrainResult benchTraining(const RunConfig& config, int64_t warmup, int64_t steps) {
  RunConfig c = config;
  resolveAndValidate(c);
  Trainer trainer(c, openDataset(c.data));
  for (int64_t k = 0; k < warmup; ++k) trainer.step();
  const auto start = Clock::now();
  for (int64_t k = 0; k < steps; ++k) trainer.step();
  return {steps / seconds(start), trainer.network().multiplyAddsPerSample()};
}

// One training case: its rate against the reference's, and the achieved FLOP rate (forward
// + backward is about 3 forward passes; 2 FLOPs per multiply-add) against matmul's.
void reportTraining(const std::string& name, const RunConfig& config, int64_t steps,
                    double reference, double gemm) {
  const TrainResult result = benchTraining(config, std::max<int64_t>(5, steps / 20), steps);
  row(name, result.stepsPerSecond, "steps/s", reference, true);
  const double gflops =
      3 * 2 * result.multiplyAddsPerSample * config.train.batch * result.stepsPerSecond / 1e9;
  std::cout << "    " << std::setprecision(1) << gflops << " GFLOP/s (" << std::setprecision(0)
            << 100 * gflops / gemm << "% of matmul)\n";
}

}  // namespace

int main(int argc, char** argv) {
  efm::tuneRuntime(argv);
  int threads = 2;
  bool quick = false;
  std::string cases = "mlp,dense,cnn,cnn-ref,sample";
  for (int k = 1; k < argc; ++k) {
    if (!std::strcmp(argv[k], "--threads") && k + 1 < argc) threads = std::atoi(argv[++k]);
    if (!std::strcmp(argv[k], "--cases") && k + 1 < argc) cases = argv[++k];
    if (!std::strcmp(argv[k], "--quick")) quick = true;
  }
  auto runs = [&](const std::string& name) {
    return ("," + cases + ",").find("," + name + ",") != std::string::npos;
  };
  torch::set_num_threads(threads);
  std::cout << "efm core benchmark: " << threads << " threads, LibTorch " << TORCH_VERSION << "\n";
  const double gemm = measureMatmulGflops();
  std::cout << "measured fp32 matmul (1024^3): " << std::setprecision(1) << std::fixed << gemm
            << " GFLOP/s\n\n";

  // 1. MLP and the reference's dense net, 2 hidden layers of 256, coupled-binary, batch 512.
  RunConfig mlp;
  mlp.data = "toy:coupled-binary";
  mlp.network.kind = "mlp";
  mlp.network.hidden = 256;
  mlp.network.layers = 2;
  mlp.train.batch = 512;
  if (runs("mlp"))
    reportTraining("train MLP 2x256, coupled-binary, batch 512", mlp, quick ? 100 : 600, 21.9,
                   gemm);
  RunConfig dense = mlp;
  dense.network.kind = "dense";
  if (runs("dense"))
    reportTraining("train dense 2x256, coupled-binary, batch 512", dense, quick ? 100 : 600, 21.9,
                   gemm);

  // 2. Dilated CNNs, hidden 128, class-scaling toy K = 160, batch 128: ours and the reference's.
  RunConfig cnn;
  cnn.data = "toy:kscaling?K=160&n=4&seed=0";
  cnn.network.kind = "cnn";
  cnn.network.hidden = 128;
  cnn.train.batch = 128;
  if (runs("cnn"))
    reportTraining("train CNN h128, kscaling K=160, batch 128", cnn, quick ? 20 : 100, 7.5, gemm);
  RunConfig cnnRef = cnn;
  cnnRef.network.kind = "cnn-ref";
  if (runs("cnn-ref"))
    reportTraining("train cnn-ref h128, kscaling K=160, batch 128", cnnRef, quick ? 20 : 100, 7.5,
                   gemm);
  if (!runs("sample")) return 0;

  // 3. Sampling 16,000 coupled-binary labelings with RK4, step 0.2, t_end 15.
  RunConfig sampling = mlp;
  resolveAndValidate(sampling);
  Trainer trainer(sampling, openDataset(sampling.data));
  SamplingRequest request;  // the reference's sampler: RK4, step 0.2, to t_end 15
  request.count = 16000;
  request.solver = "rk4";
  request.step = 0.2;
  request.timeEnd = 15;
  const SampleOptions options = sampleOptionsFor(trainer.path(), 2, 2, request);
  const auto start = Clock::now();
  const SampleResult result = sampleLabelings(trainer.network(), trainer.path(), options);
  const double sampleSeconds = seconds(start);
  row("sample 16,000 coupled-binary, RK4 0.2 to 15", sampleSeconds, "s", 34.3, false);
  const double sampleFlops =
      result.evaluations * 16000.0 * 2 * trainer.network().multiplyAddsPerSample();
  std::cout << "    " << result.evaluations << " evaluations; " << std::setprecision(1)
            << sampleFlops / sampleSeconds / 1e9 << " GFLOP/s in the linear layers\n";
  return 0;
}

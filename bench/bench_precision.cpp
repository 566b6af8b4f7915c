// Issue 19: what inference of the U-Net costs in each precision and memory layout. Times
// this machine's 3 x 3 convolution (the U-Net's bulk) and one U-Net forward pass (batch 4,
// the reference network) as fp32 NCHW (what training uses), fp32 channels-last, bf16 NCHW
// bf16 channels-last and mixed bf16 (what --precision bf16 runs: fp32 network, convolutions
// with bf16 operands), and reports each pass's GFLOP/s, its fraction of the convolution
// rate of the same precision and layout, and how far its output is from fp32 NCHW.
// (LibTorch 1.13's CPU autocast cannot run this network: it casts convolutions to bf16 but
// leaves group norm's fp32 weights, and group norm refuses the mixed types.)
//
//   build/bin/efm_bench_precision [--threads T] [--size HxW] [--reps N]
#include "bench_report.h"
#include "efm/base/runtime_tuning.h"
#include "efm/config/run_config.h"
#include "efm/models/network_registry.h"
#include "efm/models/unet_field.h"

#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>

using namespace efm;

namespace {

struct Variant {
  const char* name;
  torch::ScalarType dtype;
  bool channelsLast;
  bool mixed = false;  // fp32 network, convolutions with bf16 operands (--precision bf16)
};

torch::MemoryFormat layoutOf(const Variant& v) {
  return v.channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
}

}  // namespace

int main(int argc, char** argv) {
  efm::tuneRuntime(argv);
  int threads = 2, reps = 5;
  int64_t height = 64, width = 128;
  for (int k = 1; k < argc; ++k) {
    if (!std::strcmp(argv[k], "--threads") && k + 1 < argc) threads = std::atoi(argv[++k]);
    if (!std::strcmp(argv[k], "--reps") && k + 1 < argc) reps = std::atoi(argv[++k]);
    if (!std::strcmp(argv[k], "--size") && k + 1 < argc &&
        std::sscanf(argv[++k], "%ldx%ld", &height, &width) != 2) {
      std::cerr << "--size takes HxW, e.g. 32x64\n";
      return 2;
    }
  }
  torch::set_num_threads(threads);
  torch::InferenceMode inference;
  std::cout << "efm precision benchmark: " << threads << " threads, LibTorch " << TORCH_VERSION
            << ", " << height << "x" << width << " maps, batch 4\n";

  const Variant variants[] = {{"fp32 NCHW", torch::kFloat32, false},
                              {"fp32 channels-last", torch::kFloat32, true},
                              {"bf16 NCHW", torch::kBFloat16, false},
                              {"bf16 channels-last", torch::kBFloat16, true},
                              {"mixed bf16 (efm)", torch::kBFloat16, false, true}};

  RunConfig config;
  config.network.kind = "unet";
  config.variables = height * width;
  config.classes = 8;
  config.image = ImageLayout{height, width, "categories"};
  resolveAndValidate(config);
  torch::manual_seed(1);
  const int64_t batch = 4;
  const Tensor w = torch::softmax(torch::randn({batch, height * width, 8}), -1);
  const Tensor t = torch::full({batch}, 3.0);
  Tensor reference;
  std::cout << std::left << std::setw(22) << "variant" << std::right << std::setw(12) << "conv GF/s"
            << std::setw(14) << "U-Net ms" << std::setw(12) << "U-Net GF/s" << std::setw(10)
            << "of conv" << std::setw(14) << "max rel diff"
            << "\n";
  for (const Variant& v : variants) {
    // The widest layers' shape: 64 channels at half the map's resolution.
    const int64_t rows = height / 2, columns = width / 2;
    const auto x = torch::randn({batch, 64, rows, columns}).to(v.dtype).contiguous(layoutOf(v));
    const auto k = torch::randn({64, 64, 3, 3}).to(v.dtype).contiguous(layoutOf(v));
    const double flops = 2.0 * static_cast<double>(batch * rows * columns) * 64 * 64 * 9;
    const double conv = efm::bench::gflopsOf([&] { torch::conv2d(x, k, {}, 1, 1); }, flops);

    torch::manual_seed(2);
    VectorFieldPtr network =
        makeVectorField(config.variables, config.classes, config.network, config.image);
    {  // The zero-initialised output layers would make every variant agree trivially.
      torch::NoGradGuard noGrad;
      for (auto& p : network->parameters()) p.normal_(0, 0.05);
    }
    network->eval();
    if (v.mixed)
      network->setPrecision(Precision::kBFloat16);
    else
      network->to(v.dtype);
    if (v.channelsLast) {
      for (auto& p : network->parameters())
        if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
      std::dynamic_pointer_cast<UNetFieldImpl>(network)->setChannelsLast(true);
    }
    const Tensor input = v.mixed ? w : w.to(v.dtype);
    const Tensor time = v.mixed ? t : t.to(v.dtype);
    auto forward = [&] { return network->forward(input, time); };
    Tensor out = forward();
    const auto start = efm::bench::Clock::now();
    for (int r = 0; r < reps; ++r) out = forward();
    const double ms = 1e3 * efm::bench::seconds(start) / reps;
    const double rate = 2 * network->multiplyAddsPerSample() * batch / (ms / 1e3) / 1e9;
    out = out.to(torch::kFloat32);
    if (!reference.defined()) reference = out;
    // Relative to the largest output of fp32 NCHW.
    const double diff = ((out - reference).abs().max() / reference.abs().max()).item<double>();
    std::cout << std::left << std::setw(22) << v.name << std::right << std::fixed
              << std::setprecision(1) << std::setw(12) << conv << std::setw(14) << ms
              << std::setw(12) << rate << std::setw(9) << std::setprecision(0) << 100 * rate / conv
              << "%" << std::setw(14) << std::scientific << std::setprecision(2) << diff
              << std::defaultfloat << "\n";
  }
  return 0;
}

// Issue 19: efm against the authors' reference in one run. Times efm's workloads (training
// the MLP, the CNN and the U-Net; sampling toys and label maps at 300 network evaluations and
// with the path's own sampler), each in fp32 and, for the U-Net, in mixed bf16, with the achieved
// GFLOP/s as a fraction of this machine's measured peak of the same precision (a 1024^3 matrix
// product and a 3 x 3 convolution). With GAF_DIR pointing at an extracted checkout of the authors'
// code, it then runs bench/reference/gaf_speed.py on the same workloads in the same session
// and reports efm's figures as ratios of the reference's (> 1: efm is faster).
//
//   GAF_DIR=~/gaf build/bin/efm_bench_speed [--threads T] [--quick] [--out DIR]
//       [--reference-tuned]
//
// The reference runs with OpenMP's default settings, as a person would start it;
// --reference-tuned gives it the short OpenMP spin that efm sets for itself.
//
// The default sampler's rows are at equal quality only as far as the quality-against-
// evaluations table in docs/PERFORMANCE.md shows (efm_bench_nfe).
#include "banded_maps.h"
#include "bench_report.h"
#include "efm/base/cpu_features.h"
#include "efm/base/runtime_tuning.h"
#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/models/precision.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace efm;
using efm::bench::Clock;
using efm::bench::seconds;

namespace {

struct Peaks {
  double matmul[2] = {0, 0};  // GFLOP/s, [fp32, bf16]
  double conv[2] = {0, 0};
};

int index(Precision p) { return p == Precision::kBFloat16 ? 1 : 0; }

// The best of three measurements over a few shapes: a peak is what the machine can do, and
// a single short measurement on a shared machine often catches it busy.
Peaks measurePeaks(bool bf16) {
  torch::InferenceMode inference;
  Peaks peaks;
  for (Precision p : {Precision::kFloat32, Precision::kBFloat16}) {
    if (p == Precision::kBFloat16 && !bf16) continue;
    const auto type = p == Precision::kBFloat16 ? torch::kBFloat16 : torch::kFloat32;
    for (int64_t n : {1024, 2048}) {
      const auto a = torch::randn({n, n}).to(type), b = torch::randn({n, n}).to(type);
      for (int attempt = 0; attempt < 3; ++attempt)
        peaks.matmul[index(p)] = std::max(
            peaks.matmul[index(p)], bench::gflopsOf([&] { torch::mm(a, b); }, 2.0 * n * n * n, 5));
    }
    // 3 x 3 convolutions of the U-Net's widest kind (64 channels at half of a 64 x 128 map,
    // batch 4) and a wider one (128 channels on the full map).
    for (auto [channels, rows, columns] : {std::array<int64_t, 3>{64, 32, 64}, {128, 64, 128}}) {
      const auto x = torch::randn({4, channels, rows, columns}).to(type);
      const auto k = torch::randn({channels, channels, 3, 3}).to(type);
      const double flops = 2.0 * 4 * rows * columns * channels * channels * 9;
      for (int attempt = 0; attempt < 3; ++attempt)
        peaks.conv[index(p)] =
            std::max(peaks.conv[index(p)],
                     bench::gflopsOf([&] { torch::conv2d(x, k, {}, 1, 1); }, flops, 5));
    }
  }
  return peaks;
}

struct Row {
  std::string name, reference;  // reference: gaf_speed.py's workload key
  double value = 0;
  std::string unit;  // "steps/s" (higher is better) or "s"
  Precision precision = Precision::kFloat32;
  double gflops = 0, peak = 0;  // achieved, and the peak of its precision and kind
};

RunConfig workloadConfig(const std::string& data, const std::string& network, int64_t hidden,
                         int64_t batch) {
  RunConfig config;
  config.data = data;
  config.network.kind = network;
  config.network.hidden = hidden;  // 0: the network's default
  config.train.batch = batch;
  return config;
}

std::unique_ptr<Trainer> makeTrainer(RunConfig config, const DatasetPtr& data,
                                     Precision precision) {
  resolveAndValidate(config);
  auto trainer = std::make_unique<Trainer>(config, data);
  trainer->network().setPrecision(precision);
  return trainer;
}

// Training steps per second after a warm-up, and the achieved GFLOP/s (forward + backward is
// about 3 forward passes; 2 FLOPs per multiply-add).
std::pair<double, double> trainingRate(Trainer& trainer, int64_t steps) {
  for (int64_t k = 0; k < std::max<int64_t>(2, steps / 10); ++k) trainer.step();
  const auto start = Clock::now();
  for (int64_t k = 0; k < steps; ++k) trainer.step();
  const double rate = steps / seconds(start);
  return {rate, 3 * 2 * trainer.network().multiplyAddsPerSample() * trainer.config().train.batch *
                    rate / 1e9};
}

// Seconds to draw `count` samples with RK4 at `evaluations` per sample over t in [0, 15]
// (the reference's sampler at 300), or with the path's own sampler when `evaluations` is 0;
// the evaluations per sample, and the achieved GFLOP/s.
struct Sampling {
  double seconds = 0, gflops = 0;
  int64_t evaluations = 0;
};
Sampling samplingTime(Trainer& trainer, int64_t count, int64_t evaluations) {
  SamplingRequest request;
  request.count = count;
  if (evaluations > 0) {
    request.solver = "rk4";
    request.timeEnd = 15;
    request.evaluations = evaluations;
  }
  const SampleOptions options = sampleOptionsFor(trainer.path(), trainer.data().variables(),
                                                 trainer.data().classes(), request);
  const auto start = Clock::now();
  const SampleResult result = sampleLabelings(trainer.network(), trainer.path(), options);
  Sampling out;
  out.seconds = seconds(start);
  out.evaluations = result.evaluations;
  out.gflops = 2 * trainer.network().multiplyAddsPerSample() * static_cast<double>(count) *
               static_cast<double>(result.evaluations) / out.seconds / 1e9;
  return out;
}

// The reference's figures from bench/reference/gaf_speed.py, by workload key. It runs with
// OpenMP's default settings, as a person would run it, unless `tuned`: then with the ones
// this program gave itself (efm/base/runtime_tuning.h), which the child would inherit.
std::map<std::string, double> runReference(int threads, bool quick, bool tuned) {
  std::map<std::string, double> figures;
  const std::string script = std::string(EFM_SOURCE_DIR) + "/bench/reference/gaf_speed.py";
  std::ostringstream command;
  if (!tuned) command << "env -u GOMP_SPINCOUNT -u KMP_BLOCKTIME -u EFM_KEEP_OPENMP_SETTINGS ";
  command << "/usr/bin/python3 '" << script << "' --threads " << threads
          << (quick ? " --quick" : "");
  std::cout << "\nthe reference (" << std::getenv("GAF_DIR") << "): " << command.str() << "\n";
  FILE* pipe = ::popen(command.str().c_str(), "r");
  if (!pipe) {
    std::cout << "could not start it\n";
    return figures;
  }
  char line[4096];
  while (std::fgets(line, sizeof line, pipe)) {
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      figures[j.at("workload").get<std::string>()] = j.at("value").get<double>();
      std::cout << "  " << line << std::flush;
    } catch (const std::exception&) {
      std::cout << "  (not a result) " << line;
    }
  }
  const int status = ::pclose(pipe);
  if (status != 0) std::cout << "the reference exited with status " << status << "\n";
  return figures;
}

std::string samplerName(int64_t requested, int64_t evaluations) {
  return requested > 0 ? "RK4 " + std::to_string(evaluations) + " evaluations"
                       : "default sampler (" + std::to_string(evaluations) + " evaluations)";
}

std::string fixed(double value, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  efm::tuneRuntime(argv);
  int threads = 2;
  bool quick = false, referenceTuned = false;
  std::string out = "bench-results/speed";
  for (int k = 1; k < argc; ++k) {
    if (!std::strcmp(argv[k], "--threads") && k + 1 < argc) threads = std::atoi(argv[++k]);
    if (!std::strcmp(argv[k], "--out") && k + 1 < argc) out = argv[++k];
    if (!std::strcmp(argv[k], "--quick")) quick = true;
    if (!std::strcmp(argv[k], "--reference-tuned")) referenceTuned = true;
  }
  torch::set_num_threads(threads);
  const CpuBf16Support cpu = detectCpuBf16();
  std::cout << "efm speed benchmark: " << threads << " threads, LibTorch " << TORCH_VERSION
            << ", CPU: " << cpu.describe() << "\n";
  const Peaks peaks = measurePeaks(cpu.native());
  std::cout << "peaks (GFLOP/s): matmul fp32 " << fixed(peaks.matmul[0], 1) << ", bf16 "
            << fixed(peaks.matmul[1], 1) << "; conv 3x3 fp32 " << fixed(peaks.conv[0], 1)
            << ", bf16 " << fixed(peaks.conv[1], 1) << "\n";
  std::vector<Precision> mapPrecisions = {Precision::kFloat32};
  if (cpu.native()) mapPrecisions.push_back(Precision::kBFloat16);
  const int64_t full = quick ? 40 : 300;  // the reference's RK4: step 0.2 to t = 15
  std::vector<Row> rows;
  auto add = [&](Row row) {
    std::cout << std::left << std::setw(58) << row.name << std::right << std::setw(10)
              << fixed(row.value, 3) << " " << row.unit << "\n";
    rows.push_back(std::move(row));
  };

  auto addTraining = [&](const std::string& name, const std::string& key, Trainer& trainer,
                         int64_t steps, Precision precision, double peak) {
    const auto [rate, gflops] = trainingRate(trainer, steps);
    add({name, key, rate, "steps/s", precision, gflops, peak});
  };

  {
    const RunConfig mlp = workloadConfig("toy:coupled-binary", "mlp", 256, 512);
    const auto trainer = makeTrainer(mlp, openDataset(mlp.data), Precision::kFloat32);
    addTraining("train MLP 2x256, coupled-binary, batch 512", "mlp_train", *trainer,
                quick ? 50 : 400, Precision::kFloat32, peaks.matmul[0]);
    for (int64_t e : {full, int64_t{0}}) {
      const Sampling d = samplingTime(*trainer, 16000, e);
      add({"sample 16,000 coupled-binary, " + samplerName(e, d.evaluations), "toy_sample_300",
           d.seconds, "s", Precision::kFloat32, d.gflops, peaks.matmul[0]});
    }
  }
  {
    const RunConfig cnn = workloadConfig("toy:kscaling?K=160&n=4&seed=0", "cnn", 128, 128);
    const auto trainer = makeTrainer(cnn, openDataset(cnn.data), Precision::kFloat32);
    addTraining("train CNN h128, class-scaling K=160, batch 128", "cnn_train", *trainer,
                quick ? 10 : 80, Precision::kFloat32, peaks.matmul[0]);
  }
  // The reference's U-Net: 32 channels, multipliers 1,2,2,2, two blocks (the defaults).
  const RunConfig unet = workloadConfig("banded-maps", "unet", 0, 4);
  const auto maps = std::make_shared<bench::BandedMaps>(64, 128);
  for (Precision p : mapPrecisions) {
    const auto trainer = makeTrainer(unet, maps, p);
    const std::string tag = std::string(", ") + precisionName(p);
    addTraining("train U-Net 64x128, 8 classes, batch 4" + tag, "unet_train", *trainer,
                quick ? 3 : 12, p, peaks.conv[index(p)]);
    for (int64_t e : {full, int64_t{0}}) {
      const Sampling d = samplingTime(*trainer, 4, e);
      add({"sample 4 U-Net maps 64x128, " + samplerName(e, d.evaluations) + tag, "unet_sample_300",
           d.seconds, "s", p, d.gflops, peaks.conv[index(p)]});
    }
  }

  std::map<std::string, double> reference;
  if (std::getenv("GAF_DIR")) reference = runReference(threads, quick, referenceTuned);
  std::ostringstream md;
  md << "| workload | efm | of peak | reference | ratio |\n|---|---:|---:|---:|---:|\n";
  for (const Row& row : rows) {
    const auto found = reference.find(row.reference);
    std::string ref, ratio;
    if (found != reference.end() && found->second > 0) {
      ref = fixed(found->second, 2) + " " + row.unit;
      const double r = row.unit == "s" ? found->second / row.value : row.value / found->second;
      ratio = fixed(r, 2) + "x";
    }
    md << "| " << row.name << " | " << fixed(row.value, 2) << " " << row.unit << " | "
       << (row.peak > 0
               ? fixed(100 * row.gflops / row.peak, 0) + "% of " + precisionName(row.precision)
               : std::string("-"))
       << " | " << ref << " | " << ratio << " |\n";
  }
  md << "\nPeaks (GFLOP/s, measured here, the best of matrix products 1024^3 and 2048^3 and of "
        "3x3 convolutions 64->64 on 4x32x64 and 128->128 on 4x64x128): matmul fp32 "
     << fixed(peaks.matmul[0], 1) << ", bf16 " << fixed(peaks.matmul[1], 1) << "; convolution fp32 "
     << fixed(peaks.conv[0], 1) << ", bf16 " << fixed(peaks.conv[1], 1) << ". " << threads
     << " threads, LibTorch " << TORCH_VERSION << ", CPU: " << cpu.describe()
     << (reference.empty() ? ". No reference run (set GAF_DIR).\n"
         : referenceTuned  ? ". The reference ran with efm's OpenMP settings (--reference-tuned).\n"
                           : ". The reference ran with OpenMP's default settings.\n");
  std::cout << "\n" << md.str();
  std::filesystem::create_directories(out);
  std::ofstream(std::filesystem::path(out) / "speed.md") << md.str();
  return 0;
}

// A Cityscapes-style folder of synthetic street scenes, as grey and palette label-id PNGs.
#include "efm/data/images/synthetic_streets.h"

#include "data/images/cityscapes_labels.h"
#include "data/images/synthetic_scene.h"
#include "data/parallel_work.h"
#include "efm/base/errors.h"
#include "efm/data/images/png_io.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace efm {
namespace {

using detail::streets::SplitMix;

uint64_t sceneSeed(uint64_t seed, int64_t index) {
  SplitMix mix(seed ^ (0xD1B54A32D192ED03ull * static_cast<uint64_t>(index + 1)));
  return mix.next();
}

std::vector<std::array<uint8_t, 3>> idColours() {
  std::vector<std::array<uint8_t, 3>> colours;
  for (const auto& label : detail::cityscapesLabels()) colours.push_back(label.colour);
  return colours;
}

}  // namespace

SyntheticCityscapesSummary writeSyntheticCityscapes(const std::string& root, int64_t count,
                                                    uint64_t seed,
                                                    const SyntheticCityscapesOptions& options,
                                                    const DataProgress& progress) {
  namespace fs = std::filesystem;
  if (count < 1) throw InputError("synthetic Cityscapes: --count must be at least 1");
  if (options.height < 8 || options.width < 8 || options.height > 8192 || options.width > 16384)
    throw InputError("synthetic Cityscapes: the size must be between 8x8 and 8192x16384, got " +
                     std::to_string(options.height) + "x" + std::to_string(options.width));
  const double train = options.trainFraction, val = options.valFraction;
  if (!(train >= 0) || !(val >= 0) || !(train + val <= 1 + 1e-9))
    throw InputError(
        "synthetic Cityscapes: the train and val fractions must be >= 0 with a sum <= 1");
  SyntheticCityscapesSummary summary;
  summary.root = root;
  const auto total = static_cast<double>(count);
  const auto trainCount = static_cast<int64_t>(std::floor(train * total + 0.5));
  const auto valCount =
      std::min(count - trainCount,
               static_cast<int64_t>(std::floor((train + val) * total + 0.5)) - trainCount);
  summary.counts = {trainCount, valCount, count - trainCount - valCount};
  const char* splits[] = {"train", "val", "test"};
  std::vector<std::string> folders;
  for (int s = 0; s < 3; ++s) {
    const fs::path folder = fs::path(root) / "gtFine" / splits[s] / "synthcity";
    folders.push_back(folder.string());
    if (summary.counts[s] == 0) continue;
    std::error_code error;
    fs::create_directories(folder, error);
    if (error)
      throw InputError("cannot create folder '" + folder.string() + "': " + error.message());
  }
  for (int64_t i = 0; i < count; ++i) {
    const int split = i < trainCount ? 0 : i < trainCount + valCount ? 1 : 2;
    char name[64];
    std::snprintf(name, sizeof name, "synthcity_%06lld_000019_gtFine_labelIds.png",
                  static_cast<long long>(i));
    summary.files.push_back((fs::path(folders[split]) / name).string());
  }
  const auto palette = idColours();
  detail::runParallel(count, "writing " + root, progress, [&](int64_t i) {
    const Tensor scene = renderStreetScene(sceneSeed(seed, i), options.height, options.width);
    if (i % 3 == 2)
      writePaletteLabelPng(summary.files[i], scene, palette);
    else
      writeLabelPng(summary.files[i], scene);
  });
  return summary;
}

}  // namespace efm

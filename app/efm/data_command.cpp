// efm data info: what a data SPEC contains (JSON on stdout).
// efm data synth-streets: writes a Cityscapes-style folder of synthetic street scenes.
#include "commands.h"
#include "data_progress_bar.h"
#include "interrupt.h"
#include "json_output.h"
#include "terminal_progress.h"

#include "efm/base/errors.h"
#include "efm/data/data_summary.h"
#include "efm/data/images/label_palette.h"
#include "efm/data/images/synthetic_streets.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

namespace efm::cli {

namespace {

// Per-node marginals are printed only while they stay readable.
constexpr int64_t kMaxPrintedMarginals = 100000;

std::string hexColour(const std::array<uint8_t, 3>& rgb) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return text;
}

nlohmann::json imageJson(const DataSummary& summary) {
  nlohmann::json image;
  image["crop"] = {summary.image.height, summary.image.width};
  image["class_set"] = summary.image.classSet;
  if (const auto& facts = summary.imageFacts) {
    image["images"] = facts->images;
    image["file_size"] = {facts->fileHeight, facts->fileWidth};
    image["size"] = {facts->height, facts->width};
    image["crops"] = facts->crops;
    image["out_of_table_pixels"] = facts->outOfTablePixels;
  }
  const ClassPalette palette = classPalette(summary.image.classSet, summary.classes);
  nlohmann::json classes = nlohmann::json::array();
  const Tensor f = summary.classFrequencies.to(torch::kDouble).contiguous();
  for (int64_t k = 0; k < summary.classes; ++k)
    classes.push_back({{"name", palette.names[k]},
                       {"colour", hexColour(palette.colours[k])},
                       {"frequency", f[k].item<double>()}});
  image["classes"] = classes;
  // Statistics only: the maps were streamed because a training crop or the held maps would
  // exceed what `efm train` accepts.
  image["streamed"] = summary.streamed;
  return image;
}

int runDataInfo(const std::string& spec) {
  DataProgressBar bar;
  SummaryOptions options;
  options.maxMarginalEntries = kMaxPrintedMarginals;
  const DataSummary summary = summarizeData(spec, bar.callback(), options);
  bar.finish();
  nlohmann::json out;
  out["data"] = spec;
  out["description"] = summary.description;
  out["n"] = summary.variables;
  out["c"] = summary.classes;
  if (summary.count)
    out["count"] = *summary.count;
  else
    out["count"] = nullptr;  // a distribution, not a finite set of items
  out["joint_table_known"] = summary.jointTableKnown;
  out["class_frequencies"] = tensorToJson(summary.classFrequencies);
  if (summary.image.isImage()) out["image"] = imageJson(summary);
  if (summary.marginals) out["marginals"] = tensorToJson(*summary.marginals);
  printJson(out);
  return 0;
}

struct SynthArgs {
  std::string out;
  int64_t count = 0;
  uint64_t seed = 0;
  int64_t height = 1024;
  int64_t width = 2048;
  std::vector<double> split{0.8, 0.1, 0.1};
};

int runSynthStreets(const SynthArgs& args) {
  if (args.split.size() != 3 || args.split[0] + args.split[1] + args.split[2] <= 0)
    throw InputError("--split: expected three non-negative shares TRAIN,VAL,TEST, e.g. 8,1,1");
  const double sum = args.split[0] + args.split[1] + args.split[2];
  SyntheticCityscapesOptions options;
  options.height = args.height;
  options.width = args.width;
  options.trainFraction = args.split[0] / sum;
  options.valFraction = args.split[1] / sum;
  DataProgressBar bar;
  const auto start = std::chrono::steady_clock::now();
  const SyntheticCityscapesSummary summary =
      writeSyntheticCityscapes(args.out, args.count, args.seed, options, bar.callback());
  bar.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json out;
  out["root"] = summary.root;
  out["count"] = args.count;
  out["seed"] = args.seed;
  out["size"] = {args.height, args.width};
  const char* names[] = {"train", "val", "test"};
  int64_t first = 0;
  for (int s = 0; s < 3; ++s) {
    nlohmann::json split;
    split["count"] = summary.counts[s];
    if (summary.counts[s] > 0) {
      split["first"] = summary.files[first];
      split["last"] = summary.files[first + summary.counts[s] - 1];
      split["data"] = "cityscapes:" + summary.root + "?split=" + names[s];
    }
    first += summary.counts[s];
    out["splits"][names[s]] = split;
  }
  out["seconds"] = seconds;
  printJson(out);
  return 0;
}

}  // namespace

Runner addDataCommand(CLI::App& app) {
  app.require_subcommand(1);
  auto spec = std::make_shared<std::string>();
  CLI::App* info = app.add_subcommand("info", "Describe a dataset (JSON on stdout)");
  info->add_option("--data", *spec, "data SPEC")->required();

  auto synth = std::make_shared<SynthArgs>();
  CLI::App* streets = app.add_subcommand(
      "synth-streets",
      "Write synthetic street scenes as Cityscapes gtFine label maps (JSON summary on stdout)");
  streets->add_option("--out", synth->out, "root folder (gets gtFine/SPLIT/synthcity/)")
      ->check(NonEmptyText)
      ->required();
  streets->add_option("--count", synth->count, "number of scenes")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  streets->add_option("--seed", synth->seed, "random seed")
      ->check(SeedNumber)
      ->capture_default_str();
  streets->add_option("--height", synth->height, "label map height in pixels")
      ->check(CLI::Range(int64_t{8}, int64_t{8192}))
      ->capture_default_str();
  streets->add_option("--width", synth->width, "label map width in pixels")
      ->check(CLI::Range(int64_t{8}, int64_t{16384}))
      ->capture_default_str();
  streets->add_option("--split", synth->split, "shares of train, val and test, e.g. 8,1,1")
      ->delimiter(',')
      ->expected(3)
      ->check(NonNegativeFinite);

  return [spec, info, synth, streets] {
    try {
      if (info->parsed()) return runDataInfo(*spec);
      if (streets->parsed()) return runSynthStreets(*synth);
    } catch (const Cancelled&) {
      std::cerr << "efm data: interrupted\n";
      return 130;
    }
    return 2;
  };
}

}  // namespace efm::cli

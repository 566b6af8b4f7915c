// efm sample: labelings from a trained run to a CSV file (one labeling per line); for image
// data also label-map PNGs (colourised and raw) and a contact sheet.
#include "commands.h"
#include "interrupt.h"
#include "terminal_progress.h"

#include "efm/base/errors.h"
#include "efm/data/images/label_maps.h"
#include "efm/io/sample_files.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/training_run.h"

#include <chrono>
#include <filesystem>
#include <iostream>

namespace efm::cli {

namespace {

struct SampleArgs {
  std::string run, out, trajectories;
  SamplingRequest request;  // the options bind to it directly
  ComputeOptions compute;
};

namespace fs = std::filesystem;

// Where the CSV and the pictures go. Non-image runs: --out is the CSV. Image runs: --out is
// a folder for the pictures (with samples.csv inside), or, when it names a .csv file, the
// CSV with the pictures in the folder FILE_maps beside it.
struct SampleOutputs {
  std::string csv, mapsDirectory;
};

SampleOutputs sampleOutputs(const std::string& out, bool image) {
  if (!image) return {out, ""};
  const fs::path path(out);
  if (path.extension() == ".csv")
    return {out, (path.parent_path() / (path.stem().string() + "_maps")).string()};
  return {(path / "samples.csv").string(), out};
}

int runSample(const SampleArgs& args) {
  const c10::Device device = applyComputeOptions(args.compute);
  const TrainedModel model = loadTrainedModel(RunDirectory{args.run}, device);
  SamplingRequest request = args.request;
  request.keepTrajectory = !args.trajectories.empty();
  const SampleOptions options =
      sampleOptionsFor(*model.path, model.config.variables, model.config.classes, request, device);

  InterruptGuard interrupt;
  TerminalProgress bar("sample");
  const auto start = std::chrono::steady_clock::now();
  const SampleResult result = sampleLabelings(
      *model.network, *model.path, options,
      [&](int64_t done, int64_t total) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        bar.update(done, total, elapsed / done * (total - done), "labelings");
      },
      [&] { return interrupt.interrupted(); });
  bar.finish();
  const SampleOutputs outputs = sampleOutputs(args.out, model.config.image.isImage());
  if (!outputs.mapsDirectory.empty()) {
    const LabelMapFiles files = writeLabelMaps(outputs.mapsDirectory, result.labels,
                                               model.config.image, model.config.classes);
    std::cerr << "efm sample: " << files.colour.size() << " label maps ("
              << model.config.image.height << " x " << model.config.image.width << ", "
              << (model.config.image.classSet.empty() ? "generic" : model.config.image.classSet)
              << " palette) in " << outputs.mapsDirectory << ", contact sheet " << files.sheet
              << "\n";
  }
  writeLabelingsCsv(outputs.csv, result.labels);
  if (!args.trajectories.empty())
    writeTrajectoriesCsv(args.trajectories, result.trajectories, result.times);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "efm sample: " << options.count << " labelings (n=" << options.variables
            << ", c=" << options.classes << ") in " << seconds << " s, " << result.evaluations
            << " network evaluations each, to " << outputs.csv << "\n";
  return 0;
}

}  // namespace

Runner addSampleCommand(CLI::App& app) {
  auto args = std::make_shared<SampleArgs>();
  app.add_option("--run", args->run, "run directory written by efm train")
      ->check(NonEmptyText)
      ->required();
  app.add_option("--count", args->request.count, "number of labelings")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34));
  app.add_option("--out", args->out,
                 "output CSV, one labeling per line; for image data a folder for the label-map "
                 "PNGs and samples.csv (or a .csv with the PNGs in FILE_maps/)")
      ->check(NonEmptyText)
      ->required();
  addSolverOptions(app, args->request);
  app.add_option("--rtol", args->request.relativeTolerance, "dopri5 relative tolerance")
      ->check(PositiveFinite);
  app.add_option("--atol", args->request.absoluteTolerance, "dopri5 absolute tolerance")
      ->check(PositiveFinite);
  app.add_option("--readout", args->request.readout, "argmax (rounding) or factorized")
      ->check(CLI::IsMember({"argmax", "factorized"}))
      ->capture_default_str();
  app.add_option("--seed", args->request.seed, "random seed")
      ->check(SeedNumber)
      ->capture_default_str();
  app.add_option("--trajectories", args->trajectories,
                 "also write W(t) of every labeling as a CSV (sample,step,t,node,p0..)")
      ->check(NonEmptyText);
  addComputeOptions(app, args->compute);
  return [args] { return runSample(*args); };
}

}  // namespace efm::cli

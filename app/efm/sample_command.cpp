// efm sample: labelings from a trained run to a CSV file (one labeling per line); for image
// data also label-map PNGs (colourised and raw) and a contact sheet.
#include "commands.h"
#include "interrupt.h"
#include "terminal_progress.h"

#include "efm/base/errors.h"
#include "efm/data/images/label_maps.h"
#include "efm/io/given_nodes.h"
#include "efm/io/sample_files.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/training_run.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

namespace efm::cli {

namespace {

struct SampleArgs {
  std::string run, out, trajectories;
  std::string given, mask, conditioning;  // conditional sampling (docs/CONDITIONING.md)
  int64_t labelClass = -1;
  double guidance = 1;
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

// The given nodes of --given (and --mask), with the method of --conditioning or the run's
// default: trained for a run trained with --mask-training, replace otherwise.
GivenNodes givenNodesOf(const SampleArgs& args, const TrainedModel& model) {
  if (args.given.empty()) {
    if (!args.mask.empty()) throw InputError("--mask needs --given LABELS.png");
    if (!args.conditioning.empty()) throw InputError("--conditioning needs --given");
    return {};
  }
  const bool picture = fs::path(args.given).extension() == ".png";
  if (picture && args.mask.empty())
    throw InputError("--given '" + args.given + "' is a label map: --mask MASK.png must say " +
                     "which of its pixels are given (not 0 = given)");
  if (!picture && !args.mask.empty())
    throw InputError("--mask goes with --given LABELS.png, not with NODE=LABEL lists");
  GivenNodes given =
      picture
          ? givenNodesFromLabelMap(args.given, args.mask, model.config.image, model.config.classes)
          : givenNodesFromText(args.given, model.config.variables, model.config.classes);
  given.method = !args.conditioning.empty()        ? parseConditioningMethod(args.conditioning)
                 : model.config.network.givenNodes ? ConditioningMethod::Trained
                                                   : ConditioningMethod::Replace;
  return given;
}

int runSample(const SampleArgs& args) {
  const c10::Device device = applyComputeOptions(args.compute);
  const TrainedModel model = loadTrainedModel(RunDirectory{args.run}, device);
  const Precision precision =
      applyPrecisionOption(args.compute, *model.network, device, "efm sample");
  SamplingRequest request = args.request;
  request.keepTrajectory = !args.trajectories.empty();
  SampleOptions options =
      sampleOptionsFor(*model.path, model.config.variables, model.config.classes, request, device);
  options.given = givenNodesOf(args, model);
  if (args.guidance != 1 && args.labelClass < 0)
    throw InputError("--guidance needs --class K (it weighs the class against no class)");
  options.labelClass = args.labelClass;
  options.guidance = args.guidance;

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
            << ", c=" << options.classes << ") in " << seconds << " s, ";
  if (options.earlyStop)
    std::cerr << std::fixed << std::setprecision(1) << result.meanEvaluations << std::defaultfloat
              << " network evaluations each on average (early stopping; " << result.evaluations
              << " without)";
  else
    std::cerr << result.evaluations << " network evaluations each";
  if (options.given.any())
    std::cerr << ", " << options.given.mask.sum().item<int64_t>() << " node(s) given ("
              << conditioningMethodName(options.given.method) << ")";
  if (options.labelClass >= 0)
    std::cerr << ", class " << options.labelClass << " with guidance " << options.guidance;
  if (precision != Precision::kFloat32) std::cerr << ", " << precisionName(precision);
  std::cerr << ", to " << outputs.csv << "\n";
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
  app.add_option("--given", args->given,
                 "sample with these nodes given: NODE=LABEL,... (nodes in the data's order, "
                 "from 0), or for label maps a label PNG (pixel = class) with --mask")
      ->check(NonEmptyText);
  app.add_option("--mask", args->mask,
                 "with --given LABELS.png: a PNG of the label-map size, not 0 = given pixel")
      ->check(NonEmptyText);
  app.add_option("--conditioning", args->conditioning,
                 "how given nodes condition the rest: replace (any model) or trained (a run "
                 "trained with --mask-training; its default)")
      ->check(CLI::IsMember({"replace", "trained"}));
  app.add_option("--class", args->labelClass,
                 "sample this class label from a run trained with --condition-on-class")
      ->check(CLI::Range(int64_t{0}, int64_t{1023}));
  app.add_option("--guidance", args->guidance,
                 "classifier-free guidance weight w with --class: F_u + w (F_c - F_u); 1 = the "
                 "conditional model (default), > 1 sharper and less diverse, 0 = no class")
      ->check(NonNegativeFinite);
  addComputeOptions(app, args->compute);
  addPrecisionOption(app, args->compute);
  return [args] { return runSample(*args); };
}

}  // namespace efm::cli

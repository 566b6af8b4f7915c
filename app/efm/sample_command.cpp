// efm sample: labelings from a trained run to a CSV file (one labeling per line); for image
// data also label-map PNGs (colourised and raw) and a contact sheet.
#include "commands.h"
#include "interrupt.h"
#include "terminal_progress.h"

#include "efm/errors.h"
#include "efm/label_maps.h"
#include "efm/sample_files.h"
#include "efm/sampler.h"
#include "efm/training_run.h"

#include <chrono>
#include <filesystem>
#include <iostream>

namespace efm::cli {

namespace {

struct SampleArgs {
  std::string run, out, solver, readout = "argmax", trajectories;  // solver "": the path's
  int64_t count = 0;
  double step = 0, tEnd = 0, rtol = 1e-5, atol = 1e-6;  // step 0: the path's
  uint64_t seed = 0;
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
  SampleOptions options;
  options.count = args.count;
  options.variables = model.config.variables;
  options.classes = model.config.classes;
  // The path's own sampler (RK4, step 0.2 for ours; Euler for the peers) unless asked.
  options.solver = model.path->defaultSolver();
  if (!args.solver.empty()) options.solver.kind = parseSolverKind(args.solver);
  if (args.step > 0) options.solver.step = args.step;
  options.solver.relativeTolerance = args.rtol;
  options.solver.absoluteTolerance = args.atol;
  options.solver.keepTrajectory = !args.trajectories.empty();
  options.timeEnd = args.tEnd;
  options.readout = parseReadout(args.readout);
  options.seed = args.seed;
  options.device = device;

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
  std::cerr << "efm sample: " << args.count << " labelings (n=" << options.variables
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
  app.add_option("--count", args->count, "number of labelings")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34));
  app.add_option("--out", args->out,
                 "output CSV, one labeling per line; for image data a folder for the label-map "
                 "PNGs and samples.csv (or a .csv with the PNGs in FILE_maps/)")
      ->check(NonEmptyText)
      ->required();
  app.add_option("--solver", args->solver,
                 "ODE solver (default: the path's own: rk4 for ray and bridge, euler for the "
                 "peers)")
      ->check(CLI::IsMember({"euler", "heun", "rk4", "dopri5"}));
  app.add_option("--step", args->step,
                 "step size (dopri5: initial step; default: the path's own, 0.2 for ray and "
                 "bridge, 1/300 of the time span for the peers)")
      ->check(PositiveFinite);
  app.add_option("--t-end", args->tEnd, "end time (default: the path's, 15 for ray)")
      ->check(PositiveFinite);
  app.add_option("--rtol", args->rtol, "dopri5 relative tolerance")->check(PositiveFinite);
  app.add_option("--atol", args->atol, "dopri5 absolute tolerance")->check(PositiveFinite);
  app.add_option("--readout", args->readout, "argmax (rounding) or factorized")
      ->check(CLI::IsMember({"argmax", "factorized"}))
      ->capture_default_str();
  app.add_option("--seed", args->seed, "random seed")->check(SeedNumber)->capture_default_str();
  app.add_option("--trajectories", args->trajectories,
                 "also write W(t) of every labeling as a CSV (sample,step,t,node,p0..)")
      ->check(NonEmptyText);
  addComputeOptions(app, args->compute);
  return [args] { return runSample(*args); };
}

}  // namespace efm::cli

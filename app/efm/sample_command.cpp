// efm sample: labelings from a trained run to a CSV file (one labeling per line).
#include "commands.h"
#include "interrupt.h"
#include "terminal_progress.h"

#include "efm/errors.h"
#include "efm/sample_files.h"
#include "efm/sampler.h"
#include "efm/training_run.h"

#include <chrono>
#include <iostream>

namespace efm::cli {

namespace {

struct SampleArgs {
  std::string run, out, solver = "rk4", readout = "argmax", trajectories;
  int64_t count = 0;
  double step = 0.2, tEnd = 0, rtol = 1e-5, atol = 1e-6;
  uint64_t seed = 0;
  ComputeOptions compute;
};

int runSample(const SampleArgs& args) {
  const c10::Device device = applyComputeOptions(args.compute);
  const TrainedModel model = loadTrainedModel(RunDirectory{args.run}, device);
  SampleOptions options;
  options.count = args.count;
  options.variables = model.config.variables;
  options.classes = model.config.classes;
  options.solver.kind = parseSolverKind(args.solver);
  options.solver.step = args.step;
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
  writeLabelingsCsv(args.out, result.labels);
  if (!args.trajectories.empty())
    writeTrajectoriesCsv(args.trajectories, result.trajectories, result.times);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "efm sample: " << args.count << " labelings (n=" << options.variables
            << ", c=" << options.classes << ") in " << seconds << " s, " << result.evaluations
            << " network evaluations each, to " << args.out << "\n";
  return 0;
}

}  // namespace

Runner addSampleCommand(CLI::App& app) {
  auto args = std::make_shared<SampleArgs>();
  app.add_option("--run", args->run, "run directory written by efm train")->required();
  app.add_option("--count", args->count, "number of labelings")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34));
  app.add_option("--out", args->out, "output CSV, one labeling per line")->required();
  app.add_option("--solver", args->solver, "ODE solver")
      ->check(CLI::IsMember({"euler", "heun", "rk4", "dopri5"}))
      ->capture_default_str();
  app.add_option("--step", args->step, "step size (dopri5: initial step)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--t-end", args->tEnd, "end time (default: the path's, 15 for ray)")
      ->check(CLI::PositiveNumber);
  app.add_option("--rtol", args->rtol, "dopri5 relative tolerance")->check(CLI::PositiveNumber);
  app.add_option("--atol", args->atol, "dopri5 absolute tolerance")->check(CLI::PositiveNumber);
  app.add_option("--readout", args->readout, "argmax (rounding) or factorized")
      ->check(CLI::IsMember({"argmax", "factorized"}))
      ->capture_default_str();
  app.add_option("--seed", args->seed, "random seed")->capture_default_str();
  app.add_option("--trajectories", args->trajectories,
                 "also write W(t) of every labeling as a CSV (sample,step,t,node,p0..)");
  addComputeOptions(app, args->compute);
  return [args] { return runSample(*args); };
}

}  // namespace efm::cli

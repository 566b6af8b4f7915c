// efm train: defaults < --config FILE < explicit flags; --resume continues the run in --out.
#include "commands.h"
#include "data_progress_bar.h"
#include "interrupt.h"
#include "terminal_progress.h"

#include "efm/errors.h"
#include "efm/training_run.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace efm::cli {

namespace {

struct TrainArgs {
  std::string data, out, path, model, configFile, schedule;
  int64_t steps = 0, batch = 0, rollbacks = 0;
  double lr = 0, checkpointSeconds = 0;
  uint64_t seed = 0;
  bool resume = false;
  ComputeOptions compute;
  CLI::App* command = nullptr;
  bool given(const char* option) const { return command->count(option) > 0; }
};

// Options that only decide how a run is protected, so they may change on --resume.
void applySafetyOptions(const TrainArgs& args, RunConfig& config) {
  // (Values were checked by the options' validators.)
  if (args.given("--checkpoint-seconds")) config.train.checkpointSeconds = args.checkpointSeconds;
  if (args.given("--rollbacks")) config.train.rollbacks = args.rollbacks;
}

RunConfig configFromArgs(const TrainArgs& args) {
  RunConfig config;
  if (args.given("--config") && args.configFile.empty())
    throw InputError("--config: no file name given");
  if (!args.configFile.empty()) {
    std::ifstream in(args.configFile);
    if (!in) throw InputError("--config '" + args.configFile + "': cannot open the file");
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {  // syntax, or a number out of range
      throw InputError("--config '" + args.configFile + "': not valid JSON (" + e.what() + ")");
    }
    mergeConfig(config, j, "--config '" + args.configFile + "'");
  }
  if (args.given("--data")) config.data = args.data;
  if (args.given("--path")) config.path.kind = args.path;
  if (args.given("--model")) {
    if (config.network.kind != args.model) config.network.hidden = 0;  // that model's default
    config.network.kind = args.model;
  }
  if (args.given("--steps")) config.train.steps = args.steps;
  if (args.given("--batch")) config.train.batch = args.batch;
  if (args.given("--lr")) config.train.learningRate = args.lr;  // PositiveFinite checked it
  if (args.given("--seed")) config.train.seed = args.seed;
  if (args.given("--schedule")) config.train.schedule = args.schedule;
  applySafetyOptions(args, config);
  try {
    resolveAndValidate(config);
  } catch (const InputError& e) {
    if (args.configFile.empty()) throw;
    throw InputError(std::string(e.what()) + " (in --config '" + args.configFile +
                     "' or the flags)");
  }
  return config;
}

int runTrain(const TrainArgs& args) {
  const c10::Device device = applyComputeOptions(args.compute);
  const RunDirectory run{args.out};
  RunConfig config;
  if (args.resume) {
    for (const char* fixed :
         {"--data", "--path", "--model", "--batch", "--lr", "--seed", "--config", "--schedule"})
      if (args.given(fixed))
        throw InputError(std::string(fixed) + " cannot change when resuming (--resume); " +
                         "the run keeps the configuration in its checkpoint");
    config = readCheckpointInfo(run.checkpoint().string()).config;
    if (args.given("--steps")) config.train.steps = args.steps;
    applySafetyOptions(args, config);
    resolveAndValidate(config);
  } else {
    config = configFromArgs(args);
    if (std::filesystem::exists(run.checkpoint()))
      throw InputError("--out '" + args.out + "' already holds a run; continue it with " +
                       "--resume or choose another directory");
  }
  DatasetPtr data = openDatasetWithProgress(config.data);
  run.prepare();
  Trainer trainer(config, data, device);
  if (args.resume) trainer.loadCheckpoint(run.checkpoint().string());  // keeps `config`
  run.writeConfig(trainer.config());

  std::cerr << "efm train: " << data->description() << ", path " << config.path.kind << ", network "
            << config.network.kind << " (hidden " << config.network.hidden << "), "
            << config.train.steps << " steps of batch " << config.train.batch << " on "
            << device.str() << " with " << torch::get_num_threads() << " threads\n";
  if (trainer.completedSteps() >= config.train.steps)
    std::cerr << "efm train: the run already has " << trainer.completedSteps()
              << " steps; raise --steps to continue\n";

  InterruptGuard interrupt;
  TerminalProgress bar("train");
  TrainingHooks hooks;
  hooks.cancel = &interrupt.flag();
  hooks.progress = [&](const TrainProgress& p) {
    std::ostringstream detail;
    detail.precision(4);
    detail << "loss " << p.loss << "  " << std::fixed;
    detail.precision(1);
    detail << p.stepsPerSecond << " steps/s";
    bar.update(p.step, p.totalSteps, p.etaSeconds, detail.str());
  };
  hooks.rolledBack = [&](const Rollback& r) {
    bar.finish();
    std::cerr << "efm train: " << r.reason << "\nefm train: rolled back to step " << r.resumedFrom
              << " with learning rate " << r.learningRate << " (" << r.rollbacksLeft
              << " rollbacks left)\n";
  };
  const TrainOutcome outcome = runTraining(trainer, run, hooks);
  bar.finish();
  if (outcome == TrainOutcome::Cancelled) {
    std::cerr << "efm train: interrupted at step " << trainer.completedSteps()
              << "; checkpoint saved. Continue with: efm train --out " << args.out << " --resume\n";
    return 130;
  }
  std::cerr << "efm train: done; run in " << args.out << "\n";
  std::cout << run.checkpoint().string() << "\n";
  return 0;
}

}  // namespace

Runner addTrainCommand(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  args->command = &app;
  app.add_option("--data", args->data, "data SPEC, e.g. toy:coupled-binary, csv:FILE");
  app.add_option("--out", args->out, "run directory (created)")->check(NonEmptyText)->required();
  app.add_option("--path", args->path,
                 "probability path: ray (ours, default), bridge (ours, preprint), or the "
                 "peers linear, dirichlet, fisher")
      ->check(CLI::IsMember(probabilityPathNames()));
  app.add_option("--model", args->model, "vector-field network")
      ->check(CLI::IsMember({"mlp", "cnn", "unet"}));
  app.add_option("--steps", args->steps, "training steps")->check(PositiveFinite);
  app.add_option("--batch", args->batch, "batch size")->check(PositiveFinite);
  app.add_option("--lr", args->lr, "Adam learning rate")->check(PositiveFinite);
  app.add_option("--schedule", args->schedule, "learning-rate schedule")
      ->check(CLI::IsMember({"constant", "cosine"}));
  app.add_option("--seed", args->seed, "random seed")->check(SeedNumber);
  app.add_option("--config", args->configFile, "JSON configuration (flags override it)")
      ->check(NonEmptyText);
  app.add_option("--checkpoint-seconds", args->checkpointSeconds,
                 "also save the checkpoint whenever this many seconds have passed (default 60; "
                 "0 = only every train.checkpoint_every steps)")
      ->check(NonNegativeFinite);
  app.add_option("--rollbacks", args->rollbacks,
                 "on a NaN or infinite loss or gradient, reload the last checkpoint and multiply "
                 "the learning rate by train.rollback_factor (0.5), at most this many times "
                 "(default 0: stop)")
      ->check(CLI::Range(int64_t{0}, int64_t{1000}));
  app.add_flag("--resume", args->resume, "continue the run in --out from its checkpoint");
  addComputeOptions(app, args->compute);
  return [args] { return runTrain(*args); };
}

}  // namespace efm::cli

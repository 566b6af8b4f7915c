// efm train: defaults < --config FILE < explicit flags; --resume continues the run in --out.
#include "commands.h"
#include "data_progress_bar.h"
#include "interrupt.h"
#include "local_launcher.h"
#include "terminal_progress.h"

#include "efm/base/errors.h"
#include "efm/config/resume.h"
#include "efm/dist/distributed.h"
#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"
#include "efm/train/training_run.h"

#include <sys/prctl.h>
#include <torch/torch.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace efm::cli {

namespace {

struct TrainArgs {
  std::string data, out, path, model, configFile, schedule;
  int64_t steps = 0, batch = 0, rollbacks = 0;
  int processes = 1;
  double lr = 0, checkpointSeconds = 0, distributedTimeout = 300;
  uint64_t seed = 0;
  bool resume = false, maskTraining = false, conditionOnClass = false;
  ComputeOptions compute;
  CLI::App* command = nullptr;
  bool given(const char* option) const { return command->count(option) > 0; }
};

// The configuration the command line asks for: `base` (the defaults for a new run, the run's
// own configuration on --resume) < --config FILE < explicit flags.
RunConfig configFromArgs(const TrainArgs& args, RunConfig config) {
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
    if (config.network.kind != args.model) {
      // That model's defaults: its width, and (from a recorded MLP configuration) none of
      // the MLP's variant settings, which other networks refuse.
      config.network.hidden = 0;
      for (std::string* variant : {&config.network.timeInput, &config.network.activation,
                                   &config.network.input, &config.network.norm})
        variant->clear();
    }
    config.network.kind = args.model;
  }
  if (args.given("--mask-training")) config.network.givenNodes = true;
  // -1: the data's number of class labels, known when training starts (a resumed run keeps
  // its recorded number).
  if (args.given("--condition-on-class") && config.network.labelClasses == 0)
    config.network.labelClasses = -1;
  if (args.given("--steps")) config.train.steps = args.steps;
  if (args.given("--batch")) config.train.batch = args.batch;
  if (args.given("--lr")) config.train.learningRate = args.lr;
  if (args.given("--seed")) config.train.seed = args.seed;
  if (args.given("--schedule")) config.train.schedule = args.schedule;
  if (args.given("--checkpoint-seconds")) config.train.checkpointSeconds = args.checkpointSeconds;
  if (args.given("--rollbacks")) config.train.rollbacks = args.rollbacks;
  try {
    resolveAndValidate(config);
  } catch (const InputError& e) {
    if (args.configFile.empty()) throw;
    throw InputError(std::string(e.what()) + " (in --config '" + args.configFile +
                     "' or the flags)");
  }
  return config;
}

// The flag that sets a configuration key, or nullptr.
const char* flagOfSetting(const std::string& key) {
  static const std::pair<const char*, const char*> flags[] = {
      {"data", "--data"},          {"path.kind", "--path"},
      {"network.kind", "--model"}, {"network.given_nodes", "--mask-training"},
      {"train.batch", "--batch"},  {"train.lr", "--lr"},
      {"train.seed", "--seed"},    {"train.schedule", "--schedule"}};
  for (const auto& [setting, flag] : flags)
    if (key == setting) return flag;
  return nullptr;
}

std::string jsonText(const std::string& value) {
  const nlohmann::json j = nlohmann::json::parse(value);
  return j.is_string() ? j.get<std::string>() : value;
}

// One line of the --resume refusal: which argument asks for what, and what the run has.
std::string describeChange(const TrainArgs& args, const SettingChange& change) {
  const char* flag = flagOfSetting(change.key);
  std::string source;
  if (flag && args.given(flag))
    source = flag;
  else if (change.key.rfind("network.", 0) == 0 && args.given("--model"))
    source = "--model " + args.model + " (its " + change.key + ")";
  else if (!args.configFile.empty())
    source = "--config '" + args.configFile + "' (" + change.key + ")";
  else
    source = change.key;
  return "  " + source + ": the run has " + jsonText(change.recorded) + ", this command gives " +
         jsonText(change.requested);
}

// What `efm train` does: a new run, or the run in --out continued.
struct RunPlan {
  RunConfig config;
  bool resuming = false;  // --out holds a checkpoint and --resume continues it
};

// The run to start or continue; InputError when --out holds another run, or when --resume
// asks for settings the run was not trained with.
RunPlan planRun(const TrainArgs& args) {
  const RunDirectory run{args.out};
  const bool exists = std::filesystem::exists(run.checkpoint());
  if (!exists) return {configFromArgs(args, RunConfig{}), false};
  if (!args.resume)
    throw InputError("--out '" + args.out + "' already holds a run; continue it with " +
                     "--resume or choose another directory");
  const RunConfig recorded = readCheckpointInfo(run.checkpoint().string()).config;
  const RunConfig requested = configFromArgs(args, configAsStarted(recorded));
  const std::vector<SettingChange> changes =
      conflictingSettings(configAsStarted(recorded), requested);
  if (!changes.empty()) {
    std::string message = "--resume: this command asks for other settings than the run in '" +
                          args.out + "' was trained with:";
    for (const SettingChange& change : changes) message += "\n" + describeChange(args, change);
    message +=
        "\nTo continue the run, give its values or leave these out (only --steps, "
        "--checkpoint-seconds, --rollbacks, --threads, --device and --nproc may change); to "
        "train with the new ones, choose another --out";
    throw InputError(message);
  }
  return {resumedConfig(recorded, requested), true};
}

// Rank 0 decides the configuration (only it may see --out) and sends it to the others; a
// failure there stops every rank.
RunPlan shareConfig(const TrainArgs& args, Collective& collective) {
  if (collective.rank() == 0) {
    try {
      RunPlan plan = planRun(args);
      broadcastText(collective, "ok\n" + toJsonString(plan.config));
      return plan;
    } catch (const InputError& e) {
      broadcastText(collective, std::string("error\n") + e.what());
      throw;
    }
  }
  const std::string message = broadcastText(collective, "");
  const std::string body = message.substr(message.find('\n') + 1);
  if (message.rfind("ok\n", 0) != 0)
    throw InputError("rank " + std::to_string(collective.rank()) +
                     ": rank 0 could not start the run (" + body + ")");
  // Only rank 0 reads the checkpoint; the others take its state in Trainer::distribute.
  return {configFromJsonString(body, "rank 0's configuration"), false};
}

// A rank of a distributed job: its share of the machine's cores, and its own GPU.
c10::Device applyRankComputeOptions(ComputeOptions compute, const ProcessGroupOptions& job) {
  const char* localWorld = std::getenv("LOCAL_WORLD_SIZE");
  if (compute.threads == 0 && localWorld) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    compute.threads = std::max(1, cores / std::max(1, std::atoi(localWorld)));
  }
  c10::Device device = applyComputeOptions(compute);
  if (device.is_cuda() && !device.has_index())
    device = c10::Device(
        c10::kCUDA, static_cast<c10::DeviceIndex>(job.localRank % torch::cuda::device_count()));
  return device;
}

// A run whose first steps promise more than an hour says so once, with what shortens it:
// a user who expected minutes learns it before waiting, not after.
constexpr int64_t kStepsBeforeEstimate = 3;  // the first step carries the warm-up
constexpr double kLongRunSeconds = 3600;

std::string longRunHint(const TrainProgress& p, const RunConfig& config,
                        const torch::Device& device) {
  std::ostringstream hint;
  hint << "efm train: at " << std::setprecision(3) << p.stepsPerSecond << " steps/s, the "
       << p.totalSteps - p.step << " remaining steps take about " << formatDuration(p.etaSeconds)
       << " on " << device.str() << " with " << torch::get_num_threads()
       << " threads.\nefm train: to shorten it: fewer --steps, a smaller --batch (now "
       << config.train.batch << ")";
  if (config.image.isImage()) hint << ", smaller crops (crop=HxW in the data SPEC)";
  if (!device.is_cuda()) hint << ", or --device cuda where a GPU is available";
  hint << ". Ctrl-C saves a checkpoint; continue later with --resume.";
  return hint.str();
}

int runTrain(const TrainArgs& args) {
  std::optional<ProcessGroupOptions> job = processGroupFromEnvironment();
  if (job && args.processes > 1 && !startedByLocalLauncher())
    throw InputError(
        "--nproc starts its own ranks; leave it out when RANK and WORLD_SIZE are "
        "set (a launcher such as torchrun or a scheduler started this process)");
  if (!job && args.processes > 1) {
    if (!distributedTrainingAvailable()) joinProcessGroup({});  // throws: says why
    // Bad input is reported once, here, not by every rank.
    const RunConfig config = planRun(args).config;
    return launchLocalRanks(args.processes, args.distributedTimeout,
                            [&](int ranks) { requireEvenSplit(config.train.batch, ranks); });
  }
  // A rank we started stops (saving) when the launcher dies, instead of running on alone.
  // SIGHUP, not SIGTERM: the kernel may send it several times (InterruptGuard says why),
  // and a second SIGTERM would end the rank before it saves.
  const int parentDeathSignal = startedByLocalLauncher() ? SIGHUP : 0;
  if (parentDeathSignal != 0) {
    prctl(PR_SET_PDEATHSIG, parentDeathSignal);
    if (launcherIsGone()) return 1;  // it died before prctl
  }

  const c10::Device device =
      job ? applyRankComputeOptions(args.compute, *job) : applyComputeOptions(args.compute);
  CollectivePtr collective;
  if (job) {
    job->timeoutSeconds = args.distributedTimeout;
    collective = joinProcessGroup(*job);
  }
  const bool leader = !collective || collective->rank() == 0;
  const RunDirectory run{args.out};
  const RunPlan plan = collective ? shareConfig(args, *collective) : planRun(args);
  const RunConfig& config = plan.config;
  if (leader && args.resume && !plan.resuming)
    std::cerr << "efm train: no checkpoint in '" << args.out
              << "' to resume; starting a new run there (--resume)\n";
  DatasetPtr data = leader ? openDatasetWithProgress(config.data) : openDataset(config.data);
  if (leader) run.prepare();
  Trainer trainer(config, data, device);
  applyPrecisionOption(args.compute, trainer.network(), device, "efm train", leader);
  if (plan.resuming) trainer.loadCheckpoint(run.checkpoint().string());  // keeps `config`
  if (collective) trainer.distribute(collective);
  if (leader) run.writeConfig(trainer.config());

  if (leader) {
    std::cerr << "efm train: " << data->description() << ", path " << config.path.kind
              << ", network " << config.network.kind << " (hidden " << config.network.hidden
              << "), " << config.train.steps << " steps of batch " << config.train.batch << " on "
              << device.str() << " with " << torch::get_num_threads() << " threads";
    if (collective)
      std::cerr << " per rank, " << collective->worldSize() << " ranks of batch "
                << config.train.batch / collective->worldSize();
    std::cerr << "\n";
    if (trainer.completedSteps() >= config.train.steps)
      std::cerr << "efm train: the run already has " << trainer.completedSteps()
                << " steps; raise --steps to continue\n";
  }

  InterruptGuard interrupt(parentDeathSignal);
  TerminalProgress bar("train");
  TrainingHooks hooks;
  hooks.cancel = &interrupt.flag();
  const int64_t firstStep = trainer.completedSteps();
  bool estimated = false;
  if (leader)
    hooks.progress = [&](const TrainProgress& p) {
      if (!estimated && p.step - firstStep >= kStepsBeforeEstimate) {
        estimated = true;
        if (p.etaSeconds > kLongRunSeconds) {
          bar.finish();
          std::cerr << longRunHint(p, config, device) << "\n";
        }
      }
      std::ostringstream detail;
      detail.precision(4);
      detail << "loss " << p.loss << "  " << std::fixed;
      detail.precision(1);
      detail << p.stepsPerSecond << " steps/s";
      bar.update(p.step, p.totalSteps, p.etaSeconds, detail.str());
    };
  if (leader)
    hooks.rolledBack = [&](const Rollback& r) {
      bar.finish();
      std::cerr << "efm train: " << r.reason << "\nefm train: rolled back to step " << r.resumedFrom
                << " with learning rate " << r.learningRate << " (" << r.rollbacksLeft
                << " rollbacks left)\n";
    };
  const TrainOutcome outcome = runTraining(trainer, run, hooks);
  bar.finish();
  if (!leader) return outcome == TrainOutcome::Cancelled ? 130 : 0;
  if (outcome == TrainOutcome::Cancelled) {
    std::cerr << "efm train: interrupted at step " << trainer.completedSteps()
              << "; checkpoint saved. Continue with: efm train --out " << args.out << " --resume\n";
    return 130;
  }
  std::cerr << "efm train: done; run in " << args.out << "\n";
  std::cout << run.checkpoint().string() << "\n";
  return 0;
}

// "\n  ray: ours: ...\n  bridge: ..." for an option's help, from a registry.
template <typename Kinds>
std::string choicesText(const Kinds& kinds) {
  std::string text;
  for (const auto& kind : kinds) text += "\n  " + kind.name + ": " + kind.description;
  return text;
}

}  // namespace

Runner addTrainCommand(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  args->command = &app;
  // A flag given twice takes its last value, so that a saved command line can be rerun with
  // one setting appended (every train option is a single value).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--data", args->data, "data SPEC, e.g. toy:coupled-binary, csv:FILE");
  app.add_option("--out", args->out, "run directory (created)")->check(NonEmptyText)->required();
  app.add_option("--path", args->path, "probability path (default ray):" + choicesText(pathKinds()))
      ->check(CLI::IsMember(pathNames()));
  app.add_option("--model", args->model,
                 "vector-field network (default mlp):" + choicesText(networkKinds()))
      ->check(CLI::IsMember(networkNames()));
  app.add_flag("--mask-training", args->maskTraining,
               "train a model that also sees a random subset of nodes as given (their labels "
               "as an extra input, the loss on the rest), for efm sample --given "
               "--conditioning trained (docs/CONDITIONING.md)");
  app.add_flag("--condition-on-class", args->conditionOnClass,
               "train a class-conditional model on data with class labels (an idx: file with "
               "its labels file beside it, as Fashion-MNIST has), for efm sample --class K "
               "--guidance W (docs/CONDITIONING.md)");
  app.add_option("--steps", args->steps, "training steps")->check(WithinLimits(kStepsLimits));
  app.add_option("--batch", args->batch, "batch size")->check(WithinLimits(kBatchLimits));
  app.add_option("--lr", args->lr, "Adam learning rate")->check(WithinLimits(kLearningRateLimits));
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
      ->check(WithinLimits(kRollbackLimits));
  app.add_flag("--resume", args->resume,
               "continue the run in --out from its checkpoint; give the command that started "
               "it (flags equal to the run's are accepted, --steps may change). Without a "
               "checkpoint in --out, starts a new run there");
  app.add_option("--nproc", args->processes,
                 "train data-parallel on this many local processes (c10d ranks; the batch is "
                 "split between them). Without it, a process with RANK and WORLD_SIZE set joins "
                 "that job (docs/CLUSTER.md)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--dist-timeout", args->distributedTimeout,
                 "seconds a rank waits to join the job or for the other ranks in a step before "
                 "it stops with an error (default 300)")
      ->check(PositiveFinite);
  addComputeOptions(app, args->compute);
  addPrecisionOption(app, args->compute);
  return [args] { return runTrain(*args); };
}

}  // namespace efm::cli

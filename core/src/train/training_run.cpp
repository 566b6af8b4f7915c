#include "efm/train/training_run.h"

#include "efm/base/errors.h"
#include "efm/io/checkpoint_io.h"
#include "efm/paths/path_registry.h"

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

namespace efm {

namespace fs = std::filesystem;

void RunDirectory::prepare() const {
  std::error_code error;
  fs::create_directories(root, error);
  if (error || !fs::is_directory(root))
    throw InputError("run directory '" + root.string() + "': cannot create it (" + error.message() +
                     ")");
  const fs::path probe = root / ".write-test";
  {
    std::ofstream out(probe);
    out << "ok";
    if (!out.good()) throw InputError("run directory '" + root.string() + "': not writable");
  }
  fs::remove(probe, error);
}

void RunDirectory::requireFreeSpace(int64_t bytes) const {
  std::error_code error;
  const fs::space_info space = fs::space(root, error);
  if (error) return;  // unknown: the atomic writes still protect the last checkpoint
  if (space.available >= static_cast<uintmax_t>(bytes)) return;
  auto mebibytes = [](uintmax_t b) { return std::to_string((b + (1 << 20) - 1) >> 20) + " MiB"; };
  throw InputError("run directory '" + root.string() + "': only " + mebibytes(space.available) +
                   " free, training needs about " + mebibytes(static_cast<uintmax_t>(bytes)) +
                   " (a checkpoint, its temporary copy and the metrics)");
}

RunConfig RunDirectory::readConfig() const {
  std::ifstream in(config());
  if (!in) throw InputError("run directory '" + root.string() + "': no config.json (is it a run?)");
  std::stringstream text;
  text << in.rdbuf();
  return configFromJsonString(text.str(), config().string());
}

void RunDirectory::writeConfig(const RunConfig& config) const {
  writeFileAtomically(this->config().string(), toJsonString(config));
}

TrainedModel loadTrainedModel(const RunDirectory& run, torch::Device device) {
  std::error_code error;
  if (!fs::is_directory(run.root, error))
    throw InputError("run directory '" + run.root.string() + "': no such directory");
  const std::string file = run.checkpoint().string();
  TrainedModel model;
  const CheckpointInfo info = readCheckpointInfo(file);
  model.config = info.config;
  model.step = info.step;
  if (model.config.variables < 1 || model.config.classes < 1)
    throw InputError("checkpoint '" + file + "': the data shape (n, c) is not recorded");
  model.network =
      loadNetwork(file, model.config.variables, model.config.classes, model.config, device);
  model.path = makeProbabilityPath(model.config.path);
  return model;
}

namespace {

constexpr const char* kMetricsHeader = "step,loss,lr,steps_per_s,elapsed_s";

// Keeps the header and the rows up to `step`; creates the file if needed.
void truncateMetrics(const fs::path& file, int64_t step) {
  std::ifstream in(file);
  std::string kept = std::string(kMetricsHeader) + "\n";
  if (in) {
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      try {
        if (std::stoll(line.substr(0, line.find(','))) > step) break;
      } catch (const std::exception&) {
        break;  // a torn last line
      }
      kept += line + "\n";
    }
  }
  writeFileAtomically(file.string(), kept);
}

// The metrics.csv appender: one row per log_every steps, a write error is an error.
class MetricsLog {
 public:
  MetricsLog(fs::path file, int64_t step) : file_(std::move(file)) { reopenAt(step); }

  // Drops rows past `step` (a crash or a rollback) and appends from there.
  void reopenAt(int64_t step) {
    out_.close();
    truncateMetrics(file_, step);
    out_.open(file_, std::ios::app);
    if (!out_) throw InputError("cannot append to '" + file_.string() + "'");
  }

  void append(int64_t step, double loss, double lr, double stepsPerSecond, double elapsed) {
    out_ << step << ',' << loss << ',' << lr << ',' << stepsPerSecond << ',' << elapsed << '\n';
    out_.flush();
    if (!out_)
      throw std::runtime_error("cannot write '" + file_.string() +
                               "' (is the disk full?); the last checkpoint is intact");
  }

 private:
  fs::path file_;
  std::ofstream out_;
};

}  // namespace

TrainOutcome runTraining(Trainer& trainer, const RunDirectory& run, const TrainingHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  const TrainOptions& options = trainer.config().train;
  // In a distributed job only rank 0 touches the run directory; the others hold the same
  // state in memory and take it from rank 0 after a rollback.
  const bool writer = trainer.writesFiles();
  std::optional<MetricsLog> metrics;
  if (writer) {
    // Room for the new checkpoint beside the old one, plus the metrics file.
    run.requireFreeSpace(2 * trainer.checkpointBytesEstimate() + (int64_t{1} << 20));
    metrics.emplace(run.metrics(), trainer.completedSteps());
  }

  const auto start = Clock::now();
  auto lastSave = start;
  auto save = [&] {
    if (writer) trainer.saveCheckpoint(run.checkpoint().string());
    lastSave = Clock::now();
  };
  // The run directory may hold an older run's checkpoint (the studio reuses its folder):
  // rollbacks and --resume must find this trainer's state.
  save();
  // Every rank must stop at the same step, or the others would wait for it in the next
  // collective: a stop request on any rank stops all.
  auto stopRequested = [&] {
    const bool here = hooks.cancel && hooks.cancel->load();
    return trainer.collective() ? trueOnAnyRank(*trainer.collective(), here) : here;
  };

  int64_t stepsTaken = 0, rollbacksDone = 0;
  double windowLoss = 0;
  int64_t windowSteps = 0;
  TrainProgress progress;
  progress.totalSteps = options.steps;
  while (trainer.completedSteps() < options.steps) {
    if (stopRequested()) {
      save();
      return TrainOutcome::Cancelled;
    }
    progress.learningRate = trainer.learningRate();
    try {
      progress.loss = trainer.step();
    } catch (const TrainingDiverged& diverged) {
      if (options.rollbacks < 1) {
        if (rollbacksDone == 0) throw;
        throw TrainingDiverged(std::string(diverged.what()) + " (after " +
                                   std::to_string(rollbacksDone) + " automatic rollbacks)",
                               diverged.step());
      }
      trainer.rollBack(run.checkpoint().string());
      ++rollbacksDone;
      save();  // the lowered learning rate is part of the run from here on
      if (writer) {
        run.writeConfig(trainer.config());
        metrics->reopenAt(trainer.completedSteps());
      }
      windowLoss = 0;
      windowSteps = 0;
      if (hooks.rolledBack)
        hooks.rolledBack({diverged.step(), trainer.completedSteps(), options.learningRate,
                          options.rollbacks, diverged.what()});
      continue;
    }
    ++stepsTaken;
    progress.step = trainer.completedSteps();
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    progress.stepsPerSecond = elapsed > 0 ? stepsTaken / elapsed : 0;
    progress.etaSeconds =
        progress.stepsPerSecond > 0 ? (options.steps - progress.step) / progress.stepsPerSecond : 0;
    windowLoss += progress.loss;
    ++windowSteps;
    if (progress.step % options.logEvery == 0 || progress.step == options.steps) {
      if (metrics)
        metrics->append(progress.step, windowLoss / windowSteps, progress.learningRate,
                        progress.stepsPerSecond, elapsed);
      windowLoss = 0;
      windowSteps = 0;
    }
    const bool stepDue = progress.step % options.checkpointEvery == 0;
    const bool timeDue =
        options.checkpointSeconds > 0 &&
        std::chrono::duration<double>(now - lastSave).count() >= options.checkpointSeconds;
    if ((stepDue || timeDue) && progress.step != options.steps) save();
    if (hooks.progress) hooks.progress(progress);
  }
  save();
  return TrainOutcome::Finished;
}

}  // namespace efm

#include "efm/training_run.h"

#include "efm/checkpoint_io.h"
#include "efm/errors.h"

#include <chrono>
#include <fstream>
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

}  // namespace

TrainOutcome runTraining(Trainer& trainer, const RunDirectory& run, const TrainingHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  const TrainOptions& options = trainer.config().train;
  truncateMetrics(run.metrics(), trainer.completedSteps());
  std::ofstream metrics(run.metrics(), std::ios::app);
  if (!metrics) throw InputError("cannot append to '" + run.metrics().string() + "'");

  const auto start = Clock::now();
  const int64_t firstStep = trainer.completedSteps();
  double windowLoss = 0;
  int64_t windowSteps = 0;
  TrainProgress progress;
  progress.totalSteps = options.steps;

  auto save = [&] { trainer.saveCheckpoint(run.checkpoint().string()); };
  while (trainer.completedSteps() < options.steps) {
    if (hooks.cancel && hooks.cancel->load()) {
      save();
      return TrainOutcome::Cancelled;
    }
    progress.learningRate = trainer.learningRate();
    progress.loss = trainer.step();
    progress.step = trainer.completedSteps();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    progress.stepsPerSecond = elapsed > 0 ? (progress.step - firstStep) / elapsed : 0;
    progress.etaSeconds =
        progress.stepsPerSecond > 0 ? (options.steps - progress.step) / progress.stepsPerSecond : 0;
    windowLoss += progress.loss;
    ++windowSteps;
    if (progress.step % options.logEvery == 0 || progress.step == options.steps) {
      metrics << progress.step << ',' << windowLoss / windowSteps << ',' << progress.learningRate
              << ',' << progress.stepsPerSecond << ',' << elapsed << '\n';
      metrics.flush();
      windowLoss = 0;
      windowSteps = 0;
    }
    if (progress.step % options.checkpointEvery == 0 && progress.step != options.steps) save();
    if (hooks.progress) hooks.progress(progress);
  }
  save();
  return TrainOutcome::Finished;
}

}  // namespace efm

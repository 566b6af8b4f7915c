#include "engine/comparison_controller.h"
#include "efm/paths/path_registry.h"

#include <torch/torch.h>

#include <QDir>
#include <QMetaObject>
#include <chrono>
#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/data/dataset.h"
#include "efm/train/trainer.h"
#include "efm/train/training_run.h"

#include "engine/model_snapshot.h"
#include "engine/thread_priority.h"

namespace efm::ui {

namespace {
constexpr int64_t kMaxViewJoint = int64_t{1} << 16;  // as TrainingController

struct Run {
  std::unique_ptr<Trainer> trainer;
  RunDirectory directory;
  bool done = false;
};
}  // namespace

ComparisonController::ComparisonController(QObject* parent) : QObject(parent) {
  qRegisterMetaType<efm::ui::TrainStatus>();
  qRegisterMetaType<efm::ui::DataSummary>();
}

ComparisonController::~ComparisonController() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
}

void ComparisonController::toGui(std::function<void()> function) {
  QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection);
}

int ComparisonController::runCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return int(snapshots_.size());
}

SnapshotPtr ComparisonController::snapshot(int run) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return run >= 0 && run < int(snapshots_.size()) ? snapshots_[size_t(run)] : nullptr;
}

QString ComparisonController::runDirectory(int run) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return run >= 0 && run < int(directories_.size()) ? directories_[size_t(run)] : QString();
}

void ComparisonController::start(const std::vector<RunConfig>& configs, const QString& root,
                                 int threads, int64_t round) {
  if (running_ || configs.empty()) return;
  if (worker_.joinable()) worker_.join();  // the last comparison's thread has ended
  {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshots_.assign(configs.size(), nullptr);
    directories_.clear();
    for (const RunConfig& config : configs)
      directories_.push_back(QDir(root).filePath(QString::fromStdString(config.path.kind)));
  }
  cancel_ = false;
  running_ = true;
  Q_EMIT runningChanged(true);
  worker_ = std::thread([this, configs, threads, round] {
    lowerCurrentThreadPriority();
    work(configs, threads, std::max<int64_t>(1, round));
  });
}

void ComparisonController::stop() { cancel_ = true; }

void ComparisonController::work(std::vector<RunConfig> configs, int threads, int64_t round) {
  using Clock = std::chrono::steady_clock;
  torch::set_num_threads(std::max(1, threads));  // per thread (docs/STACK.md, item 5)
  auto finish = [this](bool cancelled) {
    running_ = false;
    toGui([this, cancelled] {
      Q_EMIT runningChanged(false);
      Q_EMIT finished(cancelled);
    });
  };
  DatasetPtr data;  // shared by every run and its snapshots
  auto publish = [this, &data](int index, Run& run) {
    Trainer& trainer = *run.trainer;
    SnapshotPtr snapshot =
        makeSnapshot(trainer.config(), trainer.completedSteps(), trainer.network(),
                     makeProbabilityPath(trainer.config().path), data, trainer.device());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      snapshots_[size_t(index)] = snapshot;
    }
    const qint64 step = trainer.completedSteps();
    toGui([this, index, step] { Q_EMIT snapshotPublished(index, step); });
  };

  std::vector<Run> runs(configs.size());
  try {
    const DataProgress progress = [this](int64_t, int64_t, const std::string&) {
      return !cancel_.load();
    };
    data = openDataset(configs.front().data, progress);
    const DataSummary summary = summarizeData(*data, configs.front().data, kMaxViewJoint);
    toGui([this, summary] { Q_EMIT dataChanged(summary); });
    for (size_t i = 0; i < configs.size(); ++i) {
      RunConfig config = configs[i];
      resolveAndValidate(config);
      runs[i].directory = RunDirectory{runDirectory(int(i)).toStdString()};
      runs[i].directory.prepare();
      runs[i].trainer = std::make_unique<Trainer>(config, data, selectDevice("auto"));
      runs[i].directory.writeConfig(runs[i].trainer->config());
      // Every run has a checkpoint from the start, even if it is stopped before its turn.
      runs[i].trainer->saveCheckpoint(runs[i].directory.checkpoint().string());
      publish(int(i), runs[i]);
    }
  } catch (const Cancelled&) {
    finish(true);
    return;
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    toGui([this, message] { Q_EMIT failed(message); });
    finish(true);
    return;
  }

  std::atomic<bool> roundOver{false};
  auto lastPost = Clock::now() - std::chrono::seconds(1);
  for (bool any = true; any && !cancel_;) {
    any = false;
    for (size_t i = 0; i < runs.size() && !cancel_; ++i) {
      Run& run = runs[i];
      if (run.done) continue;
      any = true;
      Trainer& trainer = *run.trainer;
      const int64_t total = trainer.config().train.steps;
      const int64_t target = std::min(total, trainer.completedSteps() + round);
      const int64_t first = trainer.completedSteps();
      const auto began = Clock::now();
      double windowLoss = 0;
      int64_t windowSteps = 0;
      roundOver = false;
      TrainingHooks hooks;
      hooks.cancel = &roundOver;
      hooks.progress = [&, index = int(i)](const TrainProgress& p) {
        windowLoss += p.loss;
        ++windowSteps;
        if (p.step >= target || cancel_) roundOver = true;
        const auto now = Clock::now();
        if (now - lastPost < std::chrono::milliseconds(250) && p.step < target) return;
        lastPost = now;
        TrainStatus status;
        status.step = p.step;
        status.totalSteps = p.totalSteps;
        status.loss = windowLoss / double(windowSteps);
        const double seconds = std::chrono::duration<double>(now - began).count();
        status.stepsPerSecond = seconds > 0 ? double(p.step - first) / seconds : 0;
        status.etaSeconds =
            status.stepsPerSecond > 0 ? double(p.totalSteps - p.step) / status.stepsPerSecond : 0;
        windowLoss = 0;
        windowSteps = 0;
        toGui([this, index, status] { Q_EMIT runProgressed(index, status); });
      };
      try {
        run.done = runTraining(trainer, run.directory, hooks) == TrainOutcome::Finished;
        publish(int(i), run);
      } catch (const std::exception& e) {  // a diverging run: the others go on
        run.done = true;
        const QString message = QString::fromStdString(e.what());
        toGui([this, index = int(i), message] { Q_EMIT runFailed(index, message); });
      }
    }
  }
  finish(cancel_.load());
}

}  // namespace efm::ui

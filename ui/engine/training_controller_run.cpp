// TrainingController's runs: opening data, starting or resuming training, the training task.
#include "engine/training_controller.h"

#include <torch/torch.h>
#include <chrono>
#include <deque>

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "engine/model_snapshot.h"
#include "engine/training_controller_host.h"

namespace efm::ui {

void TrainingController::start(const RunConfig& requested, const QString& runDirectory,
                               int threads) {
  if (state_ != State::Idle) return;
  cancel_ = false;
  state_ = State::Running;  // at once, so that a second click cannot queue a second run
  Q_EMIT stateChanged(static_cast<int>(State::Running));
  const std::string directory = runDirectory.toStdString();
  post([this, requested, directory, threads] {
    try {
      torch::set_num_threads(threads);
      RunConfig config = requested;
      resolveAndValidate(config);
      DatasetPtr data = openData(config.data);
      RunDirectory run{directory};
      run.prepare();
      auto trainer = std::make_unique<Trainer>(config, data, selectDevice("auto"));
      run.writeConfig(trainer->config());
      const DataSummary summary = summarizeData(*data, config.data, kMaxViewJoint);
      host_->trainer = std::move(trainer);
      host_->run = run;
      host_->loadedOnly.reset();
      host_->data = data;
      hasModel_ = canTrain_ = true;
      const RunConfig resolved = host_->trainer->config();
      toGui([this, summary, resolved] {
        Q_EMIT dataChanged(summary);
        Q_EMIT configChanged(resolved);
      });
      publishSnapshot();
    } catch (const Cancelled&) {  // Stop while the data was being opened
      setState(State::Idle);
      toGui([this] { Q_EMIT dataProblem("Opening the data was cancelled."); });
      return;
    } catch (...) {
      setState(State::Idle);
      throw;
    }
    runTrainingTask(threads);
  });
}

void TrainingController::inspectData(const QString& spec) {
  const std::string text = spec.trimmed().toStdString();
  post([this, text] {
    try {
      const DatasetPtr data = openData(text);
      const DataSummary summary = summarizeData(*data, text, kMaxViewJoint);
      toGui([this, summary] { Q_EMIT dataChanged(summary); });
    } catch (const Cancelled&) {
      toGui([this] { Q_EMIT dataProblem("Opening the data was cancelled."); });
    } catch (const std::exception& e) {
      const QString message = QString::fromStdString(e.what());
      toGui([this, message] { Q_EMIT dataProblem(message); });
    }
  });
}

DatasetPtr TrainingController::openData(const std::string& spec) {
  if (host_->opened && host_->openedSpec == spec) return host_->opened;
  using Clock = std::chrono::steady_clock;
  dataCancel_ = false;
  toGui([this] { Q_EMIT dataLoading(true); });
  auto last = Clock::now() - std::chrono::seconds(1);
  const DataProgress progress = [&](int64_t done, int64_t total, const std::string& stage) {
    const auto now = Clock::now();
    if (now - last >= std::chrono::milliseconds(125) || done == total) {
      last = now;
      const QString what = QString::fromStdString(stage);
      toGui([this, done, total, what] { Q_EMIT dataProgress(done, total, what); });
    }
    return !dataCancel_.load() && !cancel_.load();
  };
  DatasetPtr data;
  try {
    data = openDataset(spec, progress);
  } catch (...) {
    toGui([this] { Q_EMIT dataLoading(false); });
    throw;
  }
  toGui([this] { Q_EMIT dataLoading(false); });
  host_->openedSpec = spec;
  host_->opened = data;
  return data;
}

void TrainingController::resumeTraining(int64_t totalSteps, int threads) {
  if (state_ != State::Idle) return;
  cancel_ = false;
  state_ = State::Running;
  Q_EMIT stateChanged(static_cast<int>(State::Running));
  post([this, totalSteps, threads] {
    if (!host_->trainer) {
      setState(State::Idle);
      throw InputError("there is no model whose data is open to continue training");
    }
    host_->trainer->setTotalSteps(totalSteps);
    runTrainingTask(threads);
  });
}

void TrainingController::runTrainingTask(int threads) {
  using Clock = std::chrono::steady_clock;
  torch::set_num_threads(threads);  // per thread (docs/STACK.md, item 5)
  Trainer& trainer = *host_->trainer;
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    paused_ = false;
  }
  setState(State::Running);

  // Steps per second over the last two seconds of running (pauses excluded).
  std::deque<std::pair<Clock::time_point, int64_t>> recent;
  auto lastPost = Clock::now() - std::chrono::seconds(1);
  double windowLoss = 0;
  int64_t windowSteps = 0;

  TrainingHooks hooks;
  hooks.cancel = &cancel_;
  hooks.progress = [&](const TrainProgress& p) {
    windowLoss += p.loss;
    ++windowSteps;
    const auto now = Clock::now();
    recent.emplace_back(now, p.step);
    while (recent.size() > 2 && now - recent.front().first > std::chrono::seconds(2))
      recent.pop_front();
    servePendingSaves();
    servePendingData();
    if (p.step % snapshotEvery_.load() == 0) publishSnapshot();
    bool pausing;
    {
      std::lock_guard<std::mutex> lock(pauseMutex_);
      pausing = paused_ && !cancel_;
    }
    // Progress 4 times a second, and always for the last step and the step a pause holds.
    if (now - lastPost >= std::chrono::milliseconds(250) || p.step == p.totalSteps || pausing) {
      TrainStatus status;
      status.step = p.step;
      status.totalSteps = p.totalSteps;
      status.loss = windowLoss / double(windowSteps);
      const double span = std::chrono::duration<double>(now - recent.front().first).count();
      status.stepsPerSecond =
          span > 0 ? double(recent.back().second - recent.front().second) / span : 0;
      status.etaSeconds =
          status.stepsPerSecond > 0 ? double(p.totalSteps - p.step) / status.stepsPerSecond : 0;
      windowLoss = 0;
      windowSteps = 0;
      lastPost = now;
      toGui([this, status] { Q_EMIT progressed(status); });
    }
    std::unique_lock<std::mutex> lock(pauseMutex_);
    if (paused_ && !cancel_) {
      setState(State::Paused);
      for (;;) {
        pauseChanged_.wait(lock, [this] { return !paused_ || cancel_.load() || saveRequested_; });
        if (!saveRequested_) break;
        saveRequested_ = false;  // a Save while paused is served at once
        lock.unlock();
        servePendingSaves();
        servePendingData();
        lock.lock();
      }
      setState(State::Running);
      recent.clear();
      recent.emplace_back(Clock::now(), p.step);
    }
  };

  bool cancelled = false;
  try {
    cancelled = runTraining(trainer, host_->run, hooks) == TrainOutcome::Cancelled;
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    toGui([this, message] { Q_EMIT failed(message); });
    cancelled = true;
  }
  try {
    publishSnapshot();
    servePendingSaves();
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    toGui([this, message] { Q_EMIT failed(message); });
  }
  // Always back to Idle, whatever happened above: otherwise no run could start again.
  cancel_ = false;
  setState(State::Idle);
  const qint64 step = trainer.completedSteps();
  toGui([this, cancelled, step] { Q_EMIT finished(cancelled, step); });
}

}  // namespace efm::ui

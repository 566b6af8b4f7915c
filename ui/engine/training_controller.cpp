// TrainingController's worker thread and queue, its state, snapshots, pause, resume and stop.
#include "engine/training_controller.h"

#include <QMetaObject>

#include "efm/paths/path_registry.h"
#include "engine/model_snapshot.h"
#include "engine/thread_priority.h"
#include "engine/training_controller_host.h"

namespace efm::ui {

TrainingController::TrainingController(QObject* parent)
    : QObject(parent), host_(std::make_unique<TrainerHost>()) {
  qRegisterMetaType<efm::ui::TrainStatus>();
  qRegisterMetaType<efm::ui::DataSummary>();
  qRegisterMetaType<efm::RunConfig>();
  worker_ = std::thread([this] {
    lowerCurrentThreadPriority();
    workerLoop();
  });
}

TrainingController::~TrainingController() {
  stop();
  {
    std::lock_guard<std::mutex> lock(queueMutex_);
    quit_ = true;
    queue_.clear();
  }
  queueChanged_.notify_all();
  worker_.join();
}

void TrainingController::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(queueMutex_);
    queue_.push_back(std::move(task));
  }
  queueChanged_.notify_all();
}

void TrainingController::workerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(queueMutex_);
      queueChanged_.wait(lock, [this] { return quit_ || !queue_.empty(); });
      if (quit_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      const QString message = QString::fromStdString(e.what());
      toGui([this, message] { Q_EMIT failed(message); });
    }
  }
}

void TrainingController::toGui(std::function<void()> function) {
  QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection);
}

void TrainingController::setState(State state) {
  state_ = state;
  toGui([this, state] { Q_EMIT stateChanged(static_cast<int>(state)); });
}

bool TrainingController::hasModel() const { return hasModel_.load(); }
bool TrainingController::canTrain() const { return canTrain_.load(); }

SnapshotPtr TrainingController::snapshot() const {
  std::lock_guard<std::mutex> lock(snapshotMutex_);
  return snapshot_;
}

RunConfig TrainingController::config() const {
  std::lock_guard<std::mutex> lock(snapshotMutex_);
  return config_;
}

void TrainingController::publishSnapshot() {
  Trainer& trainer = *host_->trainer;
  SnapshotPtr snapshot =
      makeSnapshot(trainer.config(), trainer.completedSteps(), trainer.network(),
                   makeProbabilityPath(trainer.config().path), host_->data, trainer.device());
  {
    std::lock_guard<std::mutex> lock(snapshotMutex_);
    snapshot_ = snapshot;
    config_ = trainer.config();
  }
  const qint64 step = trainer.completedSteps();
  toGui([this, step] { Q_EMIT snapshotPublished(step); });
}

void TrainingController::pause() {
  if (state_ != State::Running) return;
  std::lock_guard<std::mutex> lock(pauseMutex_);
  paused_ = true;
}

void TrainingController::resume() {
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    paused_ = false;
  }
  pauseChanged_.notify_all();
}

void TrainingController::stop() {
  if (state_ == State::Idle) return;
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    cancel_ = true;
    paused_ = false;
  }
  pauseChanged_.notify_all();
}

}  // namespace efm::ui

#include "engine/training_controller.h"

#include <torch/torch.h>

#include <efm/dataset.h>
#include <efm/errors.h>
#include <efm/random.h>
#include <efm/trainer.h>
#include <efm/training_run.h>
#include <QMetaObject>
#include <chrono>
#include <deque>

#include "engine/model_snapshot.h"
#include "engine/thread_priority.h"

namespace efm::ui {

// Joint tables up to this many cells are sent to the views (heat maps, KL curve).
constexpr int64_t kMaxViewJoint = int64_t{1} << 16;

class TrainerHost {
 public:
  std::unique_ptr<Trainer> trainer;  // null until a model exists or when its data is missing
  RunDirectory run;
  SnapshotPtr loadedOnly;  // a loaded model whose data could not be opened
  DatasetPtr data;         // the trainer's data (snapshots share it)
  // The last data opened and its SPEC: Start after picking image data does not decode the
  // files a second time.
  std::string openedSpec;
  DatasetPtr opened;
};

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
  torch::set_num_threads(threads);  // per thread (STACK.md, item 5)
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

void TrainingController::servePendingSaves() {
  std::vector<QString> files;
  {
    std::lock_guard<std::mutex> lock(saveMutex_);
    files.swap(pendingSaves_);
  }
  for (const QString& file : files) {
    try {
      host_->trainer->saveCheckpoint(file.toStdString());
      toGui([this, file] { Q_EMIT checkpointSaved(file); });
    } catch (const std::exception& e) {
      const QString message = QString("Could not save the checkpoint '%1': %2")
                                  .arg(file, QString::fromStdString(e.what()));
      toGui([this, message] { Q_EMIT failed(message); });
    }
  }
}

void TrainingController::saveCheckpoint(const QString& file) {
  {
    std::lock_guard<std::mutex> lock(saveMutex_);
    pendingSaves_.push_back(file);
  }
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    saveRequested_ = true;  // wakes a paused run to serve it
  }
  pauseChanged_.notify_all();
  // While training, the hook serves it between two steps; otherwise this task does.
  post([this, file] {
    if (!host_->trainer) {
      std::lock_guard<std::mutex> lock(saveMutex_);
      pendingSaves_.clear();
      throw InputError(host_->loadedOnly
                           ? "the loaded model's data cannot be opened, so there is no trainer "
                             "state to save; its checkpoint file is unchanged"
                           : "there is no model to save yet: train or open one first");
    }
    servePendingSaves();
  });
}

void TrainingController::loadCheckpoint(const QString& qfile, const QString& runDirectory) {
  if (state_ != State::Idle) {
    Q_EMIT failed("Stop training before opening a checkpoint.");
    return;
  }
  const std::string file = qfile.toStdString();
  const std::string directory = runDirectory.toStdString();
  post([this, file, directory, qfile] {
    const CheckpointInfo info = readCheckpointInfo(file);  // InputError naming the file
    RunConfig config = info.config;
    DatasetPtr data;
    std::string dataProblem;
    try {
      data = openData(config.data);
      if (data->variables() != config.variables || data->classes() != config.classes)
        throw InputError("it now has n = " + std::to_string(data->variables()) +
                         ", c = " + std::to_string(data->classes()) +
                         " but the model was trained with n = " + std::to_string(config.variables) +
                         ", c = " + std::to_string(config.classes));
    } catch (const std::exception& e) {
      data.reset();
      dataProblem = e.what();
    }
    const torch::Device device = selectDevice("auto");
    if (data) {
      auto trainer = std::make_unique<Trainer>(config, data, device);
      trainer->loadCheckpoint(file);
      RunDirectory run{directory};
      run.prepare();
      run.writeConfig(trainer->config());
      host_->trainer = std::move(trainer);
      host_->run = run;
      host_->loadedOnly.reset();
      host_->data = data;
      canTrain_ = true;
      publishSnapshot();
      const DataSummary summary = summarizeData(*data, config.data, kMaxViewJoint);
      toGui([this, summary] { Q_EMIT dataChanged(summary); });
    } else {
      VectorFieldPtr network = loadNetwork(file, config.variables, config.classes, config, device);
      SnapshotPtr snapshot = makeSnapshot(config, info.step, *network,
                                          makeProbabilityPath(config.path), nullptr, device);
      host_->trainer.reset();
      host_->data.reset();
      host_->loadedOnly = snapshot;
      canTrain_ = false;
      {
        std::lock_guard<std::mutex> lock(snapshotMutex_);
        snapshot_ = snapshot;
        config_ = config;
      }
      const qint64 step = info.step;
      toGui([this, step] { Q_EMIT snapshotPublished(step); });
      DataSummary summary;
      summary.spec = config.data;
      summary.description = "data not available";
      summary.variables = config.variables;
      summary.classes = config.classes;
      summary.image = imageInfo(config.image, config.classes);
      toGui([this, summary] { Q_EMIT dataChanged(summary); });
    }
    hasModel_ = true;
    setState(State::Idle);  // the panel learns whether the loaded model can be trained on
    toGui([this, config, qfile] {
      Q_EMIT configChanged(config);
      Q_EMIT checkpointLoaded(qfile);
    });
    if (!dataProblem.empty()) {
      const QString message =
          QString(
              "The model in '%1' was loaded and can be sampled, but its data '%2' cannot be "
              "opened (%3), so it cannot be trained further or compared with its data.")
              .arg(qfile, QString::fromStdString(config.data), QString::fromStdString(dataProblem));
      toGui([this, message] { Q_EMIT failed(message); });
    }
  });
}

}  // namespace efm::ui

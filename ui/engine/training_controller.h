#pragma once
// Runs training on a worker thread that owns the Trainer (docs/STACK.md, items 5 and 7). The GUI
// calls start/pause/resume/stop and gets queued signals: progress at most 4 times a second
// (each one repaints the window, which costs a software renderer real time),
// a snapshot of the model every `snapshotEvery` steps, and errors as messages. Commands
// (train, save, load) run one after the other on the worker; save requests made while
// training are served between two steps. Stop takes effect before the next step starts.

#include <QObject>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include "efm/config/run_config.h"

#include "engine/studio_data.h"

namespace efm {
class Dataset;  // efm/dataset.h (LibTorch): only the engine's sources include it
}

namespace efm::ui {

class TrainerHost;  // the LibTorch side (training_controller_host.h)

class TrainingController : public QObject {
  Q_OBJECT
 public:
  enum class State { Idle, Running, Paused };

  explicit TrainingController(QObject* parent = nullptr);
  ~TrainingController() override;  // stops training and joins the worker

  // A new model for `config` (validated here; errors arrive through failed()), trained in
  // `runDirectory` (checkpoint.pt, config.json, metrics.csv, as `efm train` writes them).
  void start(const RunConfig& config, const QString& runDirectory, int threads);
  // Continues the current model (after Stop, or a loaded checkpoint) up to `totalSteps`.
  void resumeTraining(int64_t totalSteps, int threads);
  void pause();
  void resume();
  void stop();  // also wakes a paused run

  void saveCheckpoint(const QString& file);
  // Loads a checkpoint written by `efm train` or the studio; its data is opened again when
  // possible (if not, the model can still be sampled but not trained further).
  void loadCheckpoint(const QString& file, const QString& runDirectory);

  // Opens the data of `spec` on the worker and reports what is known about it through
  // dataChanged (the views show the target before any training), or dataProblem. Image data
  // takes a while to decode: dataLoading and dataProgress report it, cancelDataLoading()
  // gives up (the last data opened is kept, so that Start does not decode it again).
  void inspectData(const QString& spec);
  void cancelDataLoading() { dataCancel_ = true; }

  // Trains on the data of `spec` from the next step on: a target edited in the studio (a pmf
  // file rewritten under the same SPEC, opened afresh each time). Served between two steps,
  // at once when paused or idle; only the latest of several quick edits is opened. Views get
  // dataChanged, the run's config.json and checkpoints name the new data. Without a model it
  // only shows the data; a shape the model cannot take arrives through dataProblem.
  void replaceData(const QString& spec);

  State state() const { return state_.load(); }
  bool hasModel() const;
  bool canTrain() const;  // a model whose data is open
  SnapshotPtr snapshot() const;
  RunConfig config() const;
  void setSnapshotEvery(int64_t steps) { snapshotEvery_ = std::max<int64_t>(1, steps); }

 Q_SIGNALS:
  void stateChanged(int state);  // a State
  void progressed(const efm::ui::TrainStatus& status);
  void snapshotPublished(qint64 step);
  void dataChanged(const efm::ui::DataSummary& data);
  void configChanged(const efm::RunConfig& config);
  void finished(bool cancelled, qint64 step);
  void checkpointSaved(const QString& file);
  void checkpointLoaded(const QString& file);
  void failed(const QString& message);
  void dataProblem(const QString& message);  // from inspectData: shown quietly
  void dataLoading(bool loading);            // opening data began / ended
  void dataProgress(qint64 done, qint64 total, const QString& stage);  // at most 8 a second

 private:
  void post(std::function<void()> task);  // run on the worker thread
  void workerLoop();
  void runTrainingTask(int threads);
  void publishSnapshot();
  void setState(State state);
  void toGui(std::function<void()> function);  // queued onto the GUI thread
  void servePendingSaves();
  void servePendingData();  // training_controller_targets.cpp
  // Opens `spec` on the worker with progress and cancellation (Stop or cancelDataLoading);
  // the last dataset opened is reused when the same SPEC comes again.
  std::shared_ptr<const Dataset> openData(const std::string& spec);

  std::unique_ptr<TrainerHost> host_;  // touched only on the worker thread
  mutable std::mutex snapshotMutex_;
  SnapshotPtr snapshot_;
  RunConfig config_;  // guarded by snapshotMutex_

  std::thread worker_;
  std::mutex queueMutex_;
  std::condition_variable queueChanged_;
  std::deque<std::function<void()>> queue_;
  bool quit_ = false;

  std::atomic<State> state_{State::Idle};
  std::atomic<bool> cancel_{false};
  std::atomic<bool> dataCancel_{false};
  std::mutex pauseMutex_;
  std::condition_variable pauseChanged_;
  bool paused_ = false;
  bool saveRequested_ = false;  // guarded by pauseMutex_
  std::mutex saveMutex_;
  std::vector<QString> pendingSaves_;
  std::string pendingData_;  // guarded by saveMutex_: a SPEC for replaceData
  std::atomic<int64_t> snapshotEvery_{200};
  std::atomic<bool> hasModel_{false}, canTrain_{false};
};

}  // namespace efm::ui

Q_DECLARE_METATYPE(efm::ui::TrainStatus)
Q_DECLARE_METATYPE(efm::ui::DataSummary)
Q_DECLARE_METATYPE(efm::RunConfig)

#pragma once
// Trains several runs on the same data side by side, for comparing probability paths
// (issue 5): each run has its own Trainer and run directory, and the runs differ only in
// what their configurations say (the path). One worker thread trains them in rounds: every
// unfinished run takes `round` steps, then the next, so that their curves grow together
// while the two cores are never shared between two trainers. Each round ends with a
// snapshot of that run. Results reach the GUI thread as plain data through queued signals,
// tagged with the run's index.

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include "efm/config/run_config.h"

#include "engine/studio_data.h"
#include "engine/training_controller.h"  // the metatypes of TrainStatus and DataSummary

namespace efm::ui {

class ComparisonController : public QObject {
  Q_OBJECT
 public:
  explicit ComparisonController(QObject* parent = nullptr);
  ~ComparisonController() override;  // stops the runs (their checkpoints are saved) and joins

  // Starts one run per configuration, in `root`/<path>/ (the layout of `efm train`).
  // Ignored while a comparison runs. Problems arrive through failed().
  void start(const std::vector<RunConfig>& configs, const QString& root, int threads,
             int64_t round);
  void stop();  // every run ends after its current step and saves its checkpoint

  bool running() const { return running_.load(); }
  int runCount() const;
  SnapshotPtr snapshot(int run) const;  // null before the run's first snapshot
  QString runDirectory(int run) const;

 Q_SIGNALS:
  void runningChanged(bool running);
  void dataChanged(const efm::ui::DataSummary& data);
  void runProgressed(int run, const efm::ui::TrainStatus& status);
  void snapshotPublished(int run, qint64 step);
  void runFailed(int run, const QString& message);  // that run stops; the others go on
  void failed(const QString& message);              // the comparison could not start
  void finished(bool cancelled);

 private:
  void work(std::vector<RunConfig> configs, int threads, int64_t round);
  void toGui(std::function<void()> function);

  std::thread worker_;
  std::atomic<bool> running_{false};
  std::atomic<bool> cancel_{false};
  mutable std::mutex mutex_;
  std::vector<SnapshotPtr> snapshots_;  // guarded by mutex_
  std::vector<QString> directories_;    // set by start() before the worker runs
};

}  // namespace efm::ui

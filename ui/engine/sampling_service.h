#pragma once
// Samples from model snapshots on its own worker thread, so that neither the GUI nor the
// trainer waits. Two kinds of work: previews during training (latest wins: a newer preview
// replaces one that has not started) and samples the user asked for (run in order, with
// progress, cancellable). Results arrive on the GUI thread as plain data.

#include <QObject>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/studio_data.h"

namespace efm {
struct SampleOptions;
}

namespace efm::ui {

struct SampleRequest {
  SnapshotPtr model;
  int64_t count = 1000;
  int64_t keepTrajectories = 0;  // how many of the samples keep their whole flow
  std::string solver;            // empty: the path's own sampler (PathInfo::solver)
  double step = 0;               // solver step; 0: the path's own step
  double timeEnd = 0;            // 0 = the path's default
  uint64_t seed = 0;
  bool preview = false;  // during training: replaces a pending preview of the same run
  int threads = 1;
  int run = -1;  // which run the model belongs to (SampleSet::run): -1 the single run
  // Conditions (docs/CONDITIONING.md). Given nodes as text ("0=2,5=1"), or per node (the
  // label-map brush: a label, -1 = free); both empty: none. `conditioning` "" = the run's
  // default (trained for a run trained with --mask-training), "replace" or "trained".
  std::string givenText;
  std::vector<int64_t> givenLabels;
  std::string conditioning;
  int64_t labelClass = -1;  // a class-conditional run's class; -1 = none
  double guidance = 1;
};

struct FieldRequest {
  SnapshotPtr model;
  double time = 0;
  std::vector<float> points;  // [G][c] points of a simplex where the field is evaluated
  int run = -1;               // FieldSlice::run
};

class SamplingService : public QObject {
  Q_OBJECT
 public:
  explicit SamplingService(QObject* parent = nullptr);
  ~SamplingService() override;

  void submit(const SampleRequest& request);
  void submitField(const FieldRequest& request);  // latest wins
  void cancel();                                  // the running job and everything queued
  bool busy() const { return busy_.load(); }
  // Above this many bytes of flows (all samples x steps x n x c floats), the flows kept for
  // the views are drawn in a second, smaller run instead of being cut from the big one.
  void setFlowMemoryLimit(double bytes) { flowMemoryLimit_ = bytes; }

 Q_SIGNALS:
  void sampled(std::shared_ptr<const efm::ui::SampleSet> samples, bool preview);
  void fieldReady(std::shared_ptr<const efm::ui::FieldSlice> field);
  void progressed(qint64 done, qint64 total);
  void failed(const QString& message);
  void busyChanged(bool busy);

 private:
  struct Job {
    std::optional<SampleRequest> sample;
    std::optional<FieldRequest> field;
  };
  void workerLoop();
  void run(const SampleRequest& request);
  void run(const FieldRequest& request);
  // The request's given nodes, method, class and guidance into `options` (InputError on
  // bad ones: they reach the user as a message).
  static void setConditions(const SampleRequest& request, const ModelSnapshot& model,
                            SampleOptions& options);
  void toGui(std::function<void()> function);

  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  bool quit_ = false;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> busy_{false};
  std::atomic<double> flowMemoryLimit_{256.0 * 1024 * 1024};
};

}  // namespace efm::ui

Q_DECLARE_METATYPE(std::shared_ptr<const efm::ui::SampleSet>)
Q_DECLARE_METATYPE(std::shared_ptr<const efm::ui::FieldSlice>)

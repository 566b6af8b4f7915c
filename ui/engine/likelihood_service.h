#pragma once
// Bounds log p of labelings under a model snapshot (the likelihood bound of
// efm/sampling/likelihood_bound.h, docs/EVALUATION.md) on a worker thread of its own: trains
// the bound's posterior on the run's data, then scores a test set. One job at a time (a new
// one cancels the old), with progress, cancellable. Results reach the GUI thread as plain data.

#include <QObject>
#include <QString>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/studio_data.h"

namespace efm::ui {

struct LikelihoodRequest {
  SnapshotPtr model;
  std::string testData;  // data SPEC of the labelings scored; "" = the run's own data
  int64_t items = 100;   // the first `items` of a finite data set, else that many drawn
  int64_t samples = 16;  // K draws per labeling
  int64_t posteriorSteps = 200;
  int64_t refineSteps = 100;  // per labeling, before the bound (BoundOptions::refineSteps)
  uint64_t seed = 0;
};

struct LikelihoodReport {
  int64_t modelStep = 0;
  int64_t variables = 0;
  int64_t samples = 0;  // K
  std::string source;   // what was scored, for people
  // Per labeling: the bound on log p (nats), its standard error, the ELBO and the effective
  // sample size of the K weights.
  std::vector<double> logLikelihood, standardError, elbo, effectiveSamples;
  double bitsPerDimension = 0;  // of the mean bound: an upper bound in expectation
  double bitsPerDimensionSe = 0;
  double meanElbo = 0;
  double meanEffectiveSamples = 0;
  double seconds = 0;
};

class LikelihoodService : public QObject {
  Q_OBJECT
 public:
  explicit LikelihoodService(QObject* parent = nullptr);
  ~LikelihoodService() override;

  void submit(const LikelihoodRequest& request);  // cancels a job still running
  void cancel();
  bool busy() const { return busy_; }

 Q_SIGNALS:
  // `stage`: "posterior" (training steps) or "bound" (draws integrated).
  void progressed(qint64 done, qint64 total, const QString& stage);
  void finished(std::shared_ptr<const efm::ui::LikelihoodReport> report);
  void failed(const QString& message);
  void busyChanged(bool busy);

 private:
  void run(const LikelihoodRequest& request, int64_t job);
  // Runs `work` on the GUI thread unless a newer job has started since `job`.
  void post(int64_t job, std::function<void()> work);
  void stopWorker();

  std::thread worker_;
  std::atomic<bool> cancel_{false};
  int64_t job_ = 0;  // GUI thread only
  bool busy_ = false;
};

}  // namespace efm::ui

Q_DECLARE_METATYPE(std::shared_ptr<const efm::ui::LikelihoodReport>)

#pragma once
// Side-by-side runs in the window (issue 5): connects the Compare dock, the engine that
// trains the compared runs (ComparisonController), the sampling thread and the views. Each
// run keeps the colour of its path everywhere: its row in the dock, its KL and loss curves
// (the loss divided by the run's first value, since the peers' losses have other units),
// its flows overlaid in the simplex view. Previews of every run use the same seed, so runs
// whose paths start from the same reference distribution start from the same points.

#include <QObject>
#include <QStringList>
#include <functional>
#include <memory>
#include <vector>

#include "engine/sampling_service.h"
#include "engine/studio_data.h"

namespace efm {
struct RunConfig;
}

namespace efm::ui {

class ComparisonController;
class ComparisonPanel;
class CurveChart;
class LabelMapView;
class MetaSimplexView;
class TrajectoryView;

struct ComparisonViews {
  ComparisonPanel* panel = nullptr;
  CurveChart* chart = nullptr;  // the comparison's own chart (the Curves dock shows it)
  TrajectoryView* trajectories = nullptr;
  MetaSimplexView* metaSimplex = nullptr;
  LabelMapView* labelMaps = nullptr;
};

class ComparisonCoordinator : public QObject {
  Q_OBJECT
 public:
  // A sample request for the snapshot of a run of `path` on data that are (not) `image`s:
  // `preview` during training (the window's preview settings) or the Sampling dock's.
  using RequestFactory = std::function<SampleRequest(SnapshotPtr model, const std::string& path,
                                                     bool image, bool preview)>;

  ComparisonCoordinator(SamplingService* sampler, ComparisonViews views, RequestFactory requests,
                        QObject* parent = nullptr);

  // Trains `base` once per path (only the path differs) into root/<path>/.
  void start(const RunConfig& base, const QStringList& paths, const QString& root, int threads,
             int previewEvery);
  void stop();
  // Back to the single run's pictures (the compared runs stay on disk).
  void leave();
  // Samples every compared run with the Sampling dock's settings (one seed for all).
  void sampleAll();

  bool active() const { return active_; }  // the views show the comparison
  bool running() const;
  int runCount() const { return int(runs_.size()); }
  QStringList paths() const;
  SnapshotPtr snapshot(int run) const;
  QString runDirectory(int run) const;
  ComparisonController* controller() const { return controller_; }
  // Latest samples of a run (null before its first).
  std::shared_ptr<const SampleSet> samples(int run) const;

 Q_SIGNALS:
  void activeChanged(bool active);
  void runningChanged(bool running);
  void finished(bool cancelled);
  void failed(const QString& message);
  void allSampled();  // every run's samples of the last sampleAll() arrived

 private:
  struct Run {
    QString path;
    int klSeries = -1, lossSeries = -1;
    double firstLoss = 0;
    std::shared_ptr<const SampleSet> latest;
  };
  void received(std::shared_ptr<const SampleSet> samples, bool preview);
  void showFocus(int run);
  void redrawFlows();

  SamplingService* sampler_;
  ComparisonViews views_;
  RequestFactory requests_;
  ComparisonController* controller_;
  std::vector<Run> runs_;
  bool active_ = false;
  int focus_ = 0;
  int pendingSamples_ = 0;
  bool image_ = false;  // the compared runs' data are label maps
};

}  // namespace efm::ui

#include "window/comparison_coordinator.h"

#include <QDir>
#include "efm/config/run_config.h"

#include "engine/comparison_controller.h"
#include "views/label_map_view.h"
#include "views/meta_simplex_view.h"
#include "views/trajectory_view.h"
#include "widgets/comparison_panel.h"
#include "widgets/curve_chart.h"
#include "widgets/path_style.h"

namespace efm::ui {

ComparisonCoordinator::ComparisonCoordinator(SamplingService* sampler, ComparisonViews views,
                                             RequestFactory requests, QObject* parent)
    : QObject(parent),
      sampler_(sampler),
      views_(views),
      requests_(std::move(requests)),
      controller_(new ComparisonController(this)) {
  connect(controller_, &ComparisonController::runningChanged, this,
          [this](bool running) { Q_EMIT runningChanged(running); });
  connect(controller_, &ComparisonController::dataChanged, this, [this](const DataSummary& data) {
    views_.trajectories->setData(data);
    views_.metaSimplex->setData(data);
    views_.labelMaps->setData(data);
    image_ = data.image.isImage();
    redrawFlows();
  });
  connect(controller_, &ComparisonController::runProgressed, this,
          [this](int run, const TrainStatus& status) {
            if (run >= int(runs_.size())) return;
            Run& r = runs_[size_t(run)];
            views_.panel->showProgress(run, status);
            if (r.firstLoss <= 0) r.firstLoss = status.loss;
            if (r.firstLoss > 0)
              views_.chart->append(r.lossSeries, double(status.step), status.loss / r.firstLoss);
          });
  connect(controller_, &ComparisonController::snapshotPublished, this, [this](int run) {
    SnapshotPtr model = controller_->snapshot(run);
    if (!model) return;
    SampleRequest request =
        requests_(model, runs_.at(size_t(run)).path.toStdString(), image_, true);
    request.run = run;
    sampler_->submit(request);
  });
  connect(
      controller_, &ComparisonController::runFailed, this, [this](int run, const QString& message) {
        views_.panel->showRunMessage(run, "failed");
        Q_EMIT failed(QString("The %1 run stopped: %2").arg(runs_.at(size_t(run)).path, message));
      });
  connect(controller_, &ComparisonController::failed, this, &ComparisonCoordinator::failed);
  connect(controller_, &ComparisonController::finished, this, [this](bool cancelled) {
    views_.panel->showMessage(cancelled ? "Stopped; the checkpoints are saved."
                                        : "Finished: press Sample to draw from every run.");
    Q_EMIT finished(cancelled);
  });
  connect(sampler_, &SamplingService::sampled, this, &ComparisonCoordinator::received);
  connect(views_.panel, &ComparisonPanel::focusChanged, this, &ComparisonCoordinator::showFocus);
}

bool ComparisonCoordinator::running() const { return controller_->running(); }

QStringList ComparisonCoordinator::paths() const {
  QStringList list;
  for (const Run& run : runs_) list << run.path;
  return list;
}

SnapshotPtr ComparisonCoordinator::snapshot(int run) const { return controller_->snapshot(run); }
QString ComparisonCoordinator::runDirectory(int run) const {
  return controller_->runDirectory(run);
}

std::shared_ptr<const SampleSet> ComparisonCoordinator::samples(int run) const {
  return run >= 0 && run < int(runs_.size()) ? runs_[size_t(run)].latest : nullptr;
}

void ComparisonCoordinator::start(const RunConfig& base, const QStringList& paths,
                                  const QString& root, int threads, int previewEvery) {
  if (controller_->running() || paths.size() < 2) return;
  std::vector<RunConfig> configs;
  for (const QString& path : paths) {
    RunConfig config = base;
    config.path.kind = path.toStdString();
    configs.push_back(config);
  }
  runs_.clear();
  CurveChart* chart = views_.chart;
  chart->removeAllSeries();
  const int klAxis = chart->addAxis(true), lossAxis = chart->addAxis(true);
  for (const QString& path : paths) {
    Run run;
    run.path = path;
    run.klSeries = chart->addSeries(path + " KL", pathColour(path), klAxis);
    run.lossSeries =
        chart->addSeries(path + " loss/first", pathColour(path), lossAxis, Qt::DashLine);
    runs_.push_back(run);
  }
  chart->setTitle(
      "Compared runs: KL(target||model) (solid, left) and loss / first loss (dashed, right)");
  views_.panel->setRuns(paths);
  views_.panel->showMessage("Training " + paths.join(", ") + " in turns into " + root);
  views_.metaSimplex->clearTrail();
  focus_ = 0;
  pendingSamples_ = 0;
  if (!active_) {
    active_ = true;
    Q_EMIT activeChanged(true);
  }
  redrawFlows();
  controller_->start(configs, root, threads, previewEvery);
}

void ComparisonCoordinator::stop() { controller_->stop(); }

void ComparisonCoordinator::leave() {
  if (!active_) return;
  active_ = false;
  views_.trajectories->clearComparison();
  Q_EMIT activeChanged(false);
}

void ComparisonCoordinator::sampleAll() {
  pendingSamples_ = 0;
  for (int run = 0; run < int(runs_.size()); ++run) {
    SnapshotPtr model = controller_->snapshot(run);
    if (!model) continue;
    SampleRequest request = requests_(model, runs_[size_t(run)].path.toStdString(), image_, false);
    request.run = run;
    sampler_->submit(request);
    ++pendingSamples_;
  }
}

void ComparisonCoordinator::received(std::shared_ptr<const SampleSet> samples, bool preview) {
  const int run = samples->run;
  if (run < 0 || run >= int(runs_.size())) return;  // the single run's: the window's
  Run& r = runs_[size_t(run)];
  // A preview of an earlier comparison that was still queued: not this run's.
  if (samples->path != r.path.toStdString()) return;
  r.latest = samples;
  if (samples->klTargetModel && !samples->conditional()) {
    views_.chart->append(r.klSeries, double(samples->modelStep), *samples->klTargetModel);
    views_.panel->showKl(run, *samples->klTargetModel);
  }
  if (!active_) return;
  redrawFlows();
  if (run == focus_) {
    views_.metaSimplex->setSamples(samples);
    views_.labelMaps->setSamples(samples, preview);
  }
  if (!preview && pendingSamples_ > 0 && --pendingSamples_ == 0) Q_EMIT allSampled();
}

void ComparisonCoordinator::showFocus(int run) {
  if (run < 0 || run >= int(runs_.size())) return;
  focus_ = run;
  if (!active_) return;
  redrawFlows();
  if (const auto& samples = runs_[size_t(run)].latest) {
    views_.metaSimplex->setSamples(samples);
    views_.labelMaps->setSamples(samples);
  }
}

void ComparisonCoordinator::redrawFlows() {
  if (!active_) return;
  std::vector<FlowLayer> layers;
  int focus = 0;
  for (int run = 0; run < int(runs_.size()); ++run) {
    const Run& r = runs_[size_t(run)];
    if (!r.latest) continue;
    if (run == focus_) focus = int(layers.size());
    layers.push_back(FlowLayer{r.latest, pathColour(r.path), r.path});
  }
  views_.trajectories->setComparison(layers, focus);
}

}  // namespace efm::ui

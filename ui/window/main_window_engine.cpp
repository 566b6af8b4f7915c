// MainWindow's wiring of the engine threads to the widgets, and the runs and samples it starts.
#include "window/main_window.h"

#include <QDir>
#include <QFileInfo>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>
#include <algorithm>

#include "engine/likelihood_service.h"
#include "engine/path_catalog.h"
#include "engine/training_controller.h"
#include "views/label_map_view.h"
#include "views/meta_simplex_view.h"
#include "views/trajectory_view.h"
#include "widgets/comparison_panel.h"
#include "widgets/curve_chart.h"
#include "widgets/likelihood_panel.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"
#include "window/comparison_coordinator.h"

namespace efm::ui {

namespace {
constexpr int kPreviewFlows = 100;  // flows kept from each training preview (cheap to draw)
// Previews of image data: a few maps, two of them with their flows (a 32 x 64 map with 8
// classes keeps 5 MB of flow at the reference step), and Heun's method with step 0.5
// (60 network evaluations instead of rk4's 300 at step 0.2), so that a U-Net preview costs
// the trainer about as much time as the steps between two previews (README, "The studio").
constexpr int kImagePreviewMaps = 8;
constexpr int kImagePreviewFlows = 2;
constexpr double kImagePreviewStep = 0.5;
constexpr double kImagePreviewEvaluations = 60;  // Euler steps of a peer path's preview
const char* kImagePreviewSolver = "heun";
// The Sampling panel's settings for image data (the user may raise them), and back for
// other data.
constexpr int kImageSampleCount = 16;
constexpr int kImageFlowsKept = 4;
constexpr int kSampleCount = 2000;
constexpr int kFlowsKept = 1000;
}  // namespace

// The likelihood dock bounds log p under the single run's latest snapshot.
void MainWindow::connectLikelihood() {
  connect(likelihoodPanel_, &LikelihoodPanel::boundRequested, this,
          [this] { likelihood_->submit(likelihoodPanel_->request(trainer_->snapshot())); });
  connect(likelihoodPanel_, &LikelihoodPanel::cancelRequested, likelihood_,
          &LikelihoodService::cancel);
  connect(likelihood_, &LikelihoodService::busyChanged, likelihoodPanel_,
          &LikelihoodPanel::setBusy);
  connect(likelihood_, &LikelihoodService::progressed, likelihoodPanel_,
          &LikelihoodPanel::showProgress);
  connect(likelihood_, &LikelihoodService::finished, this,
          [this](const std::shared_ptr<const LikelihoodReport>& report) {
            likelihoodPanel_->showReport(*report);
          });
  connect(likelihood_, &LikelihoodService::failed, likelihoodPanel_, &LikelihoodPanel::showError);
}

void MainWindow::connectEngine() {
  connectLikelihood();
  connect(trainingPanel_, &TrainingPanel::startRequested, this, &MainWindow::startTraining);
  connect(trainingPanel_, &TrainingPanel::pauseRequested, trainer_, &TrainingController::pause);
  connect(trainingPanel_, &TrainingPanel::stopRequested, trainer_, &TrainingController::stop);
  connect(trainingPanel_, &TrainingPanel::resumeRequested, this, [this] {
    if (trainer_->state() == TrainingController::State::Paused) {
      trainer_->resume();
      return;
    }
    trainer_->setSnapshotEvery(trainingPanel_->previewEvery());
    trainer_->resumeTraining(trainingPanel_->steps(), trainingPanel_->threads());
  });
  connect(trainer_, &TrainingController::stateChanged, this, [this](int state) {
    updateComparisonButtons(state);
    updateActions();
  });
  connect(comparisonPanel_, &ComparisonPanel::compareRequested, this, &MainWindow::startComparison);
  connect(comparisonPanel_, &ComparisonPanel::stopRequested, comparison_,
          &ComparisonCoordinator::stop);
  connect(comparison_, &ComparisonCoordinator::runningChanged, this, [this] {
    updateComparisonButtons(int(trainer_->state()));
    updateActions();
  });
  connect(comparison_, &ComparisonCoordinator::activeChanged, this, [this](bool active) {
    curveStack_->setCurrentWidget(active ? comparisonCurves_ : curves_);
    updateActions();
  });
  connect(comparison_, &ComparisonCoordinator::failed, this, &MainWindow::showError);
  connect(comparison_, &ComparisonCoordinator::finished, this, [this](bool cancelled) {
    statusBar()->showMessage(QString("Comparison %1; the runs are in %2")
                                 .arg(cancelled ? "stopped" : "finished")
                                 .arg(QFileInfo(comparison_->runDirectory(0)).absolutePath()));
  });
  connect(trainer_, &TrainingController::progressed, this, [this](const TrainStatus& status) {
    trainingPanel_->showProgress(status);
    curves_->append(lossSeries_, double(status.step), status.loss);
  });
  connect(trainer_, &TrainingController::snapshotPublished, this, [this] {
    // Preview samples drawn off the GUI thread: views and the KL curve follow training.
    SnapshotPtr model = trainer_->snapshot();
    if (!model) return;
    const RunConfig config = trainer_->config();
    sampler_->submit(sampleRequest(model, config.path.kind, config.image.isImage(), true));
    updateActions();
  });
  connect(trainer_, &TrainingController::dataChanged, this, [this](const DataSummary& data) {
    trajectoryView_->setData(data);
    metaView_->setData(data);
    labelMapView_->setData(data);
    samplingPanel_->setPaintedPixels(labelMapView_->paintedPixels());
    samplingPanel_->setShape(data.variables, data.classes);
    // Label maps: a few samples, a few flows (each is steps x pixels x classes floats).
    if (data.image.isImage() != imageData_) {
      samplingPanel_->setCount(data.image.isImage() ? kImageSampleCount : kSampleCount);
      samplingPanel_->setFlowsKept(data.image.isImage() ? kImageFlowsKept : kFlowsKept);
      // Label maps just opened: show them (maps of the data and their class frequencies).
      if (data.image.isImage() && labelMapView_->showsData())
        tabs_->setCurrentWidget(labelMapView_);
    }
    imageData_ = data.image.isImage();
  });
  connect(trainer_, &TrainingController::dataLoading, this, [this](bool loading) {
    dataProgress_->setVisible(loading);
    dataCancel_->setVisible(loading);
    dataProgress_->setRange(0, 0);  // busy until the first report
    if (loading) statusBar()->showMessage("Opening the data…");
  });
  connect(trainer_, &TrainingController::dataProgress, this,
          [this](qint64 done, qint64 total, const QString& stage) {
            dataProgress_->setRange(0, int(std::min<qint64>(total, 1 << 30)));
            dataProgress_->setValue(int(std::min(done, total)));
            dataProgress_->setFormat(stage + ": %v / %m");
          });
  connect(dataCancel_, &QToolButton::clicked, trainer_, &TrainingController::cancelDataLoading);
  connect(trainer_, &TrainingController::configChanged, this, [this](const RunConfig& config) {
    trainingPanel_->setConfig(config);
    samplingPanel_->setPath(pathInfo(config.path.kind));
  });
  connect(trainer_, &TrainingController::finished, this, [this](bool cancelled, qint64 step) {
    const QString where = QDir(runDirectory_).filePath("checkpoint.pt");
    statusBar()->showMessage(QString("%1 at step %2; checkpoint saved in %3")
                                 .arg(cancelled ? "Stopped" : "Finished")
                                 .arg(step)
                                 .arg(where));
    trainingPanel_->showMessage(
        QString("%1 at step %2.").arg(cancelled ? "Stopped" : "Finished").arg(step));
  });
  connect(trainer_, &TrainingController::checkpointSaved, this, [this](const QString& file) {
    statusBar()->showMessage("Saved " + file);
    addRecentFile(file);
  });
  connect(trainer_, &TrainingController::checkpointLoaded, this, [this](const QString& file) {
    statusBar()->showMessage("Opened " + file);
    curves_->clear();
    addRecentFile(file);
  });
  connect(trainer_, &TrainingController::failed, this, &MainWindow::showError);
  connect(trainer_, &TrainingController::dataProblem, this,
          [this](const QString& message) { statusBar()->showMessage(message); });

  connect(samplingPanel_, &SamplingPanel::sampleRequested, this, &MainWindow::sampleNow);
  connect(samplingPanel_, &SamplingPanel::cancelRequested, sampler_, &SamplingService::cancel);
  connect(sampler_, &SamplingService::busyChanged, samplingPanel_, &SamplingPanel::setBusy);
  connect(sampler_, &SamplingService::progressed, samplingPanel_, &SamplingPanel::showProgress);
  connect(sampler_, &SamplingService::failed, this, &MainWindow::showError);
  connect(sampler_, &SamplingService::sampled, this,
          [this](std::shared_ptr<const SampleSet> samples, bool preview) {
            if (samples->run >= 0) {  // a compared run's: the comparison shows them
              if (!preview) {
                samplingPanel_->showResult(*samples);
                lastSamples_ = samples;
                updateActions();
                Q_EMIT samplesReady(preview);
              }
              return;
            }
            trajectoryView_->setSamples(samples);
            metaView_->setSamples(samples);
            labelMapView_->setSamples(samples, preview);
            // The curve follows the unconditional model: conditional samples' KL is the
            // conditional's, shown in the Sampling panel only.
            if (samples->klTargetModel && !samples->conditional())
              curves_->append(klSeries_, double(samples->modelStep), *samples->klTargetModel);
            if (!preview) {
              samplingPanel_->showResult(*samples);
              statusBar()->showMessage(QString("Sampled %1 labelings in %2 s")
                                           .arg(samples->count)
                                           .arg(samples->seconds, 0, 'f', 2));
            }
            lastSamples_ = samples;
            updateActions();
            Q_EMIT samplesReady(preview);
          });
  connect(trajectoryView_, &TrajectoryView::fieldRequested, this,
          [this](double time, const std::vector<float>& points) {
            FieldRequest request;
            request.run = trajectoryView_->focusedRun();
            request.model =
                request.run >= 0 ? comparison_->snapshot(request.run) : trainer_->snapshot();
            if (!request.model || points.empty()) return;
            request.time = time;
            request.points = points;
            sampler_->submitField(request);
          });
  connect(sampler_, &SamplingService::fieldReady, trajectoryView_, &TrajectoryView::setField);
  // A vertex clicked in the simplex view fixes (or frees) the shown node, and the model
  // samples again; the view marks the nodes that the Given text fixes.
  connect(trajectoryView_, &TrajectoryView::fixRequested, this, [this](int node, int label) {
    samplingPanel_->setGivenNode(node, label);
    if (trainer_->snapshot()) sampleNow();  // queued behind a sampling run in progress
  });
  connect(samplingPanel_, &SamplingPanel::givenChanged, trajectoryView_, &TrajectoryView::setGiven);
  // Pixels painted on a label map are given in the next samples (inpainting).
  connect(labelMapView_, &LabelMapView::givenPainted, samplingPanel_,
          &SamplingPanel::setPaintedPixels);
  // A pixel inspected in the label maps: its flows in the simplex view, on the face of its
  // most probable classes (or those the user pinned).
  connect(labelMapView_, &LabelMapView::pixelInspected, this,
          [this](int node, const std::vector<int>& classes) {
            trajectoryView_->setNode(node);
            if (classes.size() == 3 && trajectoryView_->selection().classes() > 4)
              trajectoryView_->setShownClasses(classes);
          });
}

void MainWindow::startTraining() {
  if (trainer_->state() != TrainingController::State::Idle || comparison_->running()) return;
  comparison_->leave();
  runDirectory_ = newRunDirectory();
  curves_->clear();
  metaView_->clearTrail();
  trainer_->setSnapshotEvery(trainingPanel_->previewEvery());
  trainer_->start(trainingPanel_->config(), runDirectory_, trainingPanel_->threads());
  statusBar()->showMessage("Training into " + runDirectory_);
  saveSettings();
}

void MainWindow::startComparison() {
  if (trainer_->state() != TrainingController::State::Idle || comparison_->running()) return;
  const QStringList paths = comparisonPanel_->checkedPaths();
  if (paths.size() < 2) {
    showError("Check at least two paths to compare.");
    return;
  }
  // One folder for the comparison, a run folder per path inside it.
  const QString root = newRunDirectory().replace("run-", "compare-");
  trainer_->setSnapshotEvery(trainingPanel_->previewEvery());
  comparison_->start(trainingPanel_->config(), paths, root, trainingPanel_->threads(),
                     trainingPanel_->previewEvery());
  statusBar()->showMessage("Comparing " + paths.join(", ") + " in " + root);
  saveSettings();
}

SampleRequest MainWindow::sampleRequest(SnapshotPtr model, const std::string& path, bool image,
                                        bool preview) const {
  if (!preview) return samplingPanel_->request(std::move(model));
  SampleRequest request;
  request.model = std::move(model);
  request.count = trainingPanel_->previewSamples();
  request.keepTrajectories = kPreviewFlows;
  if (image) {
    request.count = std::min(request.count, int64_t(kImagePreviewMaps));
    request.keepTrajectories = kImagePreviewFlows;
    const PathInfo info = pathInfo(path);
    if (info.ours) {
      request.solver = kImagePreviewSolver;
      request.step = kImagePreviewStep;
    } else {  // the path's own sampler with as many network evaluations
      request.step = (info.timeEnd - info.timeStart) / kImagePreviewEvaluations;
    }
  }
  request.preview = true;
  request.threads = 1;
  return request;
}

void MainWindow::updateComparisonButtons(int state) {
  const bool idle = TrainingController::State(state) == TrainingController::State::Idle;
  const bool comparing = comparison_->running();
  comparisonPanel_->setRunning(comparing, idle);
  trainingPanel_->setTrainerState(state, trainer_->canTrain());
  if (comparing) {
    trainingPanel_->startButton()->setEnabled(false);
    trainingPanel_->resumeButton()->setEnabled(false);
  }
}

void MainWindow::sampleNow() {
  if (comparison_->active()) {
    comparison_->sampleAll();
    return;
  }
  SnapshotPtr model = trainer_->snapshot();
  if (!model) {
    showError("There is no model to sample from yet: train one or open a checkpoint.");
    return;
  }
  sampler_->submit(samplingPanel_->request(model));
}

}  // namespace efm::ui

#include "main_window.h"

#include <efm/errors.h>
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <algorithm>

#include "bridge/vtk_widget.h"
#include "comparison_coordinator.h"
#include "engine/path_catalog.h"
#include "engine/sample_export.h"
#include "engine/sampling_service.h"
#include "engine/training_controller.h"
#include "views/geodesic_view.h"
#include "views/label_map_view.h"
#include "views/meta_simplex_view.h"
#include "views/trajectory_view.h"
#include "widgets/comparison_panel.h"
#include "widgets/curve_chart.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"

namespace efm::ui {

namespace {
constexpr int kMaxRecentFiles = 8;
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
const char* kCheckpointFilter = "Checkpoints (*.pt);;All files (*)";
}  // namespace

QString MainWindow::viewName(int view) {
  switch (view) {
    case Trajectories:
      return "trajectories";
    case Geodesics:
      return "geodesics";
    case MetaSimplex:
      return "meta-simplex";
    case LabelMaps:
      return "label-maps";
    default:
      return "curves";
  }
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("efm-studio");
  trainer_ = new TrainingController(this);
  sampler_ = new SamplingService(this);

  tabs_ = new QTabWidget;
  trajectoryView_ = new TrajectoryView;
  geodesicView_ = new GeodesicView;
  metaView_ = new MetaSimplexView;
  labelMapView_ = new LabelMapView;
  tabs_->addTab(trajectoryView_, "Simplex && trajectories");
  tabs_->addTab(geodesicView_, "Geodesic explorer");
  tabs_->addTab(metaView_, "Meta-simplex");
  tabs_->addTab(labelMapView_, "Label maps");
  dataProgress_ = new QProgressBar;
  dataProgress_->setMaximumWidth(260);
  dataProgress_->setVisible(false);
  dataCancel_ = new QToolButton;
  dataCancel_->setText("Cancel");
  dataCancel_->setToolTip("Stop opening the data");
  dataCancel_->setVisible(false);
  statusBar()->addPermanentWidget(dataProgress_);
  statusBar()->addPermanentWidget(dataCancel_);
  setCentralWidget(tabs_);

  trainingPanel_ = new TrainingPanel;
  auto* trainingDock = new QDockWidget("Training", this);
  trainingDock->setObjectName("trainingDock");
  trainingDock->setWidget(trainingPanel_);
  addDockWidget(Qt::LeftDockWidgetArea, trainingDock);
  samplingPanel_ = new SamplingPanel;
  auto* samplingDock = new QDockWidget("Sampling", this);
  samplingDock->setObjectName("samplingDock");
  samplingDock->setWidget(samplingPanel_);
  addDockWidget(Qt::RightDockWidgetArea, samplingDock);
  curves_ = new CurveChart("Training");
  lossSeries_ = curves_->addSeries("loss", QColor(40, 90, 200), true);
  klSeries_ = curves_->addSeries("KL(target||model)", QColor(210, 60, 40), true);
  comparisonCurves_ = new CurveChart("Compared runs");
  curveStack_ = new QStackedWidget;
  curveStack_->addWidget(curves_);
  curveStack_->addWidget(comparisonCurves_);
  auto* curvesDock = new QDockWidget("Curves", this);
  curvesDock->setObjectName("curvesDock");
  curvesDock->setWidget(curveStack_);
  addDockWidget(Qt::BottomDockWidgetArea, curvesDock);
  comparisonPanel_ = new ComparisonPanel;
  auto* compareDock = new QDockWidget("Compare paths", this);
  compareDock->setObjectName("compareDock");
  compareDock->setWidget(comparisonPanel_);
  addDockWidget(Qt::RightDockWidgetArea, compareDock);
  comparison_ = new ComparisonCoordinator(
      sampler_,
      ComparisonViews{comparisonPanel_, comparisonCurves_, trajectoryView_, metaView_,
                      labelMapView_},
      [this](SnapshotPtr model, const std::string& path, bool image, bool preview) {
        return sampleRequest(std::move(model), path, image, preview);
      },
      this);

  buildMenus();
  QMenu* viewMenu = menuBar()->addMenu("&View");
  for (QDockWidget* dock : {trainingDock, samplingDock, curvesDock, compareDock})
    viewMenu->addAction(dock->toggleViewAction());
  QMenu* help = menuBar()->addMenu("&Help");
  help->addAction("&About", this, [this] {
    QMessageBox::about(this, "efm-studio",
                       "E-geodesic flow matching on assignment manifolds.\n"
                       "Train, watch, sample and explore the geometry of the simplex.\n"
                       "Checkpoints are the files `efm train` writes.");
  });
  connectEngine();
  restoreSettings();
  updateActions();
  // Picking data shows its target in the views at once, unless a model is on display.
  // Connected after restoreSettings, which sets the data too: it is opened once, here.
  connect(trainingPanel_, &TrainingPanel::dataSpecChosen, this, [this](const QString& spec) {
    if (!trainer_->hasModel() && trainer_->state() == TrainingController::State::Idle)
      trainer_->inspectData(spec);
  });
  trainer_->inspectData(trainingPanel_->dataSpec());
  statusBar()->showMessage("Pick data and press Start.");
  resize(1400, 900);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu("&File");
  openAction_ = file->addAction("&Open checkpoint…", this, [this] {
    const QString name =
        QFileDialog::getOpenFileName(this, "Open checkpoint", {}, kCheckpointFilter);
    if (!name.isEmpty()) openCheckpoint(name);
  });
  openAction_->setShortcut(QKeySequence::Open);
  saveAction_ = file->addAction("&Save checkpoint as…", this, [this] {
    const QString name =
        QFileDialog::getSaveFileName(this, "Save checkpoint", "checkpoint.pt", kCheckpointFilter);
    if (!name.isEmpty()) saveCheckpoint(name);
  });
  saveAction_->setShortcut(QKeySequence::Save);
  recentMenu_ = file->addMenu("Recent checkpoints");
  QAction* openData = file->addAction("Open &data file…", this, [this] {
    const QString name = QFileDialog::getOpenFileName(
        this, "Open data", {}, "Labelings or tables (*.csv *.txt *.pmf);;All files (*)");
    if (name.isEmpty()) return;
    const bool table = name.endsWith(".pmf", Qt::CaseInsensitive);
    trainingPanel_->setDataSpec((table ? "pmf:" : "csv:") + name);
  });
  file->addSeparator();
  file->addAction("&Export view as PNG…", this,
                  [this] {
                    const QString name = QFileDialog::getSaveFileName(
                        this, "Export view", viewName(tabs_->currentIndex()) + ".png",
                        "PNG images (*.png)");
                    QString error;
                    if (!name.isEmpty() && !exportView(tabs_->currentIndex(), name, &error))
                      showError(error);
                  })
      ->setShortcut(Qt::CTRL | Qt::Key_E);
  exportSamplesAction_ = file->addAction("Export &samples as CSV…", this, [this] {
    const QString name =
        QFileDialog::getSaveFileName(this, "Export samples", "samples.csv", "CSV (*.csv)");
    if (!name.isEmpty()) exportSamples(name);
  });
  file->addSeparator();
  file->addAction("&Quit", this, &QWidget::close)->setShortcut(QKeySequence::Quit);
  connect(trainingPanel_, &TrainingPanel::openDataRequested, openData, &QAction::trigger);
}

void MainWindow::connectEngine() {
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
    // Label maps: a few samples, a few flows (each is steps x pixels x classes floats).
    if (data.image.isImage() != imageData_) {
      samplingPanel_->setCount(data.image.isImage() ? kImageSampleCount : kSampleCount);
      samplingPanel_->setFlowsKept(data.image.isImage() ? kImageFlowsKept : kFlowsKept);
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
            if (samples->klTargetModel)
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

void MainWindow::openCheckpoint(const QString& file) {
  if (trainer_->state() != TrainingController::State::Idle || comparison_->running()) {
    showError("Stop training before opening a checkpoint.");
    return;
  }
  comparison_->leave();
  runDirectory_ = newRunDirectory();
  trainer_->loadCheckpoint(file, runDirectory_);
}

void MainWindow::saveCheckpoint(const QString& file) { trainer_->saveCheckpoint(file); }

void MainWindow::exportSamples(const QString& file) {
  if (!lastSamples_) {
    showError("There are no samples to export yet: press Sample first.");
    return;
  }
  try {
    exportLabelings(*lastSamples_, file.toStdString());
    statusBar()->showMessage(
        QString("Wrote %1 labelings to %2").arg(lastSamples_->count).arg(file));
  } catch (const std::exception& e) {
    showError(QString::fromStdString(e.what()));
  }
}

void MainWindow::showView(int view) { tabs_->setCurrentIndex(view); }

bool MainWindow::exportView(int view, const QString& file, QString* error) {
  QImage image;
  switch (view) {
    case Trajectories:
      image = trajectoryView_->vtkWidget()->renderToImage();
      break;
    case Geodesics:
      image = geodesicView_->vtkWidget()->renderToImage();
      break;
    case MetaSimplex:
      image = metaView_->vtkWidget()->renderToImage();
      break;
    case LabelMaps:
      image = labelMapView_->renderToImage();
      break;
    default:
      image = curveStack_->currentWidget()->grab().toImage();
      break;
  }
  if (image.isNull() || !image.save(file, "PNG")) {
    if (error) *error = QString("Could not write the image '%1'.").arg(file);
    return false;
  }
  return true;
}

void MainWindow::showError(const QString& message) {
  // Non-modal: training and the other views go on while the message is read.
  if (errorDialog_) errorDialog_->close();
  errorDialog_ =
      new QMessageBox(QMessageBox::Warning, "efm-studio", message, QMessageBox::Ok, this);
  errorDialog_->setObjectName("errorDialog");
  errorDialog_->setAttribute(Qt::WA_DeleteOnClose);
  errorDialog_->setWindowModality(Qt::NonModal);
  connect(errorDialog_, &QObject::destroyed, this, [this, dialog = errorDialog_] {
    if (errorDialog_ == dialog) errorDialog_ = nullptr;
  });
  errorDialog_->show();
  statusBar()->showMessage(message.section('\n', 0, 0));
  Q_EMIT errorShown(message);
}

QString MainWindow::newRunDirectory() const {
  // EFM_STUDIO_RUNS moves the runs (tests, shared machines); by default the user's data
  // folder keeps every run, so that closing the window never loses a model.
  QString root = qEnvironmentVariable("EFM_STUDIO_RUNS");
  if (root.isEmpty())
    root = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
               .filePath("runs");
  const QString stamp = QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss-zzz");
  return QDir(root).filePath("run-" + stamp);
}

void MainWindow::addRecentFile(const QString& file) {
  QSettings settings;
  QStringList files = settings.value("recentFiles").toStringList();
  const QString absolute = QFileInfo(file).absoluteFilePath();
  files.removeAll(absolute);
  files.prepend(absolute);
  while (files.size() > kMaxRecentFiles) files.removeLast();
  settings.setValue("recentFiles", files);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList files = QSettings().value("recentFiles").toStringList();
  for (const QString& file : files)
    recentMenu_->addAction(QFileInfo(file).fileName() + "  —  " + QFileInfo(file).absolutePath(),
                           this, [this, file] { openCheckpoint(file); });
  recentMenu_->setEnabled(!files.isEmpty());
}

void MainWindow::updateActions() {
  const bool idle = trainer_->state() == TrainingController::State::Idle;
  openAction_->setEnabled(idle);
  saveAction_->setEnabled(trainer_->canTrain());
  exportSamplesAction_->setEnabled(lastSamples_ != nullptr);
  samplingPanel_->sampleButton()->setEnabled(trainer_->hasModel() ||
                                             (comparison_->active() && comparison_->snapshot(0)));
}

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  const QString config = settings.value("training/config").toString();
  if (!config.isEmpty()) {
    try {
      trainingPanel_->setConfig(configFromJsonString(config.toStdString(), "the saved settings"));
    } catch (const std::exception&) {
      // Settings from another version: keep the reference defaults.
    }
  }
  rebuildRecentMenu();
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  settings.setValue("training/config",
                    QString::fromStdString(toJsonString(trainingPanel_->config())));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveSettings();
  trainer_->stop();  // the run saves its checkpoint before the worker ends
  comparison_->stop();
  sampler_->cancel();
  event->accept();
}

}  // namespace efm::ui

// MainWindow's File menu (checkpoints, data, exports, recent files), its actions and settings.
#include "window/main_window.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>

#include "bridge/vtk_widget.h"
#include "engine/sample_export.h"
#include "engine/training_controller.h"
#include "views/geodesic_view.h"
#include "views/label_map_view.h"
#include "views/meta_simplex_view.h"
#include "views/trajectory_view.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"
#include "window/comparison_coordinator.h"
#include "window/recent_files.h"

namespace efm::ui {

namespace {
constexpr int kMaxRecentFiles = 8;
const char* kCheckpointFilter = "Checkpoints (*.pt);;All files (*)";
}  // namespace

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
  recentTargetsMenu_ = file->addMenu("Recent targets");
  rebuildRecentTargets();
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
  rememberRecentFile("recentFiles", file, kMaxRecentFiles);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  fillRecentMenu(recentMenu_, "recentFiles", this,
                 [this](const QString& file) { openCheckpoint(file); });
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

}  // namespace efm::ui

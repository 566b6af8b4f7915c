// MainWindow's Target dock: the table editor and the painter. An edit is written as a pmf file
// and training goes on towards it (TrainingController::replaceData); targets are saved and
// opened as pmf files, with a recent-targets list.
#include "window/main_window.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QTabWidget>
#include <exception>

#include "engine/target_files.h"
#include "engine/training_controller.h"
#include "widgets/target_painter.h"
#include "widgets/target_table_editor.h"
#include "widgets/training_panel.h"
#include "window/recent_files.h"

namespace efm::ui {

namespace {
constexpr int kMaxRecentTargets = 8;
const char* kTableFilter = "Joint tables (*.pmf);;All files (*)";
}  // namespace

QWidget* MainWindow::buildTargetPanel() {
  tableEditor_ = new TargetTableEditor;
  painter_ = new TargetPainter;
  targetTabs_ = new QTabWidget;
  targetTabs_->addTab(tableEditor_, "Table");
  targetTabs_->addTab(painter_, "Painter");
  return targetTabs_;
}

void MainWindow::connectTargets() {
  connect(tableEditor_, &TargetTableEditor::edited, this, &MainWindow::applyTarget);
  connect(painter_, &TargetPainter::edited, this, &MainWindow::applyTarget);
  connect(tableEditor_, &TargetTableEditor::openRequested, this, [this] {
    const QString name = QFileDialog::getOpenFileName(this, "Open target", {}, kTableFilter);
    if (!name.isEmpty()) openTarget(name);
  });
  connect(tableEditor_, &TargetTableEditor::saveRequested, this, [this] {
    const QString name =
        QFileDialog::getSaveFileName(this, "Save target", "target.pmf", kTableFilter);
    if (!name.isEmpty()) saveTarget(name);
  });
  connect(trainer_, &TrainingController::dataChanged, this, [this](const DataSummary& data) {
    target_ = data;
    // The editor keeps what was typed (weights, not probabilities) when the change is its own.
    if (QString::fromStdString(data.spec) != editedSpec_)
      tableEditor_->setTable(data.joint, data.variables, data.classes);
  });
}

void MainWindow::applyTarget(const std::vector<double>& weights, qint64 variables, qint64 classes) {
  QString spec;
  try {
    spec = writeTargetTable(editedTargetFile(variables, classes), weights, variables, classes);
  } catch (const std::exception& e) {
    showError(QString("Could not write the edited target: %1").arg(e.what()));
    return;
  }
  editedSpec_ = spec;
  {
    const QSignalBlocker quiet(trainingPanel_);  // replaceData below opens it
    trainingPanel_->setDataSpec(spec);
  }
  trainer_->replaceData(spec);
  statusBar()->showMessage(trainer_->hasModel() ? "Training goes on towards the edited target."
                                                : "Edited target set: press Start to train on it.");
}

void MainWindow::openTarget(const QString& file) {
  const QString spec = "pmf:" + QFileInfo(file).absoluteFilePath();
  editedSpec_.clear();  // the editor shows the file's table
  {
    const QSignalBlocker quiet(trainingPanel_);
    trainingPanel_->setDataSpec(spec);
  }
  trainer_->replaceData(spec);
  addRecentTarget(file);
}

void MainWindow::saveTarget(const QString& file) {
  if (target_.joint.empty()) {
    showError("The data has no joint table to save (items or images).");
    return;
  }
  try {
    writeTargetTable(file, target_.joint, target_.variables, target_.classes);
  } catch (const std::exception& e) {
    showError(QString("Could not save the target: %1").arg(e.what()));
    return;
  }
  addRecentTarget(file);
  statusBar()->showMessage("Target saved to " + file);
}

void MainWindow::addRecentTarget(const QString& file) {
  rememberRecentFile("recentTargets", file, kMaxRecentTargets);
  rebuildRecentTargets();
}

void MainWindow::rebuildRecentTargets() {
  fillRecentMenu(recentTargetsMenu_, "recentTargets", this,
                 [this](const QString& file) { openTarget(file); });
}

}  // namespace efm::ui

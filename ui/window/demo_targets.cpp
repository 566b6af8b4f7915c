// DemoScript's hand-made targets: a ring painted on the Target dock's painter, or a weight
// typed into its table editor, before Start; and the dock's picture.
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <cmath>
#include <cstdio>
#include <memory>

#include "bridge/vtk_widget.h"
#include "widgets/target_painter.h"
#include "widgets/target_table_editor.h"
#include "window/demo_script.h"
#include "window/main_window.h"

namespace efm::ui {

namespace {
constexpr int kRingCells = 12;
constexpr double kRingRadius = 3.6;  // in cells, around the grid's centre
constexpr int kTableWaitMs = 20000;  // for the data's table to reach the editor
}  // namespace

void DemoScript::prepareTarget(const std::function<void()>& then) {
  if (options_.paint) {
    TargetPainter* painter = window_->targetPainter();
    window_->targetTabs()->setCurrentWidget(painter);
    painter->setCells(kRingCells);
    const double centre = (kRingCells - 1) / 2.0;
    for (int row = 0; row < kRingCells; ++row)
      for (int column = 0; column < kRingCells; ++column)
        if (std::abs(std::hypot(row - centre, column - centre) - kRingRadius) < 0.7)
          painter->dab(row, column);
    std::fprintf(stderr, "efm-studio --demo: painted a ring on a %d x %d grid\n", kRingCells,
                 kRingCells);
    painter->commit();  // the painted table becomes the data, as a stroke does
    then();
    return;
  }
  if (options_.editLabeling < 0) {
    then();
    return;
  }
  // The data's table reaches the editor once the data is open: wait for it.
  TargetTableEditor* editor = window_->tableEditor();
  window_->targetTabs()->setCurrentWidget(editor);
  auto clock = std::make_shared<QElapsedTimer>();
  clock->start();
  auto* poll = new QTimer(this);
  connect(poll, &QTimer::timeout, this, [this, editor, poll, clock, then] {
    const int rows = editor->table()->rowCount();
    if (rows > 0 && rows <= options_.editLabeling) {
      poll->deleteLater();
      fail(QString("--demo-edit: the data has no table with a labeling %1 to edit (it has %2)")
               .arg(options_.editLabeling)
               .arg(rows));
    } else if (rows > options_.editLabeling) {
      poll->deleteLater();
      if (!editor->setWeight(options_.editLabeling, options_.editWeight)) {
        fail(QString("the table editor refused the weight %1").arg(options_.editWeight));
        return;
      }
      std::fprintf(stderr, "efm-studio --demo: typed weight %g for labeling %d\n",
                   options_.editWeight, options_.editLabeling);
      then();
    } else if (clock->elapsed() > kTableWaitMs) {
      poll->deleteLater();
      fail(QString("--demo-edit: the data has no table with a labeling %1 to edit (%2)")
               .arg(options_.editLabeling)
               .arg(editor->messageLabel()->text()));
    }
  });
  poll->start(50);
}

bool DemoScript::saveTargetPicture(const QDir& dir, QStringList& written) {
  if (!options_.paint && options_.editLabeling < 0) return true;
  const QString file = dir.filePath("target.png");
  if (!VtkWidget::grabWithViews(window_->targetTabs()).save(file, "PNG")) {
    fail(QString("Could not write the image '%1'.").arg(file));
    return false;
  }
  written << file;
  return true;
}

}  // namespace efm::ui

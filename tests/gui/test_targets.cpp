// Targets made by hand (issue 21): the table editor and the painter turn edits into tables,
// refuse what is not one, draw what was painted; in the window an edit becomes the training
// target of the running model at once (the meta-simplex's target point moves on screen), and
// targets save to and open from pmf files with a recent-targets list.
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include "efm/data/dataset.h"

#include "bridge/vtk_widget.h"
#include "engine/training_controller.h"
#include "views/meta_simplex_view.h"
#include "widgets/target_painter.h"
#include "widgets/target_table_editor.h"
#include "widgets/training_panel.h"
#include "window/main_window.h"

// After LibTorch: its glog headers define CHECK too.
#include "gui_harness.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace efm::ui;
using gui_test::waitFor;

namespace {

bool near(const QColor& a, const QColor& b, int tolerance = 12) {
  return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) +
             std::abs(a.blue() - b.blue()) <
         tolerance;
}

// The centre of the pixels in the target's red (the sphere shaded by the light, and the
// legend's swatch, which stays put) and how many there are.
QPointF redCentre(const QImage& image, int* count) {
  double x = 0, y = 0;
  *count = 0;
  for (int row = 0; row < image.height(); ++row)
    for (int column = 0; column < image.width(); ++column) {
      const QColor p = image.pixelColor(column, row);
      if (p.red() > 120 && p.red() - p.green() > 90 && p.red() - p.blue() > 90) {
        x += column;
        y += row;
        ++*count;
      }
    }
  return *count > 0 ? QPointF(x / *count, y / *count) : QPointF();
}

std::string slurp(const QString& file) {
  std::ifstream in(file.toStdString());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the table editor turns typed weights into a table and puts bad ones back", "[targets]") {
  TargetTableEditor editor;
  QSignalSpy edited(&editor, &TargetTableEditor::edited);
  editor.setTable({0.4, 0.1, 0.1, 0.4}, 2, 2);
  REQUIRE(editor.table()->rowCount() == 4);
  CHECK(editor.table()->item(1, 0)->text() == "0 1");  // node 1 the most significant digit
  CHECK(editor.table()->item(1, 2)->text() == "0.1000");
  CHECK(edited.isEmpty());  // showing a table is not an edit

  REQUIRE(editor.setWeight(1, 3.0));
  REQUIRE(edited.size() == 1);
  const auto weights = edited.front().at(0).value<std::vector<double>>();
  CHECK(weights == std::vector<double>{0.4, 3.0, 0.1, 0.4});
  CHECK(edited.front().at(1).toLongLong() == 2);
  CHECK(edited.front().at(2).toLongLong() == 2);
  CHECK(editor.table()->item(1, 2)->text() == "0.7692");  // 3 / 3.9

  for (const QString bad : {"-2", "abc", "nan", "inf"}) {
    editor.table()->item(0, 1)->setText(bad);
    CHECK(editor.table()->item(0, 1)->text() == "0.4");
    CHECK(editor.messageLabel()->text().contains("non-negative"));
  }
  CHECK(edited.size() == 1);
  editor.setTable({1, 0, 0, 0}, 2, 2);
  editor.table()->item(0, 1)->setText("0");
  CHECK(editor.messageLabel()->text().contains("positive weight"));
  CHECK(editor.weights()[0] == 1);

  editor.setTable(std::vector<double>(729, 1.0 / 729), 6, 3);  // 3^6 cells: not listed
  CHECK(editor.table()->rowCount() == 0);
  CHECK_FALSE(editor.table()->isEnabled());
  CHECK(editor.messageLabel()->text().contains("too many"));
  CHECK(editor.findChild<QPushButton*>("saveTarget")->isEnabled());  // saved, not listed
  editor.setTable({}, 784, 2);
  CHECK(editor.messageLabel()->text().contains("no joint table"));
  CHECK_FALSE(editor.findChild<QPushButton*>("saveTarget")->isEnabled());
}

TEST_CASE("the painter turns strokes into a joint of two variables and draws them", "[targets]") {
  TargetPainter painter;
  painter.resize(360, 460);
  painter.show();
  REQUIRE(QTest::qWaitForWindowExposed(&painter));
  QSignalSpy edited(&painter, &TargetPainter::edited);
  PaintCanvas* canvas = painter.canvas();
  const int k = painter.cells();
  REQUIRE(k == TargetPainter::kDefaultCells);

  // A stroke from cell (3, 4) to (3, 6) with the left button.
  QTest::mousePress(canvas, Qt::LeftButton, {}, canvas->cellRect(3, 4).center());
  QTest::mouseMove(canvas, canvas->cellRect(3, 5).center());
  QTest::mouseMove(canvas, canvas->cellRect(3, 6).center());
  QTest::mouseRelease(canvas, Qt::LeftButton, {}, canvas->cellRect(3, 6).center());
  REQUIRE(edited.size() == 1);
  CHECK(edited.front().at(1).toLongLong() == 2);
  CHECK(edited.front().at(2).toLongLong() == k);
  const auto w = edited.front().at(0).value<std::vector<double>>();
  const auto cell = [k](int row, int column) {
    return std::size_t(row) * std::size_t(k) + std::size_t(column);
  };
  REQUIRE(w.size() == cell(k, 0));
  CHECK(w[cell(3, 5)] == 2.0);  // dabbed, plus half from each neighbour on the stroke
  CHECK(w[cell(3, 4)] == 1.5);
  CHECK(w[cell(2, 5)] == 0.5);
  CHECK(w[cell(8, 8)] == 0.0);

  // Pixels: the heaviest cell in ink, an untouched one in paper, a light one in between.
  const QImage image = canvas->grab().toImage();
  const auto at = [&](int row, int column) {
    const QPoint p = canvas->cellRect(row, column).center() * image.devicePixelRatio();
    return image.pixelColor(p);
  };
  CHECK(near(at(3, 5), TargetPainter::inkColor()));
  CHECK(at(8, 8).lightness() > 230);
  CHECK(at(2, 5).lightness() < at(8, 8).lightness());
  CHECK(at(2, 5).lightness() > at(3, 5).lightness());

  // The right button erases; erasing everything emits nothing (no table without mass).
  QTest::mouseClick(canvas, Qt::RightButton, {}, canvas->cellRect(3, 5).center());
  REQUIRE(edited.size() == 2);
  CHECK(edited.back().at(0).value<std::vector<double>>()[cell(3, 5)] == 0.0);
  painter.setCells(5);
  painter.commit();
  CHECK(edited.size() == 2);
  painter.dab(0, 0);
  painter.commit();
  REQUIRE(edited.size() == 3);
  CHECK(edited.back().at(2).toLongLong() == 5);
}

TEST_CASE("an edited target becomes the running model's target and moves on screen", "[targets]") {
  QTemporaryDir runs;
  qputenv("EFM_STUDIO_RUNS", runs.path().toUtf8());
  MainWindow window;
  window.show();
  REQUIRE(QTest::qWaitForWindowExposed(&window));
  window.showView(MainWindow::MetaSimplex);
  efm::RunConfig config;
  config.data = "toy:coupled-binary";
  config.train.steps = 1000000;
  config.train.checkpointEvery = 1000000;
  window.trainingPanel()->setConfig(config);
  int64_t lastStep = 0;
  QObject::connect(window.trainer(), &TrainingController::progressed, &window,
                   [&](const TrainStatus& s) { lastStep = s.step; });
  window.trainingPanel()->startRequested();
  REQUIRE(waitFor([&] { return lastStep > 50; }));
  REQUIRE(waitFor([&] { return window.tableEditor()->table()->rowCount() == 4; }, 10000));
  MetaSimplexView* meta = window.metaSimplexView();
  const std::vector<double> before = meta->targetJoint();
  REQUIRE(before.size() == 4);
  QTest::qWait(300);
  int redBefore = 0;
  const QPointF centreBefore = redCentre(meta->vtkWidget()->renderToImage(), &redBefore);
  REQUIRE(redBefore > 20);

  // Nearly all mass on the labeling (1, 0), typed into the table.
  TargetTableEditor* editor = window.tableEditor();
  for (int row = 0; row < 4; ++row) editor->setWeight(row, row == 2 ? 97 : 1);
  // Each typed cell is applied in turn: wait for the last one (row 3), not the third.
  REQUIRE(waitFor(
      [&] {
        return meta->targetJoint().size() == 4 && std::abs(meta->targetJoint()[2] - 0.97) < 1e-9;
      },
      20000));
  CHECK(meta->targetJoint()[2] == Approx(0.97).margin(1e-9));
  CHECK(editor->weights()[2] == 97);  // the editor keeps what was typed
  REQUIRE(waitFor([&] {
    return window.trainer()->config().data.find("edited-n2-c2.pmf") != std::string::npos;
  }));
  // The run's config.json names the edited table; training went on without a restart.
  CHECK(slurp(window.runDirectory() + "/config.json").find("edited-n2-c2.pmf") !=
        std::string::npos);
  const int64_t editedAt = lastStep;
  REQUIRE(waitFor([&] { return lastStep > editedAt + 50; }));
  CHECK(window.trainer()->state() == TrainingController::State::Running);
  QTest::qWait(300);
  int redAfter = 0;
  const QPointF centreAfter = redCentre(meta->vtkWidget()->renderToImage(), &redAfter);
  REQUIRE(redAfter > 20);
  INFO("red centre " << centreBefore.x() << "," << centreBefore.y() << " -> " << centreAfter.x()
                     << "," << centreAfter.y());
  CHECK(QLineF(centreBefore, centreAfter).length() > 3);

  // A painted target of another shape cannot retrain this model: it says so, nothing breaks.
  window.targetPainter()->dab(1, 1);
  window.targetPainter()->commit();
  REQUIRE(waitFor([&] { return window.statusBar()->currentMessage().contains("new run"); }, 10000));
  CHECK(window.trainer()->config().data.find("edited-n2-c2.pmf") != std::string::npos);

  // Save the target as a pmf file: it reads back as the same table, and is listed as recent.
  QTemporaryDir saved;
  const QString target = saved.path() + "/mine.pmf";
  window.saveTarget(target);
  const efm::DatasetPtr data = efm::openDataset("pmf:" + target.toStdString());
  const torch::Tensor joint = *data->jointTable();
  CHECK(joint[2].item<double>() == Approx(0.97).margin(1e-12));
  CHECK(QSettings().value("recentTargets").toStringList().front() ==
        QFileInfo(target).absoluteFilePath());
  window.trainer()->stop();
  REQUIRE(waitFor([&] { return window.trainer()->state() == TrainingController::State::Idle; }));
}

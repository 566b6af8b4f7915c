// The guided tour (issue 21): it opens on the first start only, each stage shows its view and
// its paragraph, Back/Next/Skip work, Help reopens it, and the flow limit it changes for one
// stage is given back.
#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "engine/training_controller.h"
#include "views/trajectory_view.h"
#include "widgets/training_panel.h"
#include "window/guided_tour.h"
#include "window/main_window.h"

// After LibTorch: its glog headers define CHECK too.
#include "gui_harness.h"

#include <catch2/catch.hpp>

using namespace efm::ui;
using gui_test::waitFor;

namespace {

// Dark pixels (text) in a grab of a widget.
int darkPixels(QWidget* widget) {
  const QImage image = widget->grab().toImage();
  int count = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      if (image.pixelColor(x, y).lightness() < 90) ++count;
  return count;
}

QAction* helpAction(MainWindow& window, const QString& text) {
  for (QAction* menu : window.menuBar()->actions())
    if (menu->menu())
      for (QAction* action : menu->menu()->actions())
        if (action->text() == text) return action;
  return nullptr;
}

}  // namespace

TEST_CASE("the guided tour opens on the first start, walks through its stages, and reopens",
          "[tour]") {
  QTemporaryDir runs;
  qputenv("EFM_STUDIO_RUNS", runs.path().toUtf8());
  QSettings().remove("tourSeen");
  MainWindow window;
  efm::RunConfig config;
  config.data = "toy:coupled-binary";
  config.train.steps = 300;
  config.train.checkpointEvery = 1000000;
  window.trainingPanel()->setConfig(config);
  window.show();
  REQUIRE(QTest::qWaitForWindowExposed(&window));
  window.trajectoryView()->setMaxFlows(700);
  GuidedTour* tour = window.tour();
  CHECK_FALSE(GuidedTour::seen());

  window.openTourOnFirstStart();
  REQUIRE(tour->isOpen());
  CHECK(tour->stage() == 0);
  CHECK(window.findChild<QTabWidget*>()->currentIndex() == MainWindow::Geodesics);
  // Nothing was trained: the tour started a short run, so that later stages have flows.
  REQUIRE(waitFor([&] { return window.trainer()->hasModel(); }, 20000));
  CHECK_FALSE(tour->backButton()->isEnabled());
  QTest::qWait(100);
  const int firstText = darkPixels(tour->dock());
  CHECK(firstText > 300);  // the title and the paragraph are drawn
  const QImage firstStage = tour->dock()->grab().toImage();

  QTest::mouseClick(tour->nextButton(), Qt::LeftButton);
  CHECK(tour->stage() == 1);
  CHECK(window.trajectoryView()->maxFlows() == 1);  // one labeling's flow
  CHECK(window.findChild<QTabWidget*>()->currentIndex() == MainWindow::Trajectories);
  CHECK(tour->textLabel()->text().contains("e-geodesic ray"));
  QTest::qWait(100);
  CHECK(tour->dock()->grab().toImage() != firstStage);  // another paragraph on screen
  QTest::mouseClick(tour->nextButton(), Qt::LeftButton);
  CHECK(window.trajectoryView()->maxFlows() == 700);  // many again: the person's own limit
  QTest::mouseClick(tour->backButton(), Qt::LeftButton);
  CHECK(tour->stage() == 1);
  QTest::mouseClick(tour->nextButton(), Qt::LeftButton);
  QTest::mouseClick(tour->nextButton(), Qt::LeftButton);
  CHECK(window.findChild<QTabWidget*>()->currentIndex() == MainWindow::MetaSimplex);
  QTest::mouseClick(tour->nextButton(), Qt::LeftButton);
  CHECK(tour->stage() == 4);
  CHECK(window.findChild<QTabWidget*>()->currentIndex() == MainWindow::LabelMaps);
  CHECK(tour->nextButton()->text() == "Done");
  QTest::mouseClick(tour->nextButton(), Qt::LeftButton);
  CHECK_FALSE(tour->isOpen());
  CHECK_FALSE(tour->dock()->isVisible());
  CHECK(GuidedTour::seen());
  CHECK(window.trajectoryView()->maxFlows() == 700);

  // Seen: the next start does not open it; Help -> Guided tour does, and Skip closes it.
  window.openTourOnFirstStart();
  CHECK_FALSE(tour->isOpen());
  QAction* reopen = helpAction(window, "&Guided tour");
  REQUIRE(reopen);
  reopen->trigger();
  REQUIRE(tour->isOpen());
  CHECK(tour->stage() == 0);
  QTest::mouseClick(tour->skipButton(), Qt::LeftButton);
  CHECK_FALSE(tour->isOpen());
  REQUIRE(
      waitFor([&] { return window.trainer()->state() == TrainingController::State::Idle; }, 60000));
}

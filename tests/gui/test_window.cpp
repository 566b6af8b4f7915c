// The main window through its real widgets: Start, Pause, Resume and Stop change the
// trainer's state; checkpoints round-trip with the files `efm` reads; a corrupt checkpoint
// shows an error and the window stays usable; a click on a vertex of the simplex view fixes a
// node and the samples become its conditional.
#include <QAbstractEventDispatcher>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include "efm/train/trainer.h"

#include "bridge/vtk_widget.h"
#include "engine/sampling_service.h"
#include "engine/training_controller.h"
#include "views/label_map_view.h"
#include "views/meta_simplex_view.h"
#include "views/trajectory_view.h"
#include "widgets/class_bars.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"
#include "window/event_dispatcher_choice.h"
#include "window/guided_tour.h"
#include "window/main_window.h"

// After LibTorch: its glog headers define CHECK too.
#include "gui_harness.h"
#include "label_map_fixtures.h"

#include <catch2/catch.hpp>

using namespace efm::ui;
using State = TrainingController::State;

using gui_test::waitFor;

namespace {

struct Window {
  QTemporaryDir runs;
  std::unique_ptr<MainWindow> window;
  int64_t lastStep = 0;
  Window() {
    qputenv("EFM_STUDIO_RUNS", runs.path().toUtf8());
    window = std::make_unique<MainWindow>();
    QObject::connect(window->trainer(), &TrainingController::progressed, window.get(),
                     [this](const TrainStatus& s) { lastStep = s.step; });
    window->show();
    REQUIRE(QTest::qWaitForWindowExposed(window.get()));
  }
  void configure(int64_t steps) {
    efm::RunConfig config;
    config.data = "toy:coupled-binary";
    config.train.steps = steps;
    config.train.checkpointEvery = 1000000;
    window->trainingPanel()->setConfig(config);
  }
  State state() const { return window->trainer()->state(); }
};

}  // namespace

TEST_CASE("Start, Pause, Resume and Stop through the buttons drive the trainer", "[window]") {
  Window w;
  w.configure(1000000);
  TrainingPanel* panel = w.window->trainingPanel();
  REQUIRE(panel->startButton()->isEnabled());
  REQUIRE_FALSE(panel->stopButton()->isEnabled());

  QTest::mouseClick(panel->startButton(), Qt::LeftButton);
  REQUIRE(waitFor([&] { return w.lastStep > 20; }));
  CHECK(w.state() == State::Running);
  CHECK(panel->pauseButton()->isEnabled());
  CHECK_FALSE(panel->startButton()->isEnabled());

  QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
  REQUIRE(waitFor([&] { return w.state() == State::Paused; }));
  REQUIRE(waitFor([&] { return panel->resumeButton()->isEnabled(); }));
  QTest::qWait(150);  // the last progress report of the paused step arrives
  const int64_t pausedAt = w.lastStep;
  QTest::qWait(400);
  CHECK(w.lastStep == pausedAt);  // no step while paused

  // Saving while paused is served at once (not after Resume), and the run stays paused.
  QTemporaryDir saveDir;
  QSignalSpy saved(w.window->trainer(), &TrainingController::checkpointSaved);
  w.window->saveCheckpoint(saveDir.filePath("paused.pt"));
  REQUIRE(saved.wait(5000));
  CHECK(efm::readCheckpointInfo(saveDir.filePath("paused.pt").toStdString()).step == pausedAt);
  CHECK(w.state() == State::Paused);

  QTest::mouseClick(panel->resumeButton(), Qt::LeftButton);
  REQUIRE(waitFor([&] { return w.lastStep > pausedAt + 20; }));
  CHECK(w.state() == State::Running);

  QSignalSpy finished(w.window->trainer(), &TrainingController::finished);
  QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
  REQUIRE(finished.wait(5000));
  CHECK(finished.front().at(0).toBool());  // cancelled
  CHECK(w.state() == State::Idle);
  // Stopping saved the run's checkpoint, which the command line can read.
  const QString checkpoint = QDir(w.window->runDirectory()).filePath("checkpoint.pt");
  REQUIRE(QFile::exists(checkpoint));
  const efm::CheckpointInfo info = efm::readCheckpointInfo(checkpoint.toStdString());
  CHECK(info.step == finished.front().at(1).toLongLong());
  CHECK(info.config.data == "toy:coupled-binary");
  CHECK(panel->startButton()->isEnabled());
  CHECK(panel->resumeButton()->isEnabled());  // the model can be trained further
}

TEST_CASE("checkpoints saved by the studio open again; corrupt ones give an error", "[window]") {
  Window w;
  w.configure(60);
  QSignalSpy finished(w.window->trainer(), &TrainingController::finished);
  w.window->startTraining();
  REQUIRE(finished.wait(60000));
  CHECK_FALSE(finished.front().at(0).toBool());

  QTemporaryDir dir;
  const QString saved = dir.filePath("saved.pt");
  QSignalSpy savedSpy(w.window->trainer(), &TrainingController::checkpointSaved);
  w.window->saveCheckpoint(saved);
  REQUIRE(savedSpy.wait(10000));
  CHECK(efm::readCheckpointInfo(saved.toStdString()).step == 60);

  SECTION("a saved checkpoint opens, with its configuration and a model to sample") {
    QSignalSpy loaded(w.window->trainer(), &TrainingController::checkpointLoaded);
    w.window->openCheckpoint(saved);
    REQUIRE(loaded.wait(10000));
    CHECK(w.window->trainingPanel()->config().train.steps == 60);
    // Its data opens, so it can be trained further.
    REQUIRE(waitFor([&] { return w.window->trainingPanel()->resumeButton()->isEnabled(); }, 5000));
    QSignalSpy samples(w.window.get(), &MainWindow::samplesReady);
    w.window->sampleNow();
    REQUIRE(waitFor([&] {
      return w.window->lastSamples() && !w.window->sampler()->busy() &&
             w.window->lastSamples()->modelStep == 60;
    }));
    const QString exported = dir.filePath("samples.csv");
    w.window->exportSamples(exported);
    QFile csv(exported);
    REQUIRE(csv.open(QIODevice::ReadOnly));
    CHECK(csv.readAll().count('\n') >= w.window->lastSamples()->count);
  }

  SECTION("a corrupt checkpoint shows an error naming the file and the window stays usable") {
    const QString corrupt = dir.filePath("corrupt.pt");
    QFile file(corrupt);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write("this is not a checkpoint");
    file.close();
    QSignalSpy errors(w.window.get(), &MainWindow::errorShown);
    w.window->openCheckpoint(corrupt);
    REQUIRE(errors.wait(10000));
    CHECK(errors.front().at(0).toString().contains("corrupt.pt"));
    REQUIRE(w.window->errorDialog() != nullptr);
    CHECK(w.window->errorDialog()->isVisible());
    CHECK(w.window->isEnabled());
    w.window->errorDialog()->close();

    // Still usable: a new run trains.
    QSignalSpy again(w.window->trainer(), &TrainingController::finished);
    QTest::mouseClick(w.window->trainingPanel()->startButton(), Qt::LeftButton);
    REQUIRE(again.wait(60000));
    CHECK_FALSE(again.front().at(0).toBool());
  }

  SECTION("bad data shows an error and leaves the trainer idle") {
    efm::RunConfig config;
    config.data = "csv:/no/such/file.csv";
    w.window->trainingPanel()->setConfig(config);
    QSignalSpy errors(w.window.get(), &MainWindow::errorShown);
    QTest::mouseClick(w.window->trainingPanel()->startButton(), Qt::LeftButton);
    REQUIRE(errors.wait(10000));
    CHECK(errors.front().at(0).toString().contains("/no/such/file.csv"));
    REQUIRE(waitFor([&] { return w.state() == State::Idle; }));
    CHECK(w.window->trainingPanel()->startButton()->isEnabled());
  }
}

TEST_CASE("picking data shows it in the views before any training", "[window]") {
  Window w;
  w.window->trainingPanel()->setDataSpec("toy:checkerboard?c=5");
  REQUIRE(waitFor([&] { return w.window->trajectoryView()->selection().classes() == 5; }, 10000));
  CHECK_FALSE(w.window->metaSimplexView()->showsTetrahedron());
  w.window->trainingPanel()->setDataSpec("toy:coupled-binary");
  REQUIRE(waitFor([&] { return w.window->metaSimplexView()->showsTetrahedron(); }, 10000));
  CHECK(w.state() == State::Idle);  // looking at data trains nothing
}

TEST_CASE("picking a folder in the Cityscapes layout shows its maps and class frequencies",
          "[window]") {
  QTemporaryDir dir;
  gui_test::writeSmallStreets(dir.path().toStdString(), 3, 5);
  Window w;
  LabelMapView* maps = w.window->labelMapView();
  w.window->trainingPanel()->setDataSpec("cityscapes:" + dir.path() + "?scale=0.25&crop=8x16");
  REQUIRE(waitFor([&] { return maps->showsData(); }, 30000));
  CHECK(w.window->currentView() == maps);
  CHECK(maps->galleryCount() == 16);
  REQUIRE(maps->classBars()->probabilities().size() == 8);
  // The gallery as drawn: a data map's pixel has a class colour of the Cityscapes palette.
  // The gallery as drawn (once the tab that just came up has its size and layout): a pixel
  // of the first map of the data has the colour of its class.
  auto matches = [&] {
    const QImage frame = maps->vtkWidget()->renderToImage();
    const auto centre = maps->galleryRects().front().centre(3 * 16 + 5);  // pixel (3, 5)
    const QPoint at = maps->widgetPosition(centre[0], centre[1]) * frame.devicePixelRatio();
    const QRgb shown = frame.pixel(at);
    const efm::ui::Rgb drawn = LabelMapView::pixelColour(maps->galleryImage(0), 3, 5);
    return std::abs(qRed(shown) - drawn[0]) + std::abs(qGreen(shown) - drawn[1]) +
               std::abs(qBlue(shown) - drawn[2]) <=
           12;
  };
  CHECK(waitFor(matches, 10000));
  CHECK(w.state() == State::Idle);
}

TEST_CASE("clicking a vertex fixes the shown node, resamples its conditional, and frees it again",
          "[window]") {
  Window w;
  w.configure(300);
  w.window->showView(MainWindow::Trajectories);
  TrainingPanel* panel = w.window->trainingPanel();
  QSignalSpy finished(w.window->trainer(), &TrainingController::finished);
  QTest::mouseClick(panel->startButton(), Qt::LeftButton);
  REQUIRE(finished.wait(60000));
  REQUIRE(waitFor([&] { return w.window->lastSamples() != nullptr; }));
  REQUIRE(waitFor([&] { return !w.window->sampler()->busy(); }));

  TrajectoryView* view = w.window->trajectoryView();
  VtkWidget* vtk = view->vtkWidget();
  QTest::qWait(200);  // laid out and rendered: the camera maps vertices to the screen
  QSignalSpy fix(view, &TrajectoryView::fixRequested);

  // With all nodes shown a click only says what to do.
  view->setNode(-1);
  QTest::mouseClick(vtk, Qt::LeftButton, {}, view->vertexPosition(1));
  CHECK(fix.isEmpty());
  CHECK(view->notice().contains("choose the node"));

  // Node 1 (index 0) shown: a click on the second vertex fixes it at that class.
  view->setNode(0);
  const int cls = view->selection().shown()[1];
  QTest::mouseClick(vtk, Qt::LeftButton, {}, view->vertexPosition(1));
  REQUIRE(fix.size() == 1);
  CHECK(fix.front().at(0).toInt() == 0);
  CHECK(fix.front().at(1).toInt() == cls);
  CHECK(w.window->samplingPanel()->givenEdit()->text() == QString("0=%1").arg(cls));
  CHECK(view->given() == std::vector<int64_t>{cls, -1});
  REQUIRE(waitFor([&] {
    auto s = w.window->lastSamples();
    return s && !s->given.empty();
  }));
  const auto samples = w.window->lastSamples();
  CHECK(samples->given == std::vector<int64_t>{cls, -1});
  for (int64_t s = 0; s < samples->count; ++s) CHECK(samples->labels[size_t(s * 2)] == cls);
  // The meta-simplex compares with the exact conditional p(x | x1 = cls): Bayes on the table.
  const efm::DatasetPtr data = efm::openDataset("toy:coupled-binary");
  const torch::Tensor joint = *data->jointTable();
  const double evidence = joint[cls * 2].item<double>() + joint[cls * 2 + 1].item<double>();
  const std::vector<double>& target = w.window->metaSimplexView()->targetJoint();
  REQUIRE(target.size() == 4);
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < 2; ++b)
      CHECK(target[size_t(a * 2 + b)] ==
            Approx(a == cls ? joint[a * 2 + b].item<double>() / evidence : 0.0).margin(1e-12));
  REQUIRE(samples->klTargetModel.has_value());

  // A drag orbits the camera and fixes nothing; a click far from every vertex neither.
  const QPoint from = view->vertexPosition(0);
  QTest::mousePress(vtk, Qt::LeftButton, {}, from);
  QTest::mouseMove(vtk, from + QPoint(40, 25));
  QTest::mouseRelease(vtk, Qt::LeftButton, {}, from + QPoint(40, 25));
  QTest::mouseClick(vtk, Qt::LeftButton, {}, QPoint(vtk->width() - 3, 3));
  CHECK(fix.size() == 1);

  // The same vertex again frees the node; the next samples are unconditional.
  REQUIRE(waitFor([&] { return !w.window->sampler()->busy(); }));
  vtk->resetCamera();
  QTest::qWait(100);
  QTest::mouseClick(vtk, Qt::LeftButton, {}, view->vertexPosition(1));
  REQUIRE(fix.size() == 2);
  CHECK(fix.back().at(1).toInt() == -1);
  CHECK(w.window->samplingPanel()->givenEdit()->text().isEmpty());
  CHECK(view->given().empty());
  REQUIRE(waitFor([&] {
    auto s = w.window->lastSamples();
    return s && s->given.empty() && s != samples;
  }));
  CHECK(w.window->metaSimplexView()->targetJoint().size() == 4);
}

TEST_CASE("the window fits a 1366 x 768 screen with the guided tour open, and its panels scroll",
          "[window]") {
  Window w;
  w.configure(40);  // the tour starts a short run when nothing is trained
  w.window->tour()->open();
  QApplication::processEvents();
  // A 1366 x 768 laptop screen less a 40-pixel task bar and a 30-pixel title bar.
  const QSize fits(1366, 768 - 40 - 30);
  const QSize minimum = w.window->minimumSizeHint();
  INFO("minimum size " << minimum.width() << " x " << minimum.height());
  for (QDockWidget* dock : w.window->findChildren<QDockWidget*>())
    INFO(dock->objectName().toStdString() << " at least " << dock->minimumSizeHint().width()
                                          << " x " << dock->minimumSizeHint().height());
  CHECK(minimum.width() <= fits.width());
  CHECK(minimum.height() <= fits.height());

  // At that size the Training panel keeps its whole width and scrolls to its last row.
  w.window->resize(fits);
  QApplication::processEvents();
  REQUIRE(waitFor([&] { return w.window->size() == fits; }));
  TrainingPanel* panel = w.window->trainingPanel();
  auto* area = qobject_cast<QScrollArea*>(panel->parentWidget()->parentWidget());
  REQUIRE(area != nullptr);
  CHECK(area->viewport()->width() >= panel->minimumSizeHint().width());
  QScrollBar* bar = area->verticalScrollBar();
  REQUIRE(bar->maximum() > 0);  // the panel is taller than its dock at this size
  QPushButton* start = panel->startButton();
  bar->setValue(0);
  area->ensureWidgetVisible(start);
  QApplication::processEvents();
  const QPoint topLeft = start->mapTo(area->viewport(), QPoint(0, 0));
  CHECK(topLeft.y() >= 0);
  CHECK(topLeft.y() + start->height() <= area->viewport()->height());
  CHECK(waitFor([&] { return w.state() != State::Running; }, 60000));
}

TEST_CASE("the window opens at the size it was closed at", "[window]") {
  const QSize given(1350, 720);  // above the minimum size, below the default
  {
    Window w;
    w.window->resize(given);
    REQUIRE(waitFor([&] { return w.window->size() == given; }));
    w.window->close();  // saves the settings
  }
  Window again;
  CHECK(again.window->size() == given);
}

TEST_CASE("the studio runs Qt's own event dispatcher, not GLib's, unless told", "[window]") {
  // The runner calls chooseEventDispatcher() as the studio does. CTest leaves QT_NO_GLIB
  // unset, so the choice was made there; set and empty, it keeps GLib's.
  const QString dispatcher = QAbstractEventDispatcher::instance()->metaObject()->className();
  INFO("dispatcher " << dispatcher.toStdString());
  if (!qEnvironmentVariableIsSet("QT_NO_GLIB") || efm::ui::glibDispatcherTurnedOff()) {
    CHECK(efm::ui::glibDispatcherTurnedOff());
    CHECK_FALSE(dispatcher.contains("Glib"));
    CHECK(QCoreApplication::testAttribute(Qt::AA_DontUseNativeDialogs));  // GTK's need GLib
  } else if (qEnvironmentVariableIsEmpty("QT_NO_GLIB")) {
    CHECK(dispatcher.contains("Glib"));
  }
}

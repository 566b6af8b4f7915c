// Runs of different probability paths side by side (issue 5): trained on the same data in
// turns, their KL and loss curves on one chart, their flows overlaid in the simplex view,
// each run in its path's colour; stopping or closing mid-comparison is clean. Also each
// path's own sampler and time range in the sampling thread and the simplex view.
#include <torch/torch.h>
#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <set>
#include "efm/train/trainer.h"

#include "engine/comparison_controller.h"
#include "engine/model_snapshot.h"
#include "engine/sampling_service.h"
#include "engine/training_controller.h"
#include "views/trajectory_view.h"
#include "widgets/comparison_panel.h"
#include "widgets/curve_chart.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"
#include "window/comparison_coordinator.h"
#include "window/main_window.h"

// After LibTorch: its glog headers define CHECK too.
#include "gui_harness.h"

#include <catch2/catch.hpp>

using namespace efm::ui;

using gui_test::waitFor;

using gui_test::untrainedModel;

namespace {

struct Window {
  QTemporaryDir runs;
  std::unique_ptr<MainWindow> window;
  Window() {
    qputenv("EFM_STUDIO_RUNS", runs.path().toUtf8());
    window = std::make_unique<MainWindow>();
    window->show();
    REQUIRE(QTest::qWaitForWindowExposed(window.get()));
  }
  void configure(int64_t steps, int previewEvery) {
    efm::RunConfig config;
    config.data = "toy:coupled-binary";
    config.train.steps = steps;
    config.train.checkpointEvery = 1000000;
    window->trainingPanel()->setConfig(config);
    window->trainingPanel()->setPreviewEvery(previewEvery);
  }
  void compare(const QStringList& paths) {
    window->comparisonPanel()->setCheckedPaths(paths);
    REQUIRE(window->comparisonPanel()->compareButton()->isEnabled());
    QTest::mouseClick(window->comparisonPanel()->compareButton(), Qt::LeftButton);
  }
};

}  // namespace

TEST_CASE("two paths train side by side and are shown together", "[compare]") {
  Window w;
  w.configure(200, 50);
  QSignalSpy finished(w.window->comparison(), &ComparisonCoordinator::finished);
  w.compare({"ray", "dirichlet"});
  CHECK(w.window->comparison()->running());
  CHECK_FALSE(w.window->trainingPanel()->startButton()->isEnabled());  // one thing at a time
  REQUIRE(finished.wait(180000));
  CHECK_FALSE(finished.front().at(0).toBool());
  ComparisonCoordinator* comparison = w.window->comparison();
  REQUIRE(comparison->paths() == QStringList({"ray", "dirichlet"}));

  // Both runs are on disk, as `efm train` lays them out, with their own path.
  for (int run = 0; run < 2; ++run) {
    const QString checkpoint = QDir(comparison->runDirectory(run)).filePath("checkpoint.pt");
    INFO(checkpoint.toStdString());
    REQUIRE(QFile::exists(checkpoint));
    const efm::CheckpointInfo info = efm::readCheckpointInfo(checkpoint.toStdString());
    CHECK(info.step == 200);
    CHECK(info.config.path.kind == comparison->paths()[run].toStdString());
    CHECK(info.config.data == "toy:coupled-binary");
  }

  // The previews of the last snapshots arrive: the KL curves of both runs are on the
  // comparison chart, which the Curves dock now shows, in distinct colours and names.
  REQUIRE(waitFor([&] {
    return comparison->samples(0) && comparison->samples(0)->modelStep == 200 &&
           comparison->samples(1) && comparison->samples(1)->modelStep == 200;
  }));
  CurveChart* chart = w.window->comparisonCurves();
  CHECK(chart->isVisible());
  CHECK_FALSE(w.window->curves()->isVisible());
  REQUIRE(chart->seriesCount() == 4);  // KL and normalised loss per run
  std::set<QRgb> klColours;
  QStringList klNames;
  for (int series = 0; series < chart->seriesCount(); ++series) {
    if (!chart->seriesName(series).endsWith(" KL")) continue;
    // Previews come every 50 steps, but a newer one replaces one still queued (latest
    // wins), so under load only the last may be drawn; that one always arrives.
    REQUIRE(chart->pointCount(series) >= 1);
    CHECK(chart->point(series, chart->pointCount(series) - 1).x() == 200.0);
    klColours.insert(chart->seriesColor(series).rgb());
    klNames << chart->seriesName(series);
  }
  CHECK(klNames == QStringList({"ray KL", "dirichlet KL"}));
  CHECK(klColours.size() == 2);
  // The losses are divided by each run's first one: both start at 1.
  for (int series = 0; series < chart->seriesCount(); ++series)
    if (chart->seriesName(series).endsWith("loss/first")) CHECK(chart->pointCount(series) >= 1);

  // The simplex view overlays the flows of both runs, each in its run's colour.
  TrajectoryView* view = w.window->trajectoryView();
  REQUIRE(waitFor([&] { return view->layerCount() == 2; }));
  CHECK(view->comparing());
  CHECK(view->layerLines(0) > 0);
  CHECK(view->layerLines(1) > 0);
  CHECK(view->layerColour(0) != view->layerColour(1));
  CHECK(view->layerColour(0) == chart->seriesColor(0));
  CHECK(view->particleCount() > 0);
  // The table of runs names both, and the KL column is filled.
  QTableWidget* table = w.window->comparisonPanel()->table();
  REQUIRE(table->rowCount() == 2);
  CHECK(table->item(1, 0)->text() == "dirichlet");
  CHECK(table->item(1, 3)->text() != "–");

  // Sample draws from every run with the Sampling dock's settings (the paths' own
  // samplers): the Dirichlet flows run over alpha from 1 to 8.
  QSignalSpy sampled(comparison, &ComparisonCoordinator::allSampled);
  w.window->samplingPanel()->setCount(300);
  w.window->sampleNow();
  REQUIRE(sampled.wait(120000));
  REQUIRE(comparison->samples(1)->path == "dirichlet");
  CHECK(comparison->samples(1)->times.front() == Approx(1.0));
  CHECK(comparison->samples(1)->times.back() == Approx(8.0));
  CHECK(comparison->samples(0)->times.back() == Approx(15.0));
  // Focusing the Dirichlet run: the slider's time is its alpha.
  table->selectRow(1);
  REQUIRE(waitFor([&] { return view->focusedRun() == 1; }, 5000));
  CHECK(view->timeStart() == Approx(1.0));
  CHECK(view->timeEnd() == Approx(8.0));
  view->setTime(4.5);
  CHECK(view->time() == Approx(4.5).margin(0.01));

  // A single run again: the window returns to its own chart and views.
  QSignalSpy single(w.window->trainer(), &TrainingController::finished);
  w.configure(30, 10);
  QTest::mouseClick(w.window->trainingPanel()->startButton(), Qt::LeftButton);
  REQUIRE(single.wait(60000));
  CHECK_FALSE(view->comparing());
  CHECK(w.window->curves()->isVisible());
}

TEST_CASE("stopping or closing mid-comparison is clean", "[compare]") {
  Window w;
  w.configure(1000000, 100);
  QSignalSpy finished(w.window->comparison(), &ComparisonCoordinator::finished);
  w.compare({"ray", "fisher", "linear"});
  REQUIRE(waitFor([&] { return w.window->comparison()->samples(2) != nullptr; }));
  QTest::mouseClick(w.window->comparisonPanel()->stopButton(), Qt::LeftButton);
  REQUIRE(finished.wait(20000));
  CHECK(finished.front().at(0).toBool());  // cancelled
  CHECK_FALSE(w.window->comparison()->running());
  CHECK(w.window->comparisonPanel()->compareButton()->isEnabled());
  CHECK(w.window->trainingPanel()->startButton()->isEnabled());
  for (int run = 0; run < 3; ++run)
    CHECK(QFile::exists(QDir(w.window->comparison()->runDirectory(run)).filePath("checkpoint.pt")));

  // Again, and close the window while the runs train: it goes away at once.
  w.compare({"ray", "dirichlet"});
  REQUIRE(waitFor([&] { return w.window->comparison()->samples(0) != nullptr; }));
  QElapsedTimer clock;
  clock.start();
  w.window->close();
  w.window.reset();
  CHECK(clock.elapsed() < 10000);
}

TEST_CASE("the training dock offers every path; a refused solver is a message", "[compare]") {
  Window w;
  QComboBox* paths = w.window->trainingPanel()->pathBox();
  REQUIRE(paths->count() == 5);
  for (int i = 0; i < paths->count(); ++i) {
    INFO(paths->itemText(i).toStdString());
    const QString tip = paths->itemData(i, Qt::ToolTipRole).toString();
    CHECK(tip.startsWith(i < 2 ? "ours" : "peer"));
  }
  efm::RunConfig config;
  config.data = "toy:coupled-binary";
  config.path.kind = "linear";
  config.train.steps = 30;
  w.window->trainingPanel()->setConfig(config);
  CHECK(w.window->trainingPanel()->config().path.kind == "linear");
  QSignalSpy finished(w.window->trainer(), &TrainingController::finished);
  w.window->startTraining();
  REQUIRE(finished.wait(60000));
  // The linear path takes only Euler: RK4 is refused with a message, and nothing crashes.
  QComboBox* solver = w.window->samplingPanel()->solverBox();
  solver->setCurrentIndex(solver->findText("rk4"));
  QSignalSpy errors(w.window.get(), &MainWindow::errorShown);
  w.window->sampleNow();
  REQUIRE(errors.wait(30000));
  CHECK(errors.front().at(0).toString().contains("euler"));
  // Its own sampler works.
  solver->setCurrentIndex(0);
  w.window->samplingPanel()->setCount(200);
  w.window->sampleNow();
  REQUIRE(waitFor([&] {
    return w.window->lastSamples() && !w.window->lastSamples()->times.empty() &&
           w.window->lastSamples()->path == "linear" && !w.window->sampler()->busy();
  }));
  CHECK(w.window->lastSamples()->times.back() == Approx(1.0));
  CHECK(w.window->trajectoryView()->timeEnd() == Approx(1.0));
}

TEST_CASE("each path samples with its own solver and time range", "[compare]") {
  SamplingService service;
  for (const std::string path : {"ray", "dirichlet", "fisher", "linear"}) {
    INFO(path);
    SampleRequest request;
    request.model = untrainedModel(path);
    request.count = 50;
    request.keepTrajectories = 5;
    QSignalSpy spy(&service, &SamplingService::sampled);
    service.submit(request);
    REQUIRE(spy.wait(60000));
    const auto s = spy.front().at(0).value<std::shared_ptr<const SampleSet>>();
    const PathInfo info = pathInfo(path);
    REQUIRE_FALSE(s->times.empty());
    CHECK(s->times.front() == Approx(info.timeStart));
    CHECK(s->times.back() == Approx(info.timeEnd));
    // Euler with 60 steps to t = 15 for ours, 300 Euler steps for the peers.
    CHECK(s->times.size() == (path == "ray" ? 61u : 301u));
    CHECK(s->path == path);

    // The vector field in probability coordinates: finite, tangent (sums to 0).
    FieldRequest field;
    field.model = request.model;
    field.time = info.timeEnd;  // the linear path's velocity is singular exactly there
    field.points = {0.2f, 0.3f, 0.5f, 0.6f, 0.2f, 0.2f};
    QSignalSpy fields(&service, &SamplingService::fieldReady);
    service.submitField(field);
    REQUIRE(fields.wait(30000));
    const auto slice = fields.front().at(0).value<std::shared_ptr<const FieldSlice>>();
    REQUIRE(slice->velocities.size() == 6);
    for (int g = 0; g < 2; ++g) {
      double sum = 0, largest = 0;
      for (int c = 0; c < 3; ++c) {
        const double v = slice->velocities[3 * size_t(g) + size_t(c)];
        CHECK(std::isfinite(v));
        sum += v;
        largest = std::max(largest, std::abs(v));
      }
      CHECK(largest > 0);
      CHECK(std::abs(sum) <= 1e-4 * largest + 1e-6);
    }
  }
}

TEST_CASE("the demo pictures a comparison; bad --compare lists are refused", "[compare]") {
  QTemporaryDir dir;
  auto run = [&](const QStringList& arguments) {
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("EFM_STUDIO_RUNS", dir.filePath("runs"));
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(EFM_STUDIO_BINARY, arguments);
    REQUIRE(process.waitForStarted(10000));
    REQUIRE(process.waitForFinished(400000));
    return std::make_pair(process.exitCode(), QString::fromLocal8Bit(process.readAll()));
  };
  const QString shots = dir.filePath("shots");
  const auto [code, output] = run({"--demo", "toy:coupled-binary", "--compare", "ray,fisher",
                                   "--steps", "40", "--samples", "200", "--screenshot-dir", shots});
  INFO(output.toStdString());
  REQUIRE(code == 0);
  for (const char* name : {"trajectories", "curves", "window"}) {
    QImage image(QDir(shots).filePath(QString(name) + ".png"));
    CHECK_FALSE(image.isNull());
  }
  const auto one = run(
      {"--demo", "toy:coupled-binary", "--compare", "ray", "--screenshot-dir", dir.filePath("a")});
  CHECK(one.first == 2);
  CHECK(one.second.contains("--compare"));
  const auto unknown = run({"--demo", "toy:coupled-binary", "--compare", "ray,nope",
                            "--screenshot-dir", dir.filePath("b")});
  CHECK(unknown.first == 1);
  CHECK(unknown.second.contains("nope"));
}

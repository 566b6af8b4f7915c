// `efm-studio --demo` as a user runs it: every screenshot is written and shows a picture;
// bad arguments end with a message and a non-zero exit.
#include <catch2/catch.hpp>

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <cstdlib>
#include <set>

namespace {
struct Result {
  int code;
  QString output;
};
Result runStudio(const QStringList& arguments, const QString& runs) {
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert("EFM_STUDIO_RUNS", runs);
  environment.insert("XDG_DATA_HOME", runs + "/data");  // edited targets stay in the test's folder
  process.setProcessEnvironment(environment);
  process.setProcessChannelMode(QProcess::MergedChannels);
  process.start(EFM_STUDIO_BINARY, arguments);
  REQUIRE(process.waitForStarted(10000));
  REQUIRE(process.waitForFinished(300000));
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
          QString::fromLocal8Bit(process.readAll())};
}
}  // namespace

TEST_CASE("the demo trains, samples and writes one picture per view", "[demo]") {
  QTemporaryDir dir;
  const QString shots = dir.filePath("shots");
  const Result result =
      runStudio({"--demo", "toy:coupled-binary", "--steps", "300", "--screenshot-dir", shots},
                dir.filePath("runs"));
  INFO(result.output.toStdString());
  REQUIRE(result.code == 0);
  for (const char* name : {"trajectories", "geodesics", "meta-simplex", "curves", "window"}) {
    const QString file = QDir(shots).filePath(QString(name) + ".png");
    INFO(file.toStdString());
    QImage image(file);
    REQUIRE_FALSE(image.isNull());
    CHECK(image.width() >= 200);
    CHECK(image.height() >= 100);
    std::set<QRgb> colors;
    for (int y = 0; y < image.height(); y += 2)
      for (int x = 0; x < image.width(); x += 2) colors.insert(image.pixel(x, y));
    CHECK(colors.size() > 30);  // a picture, not a blank frame
    CHECK(result.output.contains(QString(name) + ".png"));
  }
}

TEST_CASE("the demo reports bad input and exits non-zero", "[demo]") {
  QTemporaryDir dir;
  const Result unknown = runStudio(
      {"--demo", "toy:no-such-toy", "--steps", "10", "--screenshot-dir", dir.filePath("a")},
      dir.filePath("runs"));
  CHECK(unknown.code == 1);
  CHECK(unknown.output.contains("no-such-toy"));
  const Result steps = runStudio(
      {"--demo", "toy:coupled-binary", "--steps", "many", "--screenshot-dir", dir.filePath("b")},
      dir.filePath("runs"));
  CHECK(steps.code == 2);
  CHECK(steps.output.contains("--steps"));
  const Result priority = runStudio({"--demo", "toy:coupled-binary", "--engine-priority", "high",
                                     "--screenshot-dir", dir.filePath("c")},
                                    dir.filePath("runs"));
  CHECK(priority.code == 2);
  CHECK(priority.output.contains("--engine-priority takes idle, low or normal, got 'high'"));
}

TEST_CASE("the demo clicks a vertex to fix a node and pictures the conditional", "[demo]") {
  QTemporaryDir dir;
  const QString shots = dir.filePath("shots");
  const Result result = runStudio({"--demo", "toy:coupled-binary", "--steps", "200", "--demo-click",
                                   "1=0", "--screenshot-dir", shots},
                                  dir.filePath("runs"));
  INFO(result.output.toStdString());
  REQUIRE(result.code == 0);
  CHECK(result.output.contains("clicking class 0 of node 1"));
  CHECK_FALSE(QImage(QDir(shots).filePath("meta-simplex.png")).isNull());

  const Result malformed = runStudio(
      {"--demo", "toy:coupled-binary", "--demo-click", "node 1", "--screenshot-dir", shots},
      dir.filePath("runs"));
  CHECK(malformed.code == 2);
  CHECK(malformed.output.contains("--demo-click takes NODE=LABEL"));
  const Result outside = runStudio({"--demo", "toy:coupled-binary", "--steps", "10", "--demo-click",
                                    "2=0", "--screenshot-dir", shots},
                                   dir.filePath("runs"));
  CHECK(outside.code == 1);
  CHECK(outside.output.contains("node 2 is not a node of the data (it has 2, from 0)"));
  const Result noVertex = runStudio({"--demo", "toy:coupled-binary", "--steps", "10",
                                     "--demo-click", "0=2", "--screenshot-dir", shots},
                                    dir.filePath("runs"));
  CHECK(noVertex.code == 1);
  CHECK(noVertex.output.contains("class 2 is not a vertex"));
}

TEST_CASE("the demo paints a target or types a weight, and trains on it", "[demo]") {
  QTemporaryDir dir;
  const QString shots = dir.filePath("paint");
  const Result painted = runStudio(
      {"--demo", "toy:coupled-binary", "--steps", "100", "--demo-paint", "--screenshot-dir", shots},
      dir.filePath("runs"));
  INFO(painted.output.toStdString());
  REQUIRE(painted.code == 0);
  CHECK(painted.output.contains("painted a ring on a 12 x 12 grid"));
  const QImage target(QDir(shots).filePath("target.png"));
  REQUIRE_FALSE(target.isNull());
  int ink = 0;  // the painter's ink, (20, 70, 160), on the ring's cells
  for (int y = 0; y < target.height(); ++y)
    for (int x = 0; x < target.width(); ++x) {
      const QColor p = target.pixelColor(x, y);
      if (std::abs(p.red() - 20) + std::abs(p.green() - 70) + std::abs(p.blue() - 160) < 12) ++ink;
    }
  CHECK(ink > 200);
  // The edited table is what the run trained on: its config names it.
  CHECK(painted.output.contains("trained 100 steps"));

  const Result edited = runStudio({"--demo", "toy:coupled-binary", "--steps", "100", "--demo-edit",
                                   "2=5", "--screenshot-dir", dir.filePath("edit")},
                                  dir.filePath("runs"));
  INFO(edited.output.toStdString());
  REQUIRE(edited.code == 0);
  CHECK(edited.output.contains("typed weight 5 for labeling 2"));
  CHECK_FALSE(QImage(QDir(dir.filePath("edit")).filePath("target.png")).isNull());

  const Result malformed =
      runStudio({"--demo", "toy:coupled-binary", "--demo-edit", "2=-1", "--screenshot-dir", shots},
                dir.filePath("runs"));
  CHECK(malformed.code == 2);
  CHECK(malformed.output.contains("--demo-edit takes INDEX=WEIGHT"));
  const Result outside = runStudio({"--demo", "toy:coupled-binary", "--steps", "10", "--demo-edit",
                                    "9=1", "--screenshot-dir", shots},
                                   dir.filePath("runs"));
  CHECK(outside.code == 1);
  CHECK(outside.output.contains("no table with a labeling 9"));
}

TEST_CASE("the demo pictures every stage of the guided tour", "[demo]") {
  QTemporaryDir dir;
  const QString shots = dir.filePath("tour");
  const Result result = runStudio(
      {"--demo", "toy:coupled-binary", "--steps", "100", "--demo-tour", "--screenshot-dir", shots},
      dir.filePath("runs"));
  INFO(result.output.toStdString());
  REQUIRE(result.code == 0);
  QImage previous;
  for (const char* name : {"tour-1-geodesic", "tour-2-one-labeling", "tour-3-many-flows",
                           "tour-4-meta-simplex", "tour-5-label-maps"}) {
    const QImage image(QDir(shots).filePath(QString(name) + ".png"));
    INFO(name);
    REQUIRE_FALSE(image.isNull());
    CHECK(image.width() >= 800);
    CHECK(image != previous);  // each stage shows something else
    previous = image;
    CHECK(result.output.contains(QString(name) + ".png"));
  }
}

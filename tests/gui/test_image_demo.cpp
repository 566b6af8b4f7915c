// `efm-studio --demo` on a small synthetic street set: the U-Net trains, the label maps are
// sampled, and the label-map pictures are written besides those of the other views.
#include <torch/torch.h>

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <set>
#include <vector>
#include "efm/data/images/synthetic_streets.h"

// After LibTorch: its glog headers define CHECK too.
#include <catch2/catch.hpp>

namespace {

struct DemoRun {
  int exitCode = -1;
  QString output;
  QString shots;  // the screenshot folder
};

// `efm-studio --demo` on six synthetic street scenes (16 x 32 crops), 20 steps, 4 maps,
// with `extra` arguments; everything under `dir`.
DemoRun runStreetsDemo(const QTemporaryDir& dir, const QStringList& extra) {
  efm::SyntheticCityscapesOptions streets;
  streets.height = 64;
  streets.width = 128;
  streets.trainFraction = 1.0;
  streets.valFraction = 0.0;
  efm::writeSyntheticCityscapes(dir.filePath("streets").toStdString(), 6, 3, streets);
  const QString spec = "cityscapes:" + dir.filePath("streets") + "?scale=0.25&crop=16x32";
  DemoRun run;
  run.shots = dir.filePath("shots");
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert("EFM_STUDIO_RUNS", dir.filePath("runs"));
  process.setProcessEnvironment(environment);
  process.setProcessChannelMode(QProcess::MergedChannels);
  process.start(EFM_STUDIO_BINARY, QStringList{"--demo", spec, "--steps", "20", "--samples", "4",
                                               "--screenshot-dir", run.shots} +
                                       extra);
  REQUIRE(process.waitForStarted(10000));
  REQUIRE(process.waitForFinished(300000));
  run.output = QString::fromLocal8Bit(process.readAll());
  run.exitCode = process.exitCode();
  return run;
}

// Each picture exists, is named in the output, and has more than 30 colours.
void checkPictures(const DemoRun& run, const std::vector<const char*>& names) {
  for (const char* name : names) {
    const QString file = QDir(run.shots).filePath(QString(name) + ".png");
    INFO(file.toStdString());
    const QImage image(file);
    REQUIRE_FALSE(image.isNull());
    std::set<QRgb> colors;
    for (int y = 0; y < image.height(); y += 2)
      for (int x = 0; x < image.width(); x += 2) colors.insert(image.pixel(x, y));
    CHECK(colors.size() > 30);
    CHECK(run.output.contains(QString(name) + ".png"));
  }
}

}  // namespace

TEST_CASE("the demo on synthetic streets writes the label-map pictures", "[demo]") {
  QTemporaryDir dir;
  const DemoRun run = runStreetsDemo(dir, {});
  INFO(run.output.toStdString());
  REQUIRE(run.exitCode == 0);
  checkPictures(run,
                {"label-maps-data", "label-maps", "label-maps-forming", "trajectories", "window"});
}

TEST_CASE("the demo inpaints a label map with a mask-trained U-Net", "[demo][conditioning]") {
  QTemporaryDir dir;
  const DemoRun run = runStreetsDemo(dir, {"--demo-mask-training", "--demo-inpaint"});
  INFO(run.output.toStdString());
  REQUIRE(run.exitCode == 0);
  CHECK(run.output.contains("inpainting the upper half of map 1"));
  checkPictures(run, {"label-maps", "label-maps-inpainted", "window"});
}

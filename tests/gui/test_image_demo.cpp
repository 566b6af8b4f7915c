// `efm-studio --demo` on a small synthetic street set: the U-Net trains, the label maps are
// sampled, and the label-map pictures are written besides those of the other views.
#include <torch/torch.h>

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <set>
#include "efm/data/images/synthetic_streets.h"

// After LibTorch: its glog headers define CHECK too.
#include <catch2/catch.hpp>

TEST_CASE("the demo on synthetic streets writes the label-map pictures", "[demo]") {
  QTemporaryDir dir;
  efm::SyntheticCityscapesOptions streets;
  streets.height = 64;
  streets.width = 128;
  streets.trainFraction = 1.0;
  streets.valFraction = 0.0;
  efm::writeSyntheticCityscapes(dir.filePath("streets").toStdString(), 6, 3, streets);
  const QString spec = "cityscapes:" + dir.filePath("streets") + "?scale=0.25&crop=16x32";
  const QString shots = dir.filePath("shots");

  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert("EFM_STUDIO_RUNS", dir.filePath("runs"));
  process.setProcessEnvironment(environment);
  process.setProcessChannelMode(QProcess::MergedChannels);
  process.start(EFM_STUDIO_BINARY,
                {"--demo", spec, "--steps", "20", "--samples", "4", "--screenshot-dir", shots});
  REQUIRE(process.waitForStarted(10000));
  REQUIRE(process.waitForFinished(300000));
  const QString output = QString::fromLocal8Bit(process.readAll());
  INFO(output.toStdString());
  REQUIRE(process.exitCode() == 0);
  for (const char* name : {"label-maps", "label-maps-forming", "trajectories", "window"}) {
    const QString file = QDir(shots).filePath(QString(name) + ".png");
    INFO(file.toStdString());
    const QImage image(file);
    REQUIRE_FALSE(image.isNull());
    std::set<QRgb> colors;
    for (int y = 0; y < image.height(); y += 2)
      for (int x = 0; x < image.width(); x += 2) colors.insert(image.pixel(x, y));
    CHECK(colors.size() > 30);
    CHECK(output.contains(QString(name) + ".png"));
  }
}

TEST_CASE("the demo inpaints a label map with a mask-trained U-Net", "[demo][conditioning]") {
  QTemporaryDir dir;
  efm::SyntheticCityscapesOptions streets;
  streets.height = 64;
  streets.width = 128;
  streets.trainFraction = 1.0;
  streets.valFraction = 0.0;
  efm::writeSyntheticCityscapes(dir.filePath("streets").toStdString(), 6, 3, streets);
  const QString spec = "cityscapes:" + dir.filePath("streets") + "?scale=0.25&crop=16x32";
  const QString shots = dir.filePath("shots");
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert("EFM_STUDIO_RUNS", dir.filePath("runs"));
  process.setProcessEnvironment(environment);
  process.setProcessChannelMode(QProcess::MergedChannels);
  process.start(EFM_STUDIO_BINARY,
                {"--demo", spec, "--steps", "20", "--samples", "4", "--demo-mask-training",
                 "--demo-inpaint", "--screenshot-dir", shots});
  REQUIRE(process.waitForStarted(10000));
  REQUIRE(process.waitForFinished(300000));
  const QString output = QString::fromLocal8Bit(process.readAll());
  INFO(output.toStdString());
  REQUIRE(process.exitCode() == 0);
  CHECK(output.contains("inpainting the upper half of map 1"));
  for (const char* name : {"label-maps", "label-maps-inpainted", "window"}) {
    const QImage image(QDir(shots).filePath(QString(name) + ".png"));
    INFO(name);
    REQUIRE_FALSE(image.isNull());
    std::set<QRgb> colors;
    for (int y = 0; y < image.height(); y += 2)
      for (int x = 0; x < image.width(); x += 2) colors.insert(image.pixel(x, y));
    CHECK(colors.size() > 30);
    CHECK(output.contains(QString(name) + ".png"));
  }
}

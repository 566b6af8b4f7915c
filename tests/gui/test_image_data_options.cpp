// The training panel's image data options: cityscapes: and idx: SPECs composed from its
// widgets, and typed SPECs filling them.
#include "gui_harness.h"

#include <catch2/catch.hpp>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include "widgets/image_data_options.h"
#include "widgets/training_panel.h"

using namespace efm::ui;

using gui_test::waitFor;

TEST_CASE("the training panel composes cityscapes: and idx: SPECs from its widgets", "[images]") {
  TrainingPanel panel;
  ImageDataOptions* options = panel.imageOptions();
  CHECK(options->isHidden());
  panel.setDataSpec(ImageDataOptions::defaultCityscapesSpec("/data/cityscapes"));
  CHECK_FALSE(options->isHidden());
  CHECK(panel.networkBox()->currentText() == "unet");  // image data: a U-Net by default
  CHECK(options->classSet()->currentText() == "categories");
  CHECK(options->cropHeight()->value() == 32);
  CHECK(options->cropWidth()->value() == 64);

  QSignalSpy chosen(&panel, &TrainingPanel::dataSpecChosen);
  options->folder()->clear();
  QTest::keyClicks(options->folder(), "/tmp/streets");
  QTest::keyClick(options->folder(), Qt::Key_Return);
  options->split()->setCurrentText("val");
  options->classSet()->setCurrentText("train");
  options->scale()->setValue(0.25);
  options->cropHeight()->setValue(64);
  options->cropWidth()->setValue(128);
  options->cropMode()->setCurrentText("grid");
  const QString city =
      "cityscapes:/tmp/streets?split=val&classes=train&scale=0.25&crop=64x128&crops=grid";
  CHECK(panel.dataSpec() == city);
  CHECK(panel.config().data == city.toStdString());
  // Spinning waits for the value to settle before the data is opened.
  REQUIRE(waitFor([&] { return !chosen.isEmpty() && chosen.back().at(0).toString() == city; }));
  options->cropHeight()->setValue(0);  // full maps: no crop parameter
  CHECK(panel.dataSpec() ==
        "cityscapes:/tmp/streets?split=val&classes=train&scale=0.25&crops=grid");

  panel.setDataSpec(ImageDataOptions::defaultIdxSpec());
  CHECK(options->idxFile()->text() == "fashion-mnist");
  options->levels()->setValue(4);
  options->pad()->setValue(0);
  CHECK(panel.dataSpec() == "idx:fashion-mnist?levels=4");
  options->pad()->setValue(40);
  CHECK(panel.dataSpec() == "idx:fashion-mnist?levels=4&pad=40");
  // A typed SPEC fills the widgets; parameters they do not know are kept.
  panel.setDataSpec("idx:/data/digits-idx3-ubyte?levels=8&limit=100");
  CHECK(options->levels()->value() == 8);
  options->levels()->setValue(3);
  CHECK(panel.dataSpec() == "idx:/data/digits-idx3-ubyte?levels=3&limit=100");

  panel.setDataSpec("toy:coupled-binary");
  CHECK(options->isHidden());
  CHECK(panel.networkBox()->currentText() == "mlp");
}

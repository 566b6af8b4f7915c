#include "widgets/image_data_options.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace efm::ui {

namespace {
QSpinBox* sideSpin(const QString& tip) {
  auto* box = new QSpinBox;
  box->setRange(0, 2048);
  box->setSpecialValueText("full");
  box->setToolTip(tip);
  box->setAccelerated(true);
  return box;
}

QComboBox* choices(const QStringList& items, const QString& tip) {
  auto* box = new QComboBox;
  box->addItems(items);
  box->setToolTip(tip);
  return box;
}

// A line edit with a "…" button beside it.
QWidget* withButton(QLineEdit* edit, QToolButton** button) {
  auto* row = new QWidget;
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(edit, 1);
  *button = new QToolButton;
  (*button)->setText("…");
  layout->addWidget(*button);
  return row;
}
}  // namespace

QString ImageDataOptions::defaultIdxSpec() { return "idx:fashion-mnist?levels=2&pad=32"; }

QString ImageDataOptions::defaultCityscapesSpec(const QString& cityscapesFolder) {
  // 32 x 64 crops of maps scaled to 256 x 128: a U-Net trains on them at a few steps a
  // second on two cores (README, "The studio").
  return "cityscapes:" + cityscapesFolder +
         "?split=train&classes=categories&scale=0.125&crop=32x64&crops=random";
}

ImageDataOptions::ImageDataOptions(QWidget* parent) : QWidget(parent) {
  cityscapes_ = new QWidget;
  auto* city = new QFormLayout(cityscapes_);
  city->setContentsMargins(0, 0, 0, 0);
  folder_ = new QLineEdit;
  folder_->setPlaceholderText("folder holding gtFine/");
  folder_->setToolTip(
      "The Cityscapes folder (with gtFine/SPLIT/CITY/*_labelIds.png), or one written by "
      "`efm data synth-streets --out DIR`");
  QToolButton* pickFolder = nullptr;
  city->addRow("Folder", withButton(folder_, &pickFolder));
  split_ = choices({"train", "val", "test"}, "Which gtFine split");
  city->addRow("Split", split_);
  classSet_ = choices({"categories", "train", "ids"},
                      "categories: 8 classes; train: the 19 training classes + ignore; ids: all "
                      "34 label ids");
  city->addRow("Classes", classSet_);
  scale_ = new QDoubleSpinBox;
  scale_->setRange(0.01, 1.0);
  scale_->setDecimals(4);
  scale_->setSingleStep(0.025);
  scale_->setToolTip("Downscaling of the 2048 x 1024 maps (nearest neighbour) before cropping");
  city->addRow("Scale", scale_);
  cropHeight_ = sideSpin("Crop height in pixels (full: the whole downscaled map)");
  cropWidth_ = sideSpin("Crop width in pixels (full: the whole downscaled map)");
  auto* cropRow = new QWidget;
  auto* cropLayout = new QHBoxLayout(cropRow);
  cropLayout->setContentsMargins(0, 0, 0, 0);
  cropLayout->addWidget(cropHeight_, 1);
  cropLayout->addWidget(new QLabel("×"));
  cropLayout->addWidget(cropWidth_, 1);
  city->addRow("Crop", cropRow);
  cropMode_ = choices({"random", "center", "grid"},
                      "random: any placement; center: one per map; grid: tiles of the map");
  city->addRow("Crops", cropMode_);

  idx_ = new QWidget;
  auto* idx = new QFormLayout(idx_);
  idx->setContentsMargins(0, 0, 0, 0);
  idxFile_ = new QLineEdit;
  idxFile_->setPlaceholderText("fashion-mnist");
  idxFile_->setToolTip(
      "An idx3 image file (.gz or not); fashion-mnist is Debian's dataset-fashion-mnist");
  QToolButton* pickFile = nullptr;
  idx->addRow("File", withButton(idxFile_, &pickFile));
  levels_ = new QSpinBox;
  levels_->setRange(2, 256);
  levels_->setToolTip("Grey levels the images are quantised to: the classes");
  idx->addRow("Levels", levels_);
  pad_ = new QSpinBox;
  pad_->setRange(0, 1024);
  pad_->setSpecialValueText("none");
  pad_->setToolTip("Pads the images to a square of this side (the U-Net halves it 3 times)");
  idx->addRow("Pad to", pad_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(cityscapes_);
  layout->addWidget(idx_);

  for (QComboBox* box : {split_, classSet_, cropMode_})
    connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { compose(true); });
  for (QSpinBox* box : {cropHeight_, cropWidth_, levels_, pad_}) {
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, [this] { compose(false); });
    connect(box, &QSpinBox::editingFinished, this, [this] { compose(true); });
  }
  connect(scale_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
          [this] { compose(false); });
  connect(scale_, &QDoubleSpinBox::editingFinished, this, [this] { compose(true); });
  for (QLineEdit* edit : {folder_, idxFile_}) {
    connect(edit, &QLineEdit::textEdited, this, [this] { compose(false); });
    connect(edit, &QLineEdit::editingFinished, this, [this] { compose(true); });
  }
  connect(pickFolder, &QToolButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(
        this, "Cityscapes folder (holding gtFine/)", folder_->text());
    if (dir.isEmpty()) return;
    folder_->setText(dir);
    compose(true);
  });
  connect(pickFile, &QToolButton::clicked, this, [this] {
    const QString file =
        QFileDialog::getOpenFileName(this, "IDX image file", "/usr/share/datasets",
                                     "IDX images (*idx3-ubyte *idx3-ubyte.gz);;All files (*)");
    if (file.isEmpty()) return;
    idxFile_->setText(file);
    compose(true);
  });
  setSpec(QString());
}

bool ImageDataOptions::setSpec(const QString& text) {
  spec_ = ImageDataSpec::parse(text);
  const bool image = spec_.kind != ImageDataSpec::Kind::None;
  setVisible(image);
  if (!image) return false;
  showing_ = true;
  if (spec_.kind == ImageDataSpec::Kind::Cityscapes) {
    folder_->setText(spec_.target);
    split_->setCurrentText(spec_.value("split", "train"));
    classSet_->setCurrentText(spec_.value("classes", "categories"));
    // A SPEC that gives the size instead of the scale keeps it (both together is an error).
    scale_->setEnabled(!spec_.has("size"));
    scale_->setValue(spec_.value("scale", "0.125").toDouble());
    const QStringList crop = spec_.value("crop").split('x');
    cropHeight_->setValue(crop.size() == 2 ? crop[0].toInt() : 0);
    cropWidth_->setValue(crop.size() == 2 ? crop[1].toInt() : 0);
    cropMode_->setCurrentText(spec_.value("crops", "random"));
  } else {
    idxFile_->setText(spec_.target);
    levels_->setValue(spec_.value("levels", "2").toInt());
    pad_->setValue(spec_.value("pad", "0").toInt());
  }
  cityscapes_->setVisible(spec_.kind == ImageDataSpec::Kind::Cityscapes);
  idx_->setVisible(spec_.kind == ImageDataSpec::Kind::Idx);
  showing_ = false;
  return true;
}

QString ImageDataOptions::spec() const { return spec_.toString(); }

void ImageDataOptions::compose(bool settled) {
  if (showing_ || spec_.kind == ImageDataSpec::Kind::None) return;
  if (spec_.kind == ImageDataSpec::Kind::Cityscapes) {
    spec_.target = folder_->text().trimmed();
    spec_.set("split", split_->currentText());
    spec_.set("classes", classSet_->currentText());
    if (!spec_.has("size")) spec_.set("scale", QString::number(scale_->value(), 'g', 6));
    const bool crop = cropHeight_->value() > 0 && cropWidth_->value() > 0;
    spec_.set("crop", crop ? QString("%1x%2").arg(cropHeight_->value()).arg(cropWidth_->value())
                           : QString());
    spec_.set("crops", cropMode_->currentText());
  } else {
    spec_.target =
        idxFile_->text().trimmed().isEmpty() ? "fashion-mnist" : idxFile_->text().trimmed();
    spec_.set("levels", QString::number(levels_->value()));
    spec_.set("pad", pad_->value() > 0 ? QString::number(pad_->value()) : QString());
  }
  Q_EMIT specEdited(spec(), settled);
}

}  // namespace efm::ui

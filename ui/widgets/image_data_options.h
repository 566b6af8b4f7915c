#pragma once
// The options of image data in the training dock: for Cityscapes the folder (holding
// gtFine/), split, class set, scale, crop size and crop mode; for IDX files the file
// (Debian's Fashion-MNIST by default), grey levels and padding. Editing a widget composes
// the SPEC again (specEdited); setSpec() shows a SPEC typed or picked elsewhere.

#include <QWidget>

#include "widgets/image_data_spec.h"

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QWidget;

namespace efm::ui {

class ImageDataOptions : public QWidget {
  Q_OBJECT
 public:
  explicit ImageDataOptions(QWidget* parent = nullptr);

  // Shows the options of `spec`; false (and hidden) when it is not image data.
  bool setSpec(const QString& spec);
  QString spec() const;
  ImageDataSpec::Kind kind() const { return spec_.kind; }

  // The SPECs the data list offers: Fashion-MNIST, and Cityscapes in `cityscapesFolder`.
  static QString defaultIdxSpec();
  static QString defaultCityscapesSpec(const QString& cityscapesFolder);

  // The widgets, for tests.
  QLineEdit* folder() const { return folder_; }
  QComboBox* split() const { return split_; }
  QComboBox* classSet() const { return classSet_; }
  QDoubleSpinBox* scale() const { return scale_; }
  QSpinBox* cropHeight() const { return cropHeight_; }
  QSpinBox* cropWidth() const { return cropWidth_; }
  QComboBox* cropMode() const { return cropMode_; }
  QLineEdit* idxFile() const { return idxFile_; }
  QSpinBox* levels() const { return levels_; }
  QSpinBox* pad() const { return pad_; }

 Q_SIGNALS:
  // The SPEC after a widget changed; `settled` is false while a value is still being typed
  // or spun (opening image data takes a while, so the panel waits for it to settle).
  void specEdited(const QString& spec, bool settled);

 private:
  void compose(bool settled);

  ImageDataSpec spec_;
  QWidget* cityscapes_;
  QWidget* idx_;
  QLineEdit* folder_;
  QComboBox* split_;
  QComboBox* classSet_;
  QDoubleSpinBox* scale_;
  QSpinBox* cropHeight_;
  QSpinBox* cropWidth_;
  QComboBox* cropMode_;
  QLineEdit* idxFile_;
  QSpinBox* levels_;
  QSpinBox* pad_;
  bool showing_ = false;  // setSpec is filling the widgets: no specEdited
};

}  // namespace efm::ui

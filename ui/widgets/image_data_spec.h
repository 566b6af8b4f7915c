#pragma once
// A data SPEC of image data taken apart for the training panel's widgets and put together
// again: cityscapes:DIR?split=train&classes=categories&scale=0.125&crop=32x64&crops=random
// and idx:FILE?levels=2&pad=32 (README, "Data SPECs"). Parameters keep their order; those
// the widgets do not know are kept as they were. The core checks the values when the data
// is opened; this only splits and joins text.

#include <QList>
#include <QPair>
#include <QString>

namespace efm::ui {

struct ImageDataSpec {
  enum class Kind { None, Cityscapes, Idx };
  Kind kind = Kind::None;
  QString target;  // the Cityscapes folder (holding gtFine/) or the IDX file
  QList<QPair<QString, QString>> params;

  static Kind kindOf(const QString& spec);
  static ImageDataSpec parse(const QString& spec);  // the query starts at the last '?'
  QString toString() const;

  bool has(const QString& key) const;
  QString value(const QString& key, const QString& fallback = {}) const;
  // Sets a parameter in place (or appends it); an empty value removes it.
  void set(const QString& key, const QString& value);
};

}  // namespace efm::ui

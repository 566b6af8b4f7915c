#pragma once
// The legend of the label-map view, and its pixel inspector: one row per class with the
// class's colour and name; when a pixel is inspected, each row also carries a bar with
// that pixel's probability of the class at the time shown. Clicking a row pins the class
// for the simplex view (up to three; the rest are the pixel's most probable classes).
// Painted with QPainter: text stays legible at any number of classes (Cityscapes ids: 34).

#include <QString>
#include <QWidget>
#include <array>
#include <vector>

namespace efm::ui {

class ClassBars : public QWidget {
  Q_OBJECT
 public:
  explicit ClassBars(QWidget* parent = nullptr);

  void setClasses(const std::vector<QString>& names,
                  const std::vector<std::array<uint8_t, 3>>& colours);
  // One probability per class (empty: legend only) and the heading above the rows.
  void setProbabilities(const std::vector<float>& probabilities, const QString& heading);
  void setPinned(const std::vector<int>& classes);
  const std::vector<float>& probabilities() const { return probabilities_; }
  int classCount() const { return int(names_.size()); }
  // The widget-local rectangle of a class's row (for tests and clicks).
  QRect rowRect(int cls) const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void classClicked(int cls);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  int rowHeight() const;
  int headerHeight() const;

  std::vector<QString> names_;
  std::vector<std::array<uint8_t, 3>> colours_;
  std::vector<float> probabilities_;
  std::vector<int> pinned_;
  QString heading_;
};

}  // namespace efm::ui

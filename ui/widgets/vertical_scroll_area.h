#pragma once
// A scroll area for the side panels of the main window: it keeps its panel's full width and
// lets the height shrink to a few rows, scrolling the rest. Without it every dock asks for
// its whole form's height, and the window's minimum size (the tallest dock column plus the
// tour and the curves) was 1509 x 1355 pixels: larger than most screens.

#include <QScrollArea>

namespace efm::ui {

class VerticalScrollArea : public QScrollArea {
  Q_OBJECT
 public:
  // Takes ownership of `panel`.
  explicit VerticalScrollArea(QWidget* panel, QWidget* parent = nullptr);

  // The panel's minimum width plus a vertical scroll bar; kMinimumHeight high.
  QSize minimumSizeHint() const override;
  // The panel's own size hint plus a vertical scroll bar: the dock starts at its full height
  // when there is room.
  QSize sizeHint() const override;

  static constexpr int kMinimumHeight = 96;

 private:
  int scrollBarWidth() const;
};

}  // namespace efm::ui

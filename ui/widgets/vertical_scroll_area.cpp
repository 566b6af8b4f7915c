#include "widgets/vertical_scroll_area.h"

#include <QScrollBar>

namespace efm::ui {

VerticalScrollArea::VerticalScrollArea(QWidget* panel, QWidget* parent) : QScrollArea(parent) {
  setWidget(panel);
  setWidgetResizable(true);
  setFrameShape(QFrame::NoFrame);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
}

int VerticalScrollArea::scrollBarWidth() const { return verticalScrollBar()->sizeHint().width(); }

QSize VerticalScrollArea::minimumSizeHint() const {
  const int panelWidth = widget() ? widget()->minimumSizeHint().width() : 0;
  return {panelWidth + scrollBarWidth(), kMinimumHeight};
}

QSize VerticalScrollArea::sizeHint() const {
  if (!widget()) return QScrollArea::sizeHint();
  const QSize panel = widget()->sizeHint().expandedTo(widget()->minimumSizeHint());
  return {panel.width() + scrollBarWidth(), panel.height()};
}

}  // namespace efm::ui

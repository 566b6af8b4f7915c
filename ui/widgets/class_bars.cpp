#include "widgets/class_bars.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace efm::ui {

namespace {
constexpr int kMargin = 6;
constexpr int kBarWidth = 90;
}  // namespace

ClassBars::ClassBars(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
  setToolTip(
      "Class colours; click a pixel of the scrubbed map to see its probabilities. "
      "Click a class to pin it for the simplex view.");
}

void ClassBars::setClasses(const std::vector<QString>& names,
                           const std::vector<std::array<uint8_t, 3>>& colours) {
  names_ = names;
  colours_ = colours;
  colours_.resize(names_.size(), {128, 128, 128});
  probabilities_.clear();
  pinned_.clear();
  updateGeometry();
  update();
}

void ClassBars::setProbabilities(const std::vector<float>& probabilities, const QString& heading) {
  probabilities_ = probabilities;
  heading_ = heading;
  update();
}

void ClassBars::setPinned(const std::vector<int>& classes) {
  pinned_ = classes;
  update();
}

int ClassBars::rowHeight() const { return fontMetrics().height() + 4; }
int ClassBars::headerHeight() const { return 2 * fontMetrics().height() + 2 * kMargin; }

QRect ClassBars::rowRect(int cls) const {
  return QRect(0, headerHeight() + cls * rowHeight(), width(), rowHeight());
}

QSize ClassBars::sizeHint() const {
  int names = fontMetrics().horizontalAdvance("construction");
  for (const QString& name : names_) names = std::max(names, fontMetrics().horizontalAdvance(name));
  const int value = fontMetrics().horizontalAdvance("0.000");
  const int width =
      kMargin + rowHeight() + kMargin + names + kMargin + kBarWidth + kMargin + value + kMargin;
  return QSize(width, headerHeight() + int(names_.size()) * rowHeight() + kMargin);
}

// Every row, always: the scroll area around the legend scrolls instead of squeezing rows.
QSize ClassBars::minimumSizeHint() const { return sizeHint(); }

void ClassBars::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), Qt::white);
  const QFontMetrics metrics = fontMetrics();
  painter.setPen(QColor(25, 25, 25));
  const QRect heading(kMargin, kMargin, width() - 2 * kMargin, 2 * metrics.height());
  painter.drawText(heading, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   heading_.isEmpty() ? QString("Classes") : heading_);
  int names = 0;
  for (const QString& name : names_) names = std::max(names, metrics.horizontalAdvance(name));
  const int swatch = rowHeight() - 6;
  const int barX = kMargin + swatch + kMargin + names + kMargin;
  const int barWidth = std::max(
      20,
      std::min(kBarWidth, width() - barX - kMargin - metrics.horizontalAdvance("0.000") - kMargin));
  for (int k = 0; k < int(names_.size()); ++k) {
    const QRect row = rowRect(k);
    const bool pinned = std::find(pinned_.begin(), pinned_.end(), k) != pinned_.end();
    if (pinned) painter.fillRect(row, QColor(255, 236, 200));
    const auto& c = colours_[size_t(k)];
    const QRect box(kMargin, row.top() + 3, swatch, swatch);
    painter.fillRect(box, QColor(c[0], c[1], c[2]));
    painter.setPen(QColor(90, 90, 90));
    painter.drawRect(box.adjusted(0, 0, -1, -1));
    painter.setPen(QColor(25, 25, 25));
    painter.drawText(QRect(box.right() + kMargin, row.top(), names + kMargin, row.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, names_[size_t(k)]);
    if (k < int(probabilities_.size())) {
      const float p = std::clamp(probabilities_[size_t(k)], 0.0f, 1.0f);
      const QRect track(barX, row.top() + 4, barWidth, row.height() - 8);
      painter.fillRect(track, QColor(236, 236, 236));
      painter.fillRect(
          QRect(track.left(), track.top(), int(std::lround(p * track.width())), track.height()),
          QColor(c[0], c[1], c[2]));
      painter.setPen(QColor(120, 120, 120));
      painter.drawRect(track.adjusted(0, 0, -1, -1));
      painter.setPen(QColor(25, 25, 25));
      painter.drawText(QRect(track.right() + kMargin, row.top(), width(), row.height()),
                       Qt::AlignLeft | Qt::AlignVCenter, QString::number(double(p), 'f', 3));
    }
  }
}

void ClassBars::mousePressEvent(QMouseEvent* event) {
  for (int k = 0; k < int(names_.size()); ++k)
    if (rowRect(k).contains(event->position().toPoint())) {
      Q_EMIT classClicked(k);
      return;
    }
}

}  // namespace efm::ui

#include "widgets/curve_chart.h"

#include "widgets/curve_decimation.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace efm::ui {

CurveChart::CurveChart(const QString& title, QWidget* parent) : QWidget(parent), title_(title) {
  setMinimumSize(240, 140);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

int CurveChart::addAxis(bool logScale) {
  axisLog_.push_back(logScale);
  return int(axisLog_.size()) - 1;
}

int CurveChart::addSeries(const QString& name, const QColor& color, int axis, Qt::PenStyle style) {
  series_.push_back(Series{name, color, axis, style, {}});
  update();
  return int(series_.size()) - 1;
}

int CurveChart::addSeries(const QString& name, const QColor& color, bool logScale) {
  return addSeries(name, color, addAxis(logScale));
}

void CurveChart::append(int series, double x, double y) {
  Series& s = series_.at(series);
  if (!std::isfinite(y) || (axisLog_.at(size_t(s.axis)) && y <= 0)) return;
  s.points.emplace_back(x, y);
  update();
}

void CurveChart::clear() {
  for (Series& s : series_) s.points.clear();
  update();
}

void CurveChart::removeAllSeries() {
  series_.clear();
  axisLog_.clear();
  update();
}

void CurveChart::setTitle(const QString& title) {
  title_ = title;
  update();
}

std::pair<double, double> CurveChart::yRange(int series) const {
  return axisRange(series_.at(series).axis);
}

std::pair<double, double> CurveChart::axisRange(int axis) const {
  bool any = false;
  double lo = 0, hi = 1;
  for (const Series& s : series_) {
    if (s.axis != axis) continue;
    for (const QPointF& p : s.points) {
      lo = any ? std::min(lo, p.y()) : p.y();
      hi = any ? std::max(hi, p.y()) : p.y();
      any = true;
    }
  }
  if (!any) return {0.0, 1.0};
  if (axisLog_.at(size_t(axis))) {
    // Whole decades around the data (at least one: a value that is a power of ten).
    const double bottom = std::floor(std::log10(lo));
    return {std::pow(10.0, bottom),
            std::pow(10.0, std::max(bottom + 1, std::ceil(std::log10(hi))))};
  }
  if (hi - lo < 1e-12) hi = lo + 1;
  const double pad = 0.05 * (hi - lo);
  return {lo - pad, hi + pad};
}

void CurveChart::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.fillRect(rect(), palette().base());
  const QFontMetrics metrics(font());
  const int left = 8 + metrics.horizontalAdvance("1e-00"), right = axisLog_.size() > 1 ? left : 12;

  // Legend entries (pen, name, last value), wrapped onto as many rows as they need.
  struct Entry {
    QString text;
    QPointF at;
  };
  std::vector<Entry> entries;
  int row = 0;
  double x = left + 6;
  for (const Series& s : series_) {
    const QString text = s.points.empty()
                             ? s.name
                             : QString("%1 %2").arg(s.name).arg(s.points.back().y(), 0, 'g', 4);
    const double width = 24 + metrics.horizontalAdvance(text);
    if (x + width > this->width() - 4 && x > left + 6) {
      ++row;
      x = left + 6;
    }
    entries.push_back({text, QPointF(x, metrics.height() * (1.5 + row) + 4)});
    x += width + 12;
  }
  const int legendRows = series_.empty() ? 1 : row + 1;
  const QRectF plot(left, metrics.height() * (1 + legendRows) + 6, width() - left - right,
                    height() - metrics.height() * (3 + legendRows) - 10);
  painter.setPen(palette().text().color());
  painter.drawText(QRectF(0, 2, width(), metrics.height()), Qt::AlignHCenter, title_);
  for (size_t i = 0; i < series_.size(); ++i) {
    const Series& s = series_[i];
    const QPointF at = entries[i].at;
    painter.setPen(QPen(s.color, 2, s.style));
    painter.drawLine(at + QPointF(0, -metrics.ascent() / 3.0),
                     at + QPointF(18, -metrics.ascent() / 3.0));
    painter.setPen(s.color);
    painter.drawText(at + QPointF(22, 0), entries[i].text);
  }
  painter.setPen(palette().text().color());
  painter.drawRect(plot);
  if (plot.width() < 10 || plot.height() < 10) return;

  double xMin = 0, xMax = 1;
  bool any = false;
  for (const Series& s : series_) {
    for (const QPointF& p : s.points) {
      xMin = any ? std::min(xMin, p.x()) : p.x();
      xMax = any ? std::max(xMax, p.x()) : p.x();
      any = true;
    }
  }
  if (xMax <= xMin) xMax = xMin + 1;
  painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), metrics.height()),
                   Qt::AlignLeft, QString::number(xMin, 'g', 6));
  painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), metrics.height()),
                   Qt::AlignRight, QString::number(xMax, 'g', 6));
  painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), metrics.height()),
                   Qt::AlignHCenter, "training step");

  // Axis labels: the first axis on the left, the second on the right, in the colour of
  // their series when they hold one series (the text colour when they are shared).
  for (int axis = 0; axis < std::min<int>(2, int(axisLog_.size())); ++axis) {
    QColor color = palette().text().color();
    int members = 0;
    for (const Series& s : series_)
      if (s.axis == axis && members++ == 0) color = s.color;
    if (members != 1) color = palette().text().color();
    const auto [lo, hi] = axisRange(axis);
    painter.setPen(color);
    const bool onLeft = axis == 0;
    const QRectF band =
        onLeft ? QRectF(0, 0, left - 4, 0) : QRectF(plot.right() + 4, 0, right - 4, 0);
    const Qt::Alignment align = onLeft ? Qt::AlignRight : Qt::AlignLeft;
    painter.drawText(
        QRectF(band.left(), plot.top() - metrics.height() / 2.0, band.width(), metrics.height()),
        align | Qt::AlignVCenter, QString::number(hi, 'g', 2));
    painter.drawText(
        QRectF(band.left(), plot.bottom() - metrics.height() / 2.0, band.width(), metrics.height()),
        align | Qt::AlignVCenter, QString::number(lo, 'g', 2));
  }

  for (const Series& s : series_) {
    const auto [lo, hi] = axisRange(s.axis);
    const bool logScale = axisLog_.at(size_t(s.axis));
    auto map = [&, lo = lo, hi = hi](const QPointF& p) {
      const double f =
          logScale ? (std::log10(p.y()) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                   : (p.y() - lo) / (hi - lo);
      return QPointF(plot.left() + (p.x() - xMin) / (xMax - xMin) * plot.width(),
                     plot.bottom() - f * plot.height());
    };
    if (s.points.empty()) continue;
    if (s.points.size() == 1) {
      painter.setPen(s.color);
      painter.drawEllipse(map(s.points.front()), 2, 2);
      continue;
    }
    std::vector<QPointF> mapped(s.points.size());
    std::transform(s.points.begin(), s.points.end(), mapped.begin(), map);
    const std::vector<QPointF> shown = columnEnvelope(mapped);
    QPainterPath path(shown.front());
    for (size_t i = 1; i < shown.size(); ++i) path.lineTo(shown[i]);
    painter.setPen(QPen(s.color, 1.5, s.style));
    painter.drawPath(path);
  }
}

}  // namespace efm::ui

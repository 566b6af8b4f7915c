#include "widgets/curve_chart.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace efm::ui {

CurveChart::CurveChart(const QString& title, QWidget* parent) : QWidget(parent), title_(title) {
  setMinimumSize(240, 140);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

int CurveChart::addSeries(const QString& name, const QColor& color, bool logScale) {
  series_.push_back(Series{name, color, logScale, {}});
  return int(series_.size()) - 1;
}

void CurveChart::append(int series, double x, double y) {
  Series& s = series_.at(series);
  if (!std::isfinite(y) || (s.logScale && y <= 0)) return;
  s.points.emplace_back(x, y);
  update();
}

void CurveChart::clear() {
  for (Series& s : series_) s.points.clear();
  update();
}

std::pair<double, double> CurveChart::yRange(int index) const {
  const Series& s = series_.at(index);
  if (s.points.empty()) return {0.0, 1.0};
  double lo = s.points.front().y(), hi = lo;
  for (const QPointF& p : s.points) lo = std::min(lo, p.y()), hi = std::max(hi, p.y());
  if (s.logScale) {
    // Whole decades around the data.
    return {std::pow(10.0, std::floor(std::log10(lo))), std::pow(10.0, std::ceil(std::log10(hi)))};
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
  const int left = 8 + metrics.horizontalAdvance("1e-00"), right = series_.size() > 1 ? left : 12;
  const QRectF plot(left, metrics.height() * 2 + 4, width() - left - right,
                    height() - metrics.height() * 4 - 8);
  painter.setPen(palette().text().color());
  painter.drawText(QRectF(0, 2, width(), metrics.height()), Qt::AlignHCenter, title_);
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

  int legendX = int(plot.left()) + 6;
  for (size_t index = 0; index < series_.size(); ++index) {
    const Series& s = series_[index];
    const auto [lo, hi] = yRange(int(index));
    auto mapY = [&, lo = lo, hi = hi](double y) {
      const double f = s.logScale
                           ? (std::log10(y) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                           : (y - lo) / (hi - lo);
      return plot.bottom() - f * plot.height();
    };
    // Axis labels: left for the first series, right for the second.
    painter.setPen(s.color);
    const bool onLeft = index == 0;
    const QRectF axis =
        onLeft ? QRectF(0, 0, left - 4, 0) : QRectF(plot.right() + 4, 0, right - 4, 0);
    const Qt::Alignment align = onLeft ? Qt::AlignRight : Qt::AlignLeft;
    painter.drawText(
        QRectF(axis.left(), plot.top() - metrics.height() / 2, axis.width(), metrics.height()),
        align | Qt::AlignVCenter, QString::number(hi, 'g', 2));
    painter.drawText(
        QRectF(axis.left(), plot.bottom() - metrics.height() / 2, axis.width(), metrics.height()),
        align | Qt::AlignVCenter, QString::number(lo, 'g', 2));
    // Legend entry.
    painter.fillRect(QRectF(legendX, metrics.height() + 6, 14, 4), s.color);
    const QString label = s.points.empty()
                              ? s.name
                              : QString("%1 %2").arg(s.name).arg(s.points.back().y(), 0, 'g', 4);
    painter.drawText(QPointF(legendX + 18, metrics.height() + 6 + metrics.ascent() / 2.0), label);
    legendX += 30 + metrics.horizontalAdvance(label);
    if (s.points.size() < 2) {
      if (s.points.size() == 1) {
        const QPointF& p = s.points.front();
        painter.drawEllipse(
            QPointF(plot.left() + (p.x() - xMin) / (xMax - xMin) * plot.width(), mapY(p.y())), 2,
            2);
      }
      continue;
    }
    QPainterPath path;
    for (size_t i = 0; i < s.points.size(); ++i) {
      const QPointF& p = s.points[i];
      const QPointF q(plot.left() + (p.x() - xMin) / (xMax - xMin) * plot.width(), mapY(p.y()));
      if (i == 0)
        path.moveTo(q);
      else
        path.lineTo(q);
    }
    painter.setPen(QPen(s.color, 1.5));
    painter.drawPath(path);
  }
}

}  // namespace efm::ui

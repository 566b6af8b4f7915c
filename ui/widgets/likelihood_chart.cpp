#include "widgets/likelihood_chart.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace efm::ui {

namespace {

constexpr int kAxisMargin = 48;  // room for the axis numbers

QString number(double value) { return QString::number(value, 'g', 3); }

}  // namespace

LikelihoodChart::LikelihoodChart(QWidget* parent) : QWidget(parent) { setMinimumSize(240, 180); }

void LikelihoodChart::setValues(std::vector<double> logLikelihood,
                                std::vector<double> standardError) {
  values_.clear();
  errors_.clear();
  for (std::size_t k = 0; k < logLikelihood.size(); ++k) {
    if (!std::isfinite(logLikelihood[k])) continue;
    values_.push_back(logLikelihood[k]);
    const double se = k < standardError.size() ? standardError[k] : 0.0;
    errors_.push_back(std::isfinite(se) ? se : 0.0);
  }
  update();
}

void LikelihoodChart::clear() { setValues({}, {}); }

std::vector<int> LikelihoodChart::binCounts() const {
  std::vector<int> counts(kBins, 0);
  if (values_.empty()) return counts;
  const auto [low, high] = std::minmax_element(values_.begin(), values_.end());
  const double width = std::max(*high - *low, 1e-12) / kBins;
  for (double v : values_) ++counts[std::min(kBins - 1, static_cast<int>((v - *low) / width))];
  return counts;
}

void LikelihoodChart::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.fillRect(rect(), palette().base());
  painter.setPen(palette().text().color());
  if (values_.empty()) {
    painter.drawText(rect(), Qt::AlignCenter, "No likelihoods yet: press Bound log p");
    return;
  }
  const int row = fontMetrics().height();
  const QRect area = rect().adjusted(kAxisMargin, 4, -8, -4);
  const int middle = area.top() + area.height() / 2;
  const QRect histogram(area.left(), area.top() + row + 2, area.width(),
                        middle - area.top() - 2 * row - 6);
  const QRect strip(area.left(), middle + row + 8, area.width(), area.bottom() - middle - row - 10);
  // Histogram of log p.
  const std::vector<int> counts = binCounts();
  const int most = std::max(1, *std::max_element(counts.begin(), counts.end()));
  const double barWidth = double(histogram.width()) / kBins;
  for (int b = 0; b < kBins; ++b) {
    const int height = static_cast<int>(std::round(double(histogram.height()) * counts[b] / most));
    if (height == 0) continue;
    painter.fillRect(QRectF(histogram.left() + b * barWidth + 1, histogram.bottom() - height,
                            barWidth - 2, height),
                     barColor());
  }
  const auto [low, high] = std::minmax_element(values_.begin(), values_.end());
  painter.drawText(QRect(0, area.top(), width(), row), Qt::AlignHCenter,
                   QString("log p (nats) of %1 labelings").arg(values_.size()));
  const QRect below(histogram.left(), histogram.bottom() + 2, histogram.width(), row);
  painter.drawText(below, Qt::AlignLeft, number(*low));
  painter.drawText(below, Qt::AlignRight, number(*high));

  // The first labelings with their error bars (two standard errors either side).
  const int shown = std::min<int>(kLabelingsShown, int(values_.size()));
  double bottom = values_[0], top = values_[0];
  for (int k = 0; k < shown; ++k) {
    bottom = std::min(bottom, values_[k] - 2 * errors_[k]);
    top = std::max(top, values_[k] + 2 * errors_[k]);
  }
  const double span = std::max(top - bottom, 1e-9);
  auto y = [&](double v) { return strip.bottom() - (v - bottom) / span * strip.height(); };
  const double step = double(strip.width()) / std::max(1, shown);
  painter.drawText(QRect(0, middle + 2, width(), row), Qt::AlignHCenter,
                   QString("the first %1, each ± 2 standard errors").arg(shown));
  painter.drawText(QRect(0, strip.top(), kAxisMargin - 4, row), Qt::AlignRight, number(top));
  painter.drawText(QRect(0, strip.bottom() - row, kAxisMargin - 4, row), Qt::AlignRight,
                   number(bottom));
  painter.setRenderHint(QPainter::Antialiasing);
  for (int k = 0; k < shown; ++k) {
    const double x = strip.left() + (k + 0.5) * step;
    painter.setPen(QPen(errorBarColor(), 2));
    painter.drawLine(QPointF(x, y(values_[k] - 2 * errors_[k])),
                     QPointF(x, y(values_[k] + 2 * errors_[k])));
    painter.setPen(Qt::NoPen);
    painter.setBrush(barColor());
    painter.drawEllipse(QPointF(x, y(values_[k])), 3, 3);
  }
}

}  // namespace efm::ui

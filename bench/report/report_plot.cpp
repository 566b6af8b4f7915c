#include "report_plot.h"

#include "report_axes.h"
#include "report_painting.h"

#include "efm/paths/path_registry.h"

#include <QtGui/QFont>
#include <QtGui/QFontMetrics>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtGui/QPainter>
#include <QtGui/QPainterPath>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <set>
#include <stdexcept>

namespace efm::bench {
namespace {

constexpr int kPanelWidth = 640;
constexpr int kPanelHeight = 440;

QColor colour(const std::string& key) {
  const Rgb c = seriesColour(key);
  return QColor(c.r, c.g, c.b);
}

QString text(const std::string& s) { return QString::fromStdString(s); }

Axis makeAxis(const std::vector<double>& values, Scale scale) {
  const bool log = scale == Scale::Log || (scale == Scale::Auto && spansDecades(values));
  return log ? logAxis(values) : linearAxis(values);
}

struct Frame {
  QRectF area;  // the plot area in pixels
  Axis x, y;
  double px(double v) const { return area.left() + x.fraction(v) * area.width(); }
  double py(double v) const { return area.bottom() - y.fraction(v) * area.height(); }
  bool usableY(double v) const { return std::isfinite(v) && (!y.log || v > 0); }
  bool usableX(double v) const { return std::isfinite(v) && (!x.log || v > 0); }
};

double lineWidth(const std::string& key) {
  if (key == "ray") return 3.2;
  if (isOurs(key)) return 2.6;
  return 1.8;
}

void drawMarker(QPainter& p, QPointF at, const QColor& c, bool hollow, double radius) {
  p.setPen(QPen(c, 1.6));
  p.setBrush(hollow ? QBrush(Qt::white) : QBrush(c));
  p.drawEllipse(at, radius, radius);
}

void drawSeries(QPainter& p, const Frame& f, const Series& s, double xOffset) {
  const std::string key = s.colourKey.empty() ? s.name : s.colourKey;
  const QColor c = colour(key);
  const bool spread = s.lo.size() == s.y.size() && s.hi.size() == s.y.size();
  const double radius = isOurs(key) ? 4.5 : 3.5;
  auto point = [&](std::size_t k, double y) { return QPointF(f.px(s.x[k]) + xOffset, f.py(y)); };
  auto usable = [&](std::size_t k) { return f.usableX(s.x[k]) && f.usableY(s.y[k]); };

  if (s.style == SeriesStyle::Points) {
    for (std::size_t k = 0; k < s.y.size(); ++k) {
      if (!usable(k)) continue;
      if (spread && f.usableY(s.lo[k]) && f.usableY(s.hi[k])) {
        p.setPen(QPen(c, 1.5));
        const QPointF a = point(k, s.lo[k]), b = point(k, s.hi[k]);
        p.drawLine(a, b);
        p.drawLine(a - QPointF(4, 0), a + QPointF(4, 0));
        p.drawLine(b - QPointF(4, 0), b + QPointF(4, 0));
      }
      drawMarker(p, point(k, s.y[k]), c, false, radius + 0.5);
    }
    return;
  }
  if (spread && s.style == SeriesStyle::Line) {  // band between lo and hi
    QPainterPath band;
    std::vector<std::size_t> ok;
    for (std::size_t k = 0; k < s.y.size(); ++k)
      if (f.usableX(s.x[k]) && f.usableY(s.lo[k]) && f.usableY(s.hi[k])) ok.push_back(k);
    if (ok.size() >= 2) {
      band.moveTo(point(ok[0], s.hi[ok[0]]));
      for (std::size_t k : ok) band.lineTo(point(k, s.hi[k]));
      for (auto it = ok.rbegin(); it != ok.rend(); ++it) band.lineTo(point(*it, s.lo[*it]));
      band.closeSubpath();
      QColor fill = c;
      fill.setAlpha(isOurs(key) ? 60 : 40);
      p.setPen(Qt::NoPen);
      p.setBrush(fill);
      p.drawPath(band);
    }
  }
  QPen pen(c, lineWidth(key));
  if (s.style == SeriesStyle::Dashed) pen.setStyle(Qt::DashLine);
  p.setPen(pen);
  p.setBrush(Qt::NoBrush);
  QPainterPath line;
  bool open = false;
  for (std::size_t k = 0; k < s.y.size(); ++k) {
    if (!usable(k)) {
      open = false;  // a gap where the value cannot be drawn
      continue;
    }
    if (open)
      line.lineTo(point(k, s.y[k]));
    else
      line.moveTo(point(k, s.y[k]));
    open = true;
  }
  p.drawPath(line);
  if (s.y.size() <= 16)
    for (std::size_t k = 0; k < s.y.size(); ++k)
      if (usable(k)) drawMarker(p, point(k, s.y[k]), c, s.style == SeriesStyle::Dashed, radius);
}

void drawLegend(QPainter& p, const Plot& plot, const QRectF& box) {
  QFont font = p.font();
  font.setPixelSize(11);
  p.setFont(font);
  const QFontMetrics metrics(font);
  double y = box.top() + 6;
  for (const Series& s : plot.series) {
    if (s.name.empty()) continue;
    const std::string key = s.colourKey.empty() ? s.name : s.colourKey;
    const QColor c = colour(key);
    QPen pen(c, lineWidth(key));
    if (s.style == SeriesStyle::Dashed) pen.setStyle(Qt::DashLine);
    const double mid = y + 7;
    if (s.style != SeriesStyle::Points) {
      p.setPen(pen);
      p.drawLine(QPointF(box.left() + 2, mid), QPointF(box.left() + 24, mid));
    }
    drawMarker(p, QPointF(box.left() + 13, mid), c, s.style == SeriesStyle::Dashed,
               isOurs(key) ? 4.5 : 3.5);
    p.setPen(Qt::black);
    QFont entry = font;
    entry.setBold(key == "ray");
    p.setFont(entry);
    const QString label =
        metrics.elidedText(text(s.name), Qt::ElideRight, static_cast<int>(box.width()) - 30);
    p.drawText(QRectF(box.left() + 30, y, box.width() - 30, 14), Qt::AlignVCenter, label);
    y += 17;
  }
  p.setFont(font);
}

void drawPanel(QPainter& p, const Plot& plot, const QRectF& panel) {
  std::vector<double> xs, ys;
  for (const Series& s : plot.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
    ys.insert(ys.end(), s.lo.begin(), s.lo.end());
    ys.insert(ys.end(), s.hi.begin(), s.hi.end());
  }
  Frame f;
  const bool categorical = !plot.categories.empty();
  if (categorical) {
    f.x.lo = -0.5;
    f.x.hi = static_cast<double>(plot.categories.size()) - 0.5;
    for (std::size_t k = 0; k < plot.categories.size(); ++k)
      f.x.ticks.push_back({static_cast<double>(k), plot.categories[k]});
  } else {
    f.x = makeAxis(xs, plot.xScale);
    if (plot.xTicksAtData) {
      std::set<double> distinct;
      for (double v : xs)
        if (std::isfinite(v)) distinct.insert(v);
      if (!distinct.empty()) {
        f.x.ticks.clear();
        if (!f.x.log) {  // no padding to whole steps: the data's own range
          f.x.lo = *distinct.begin();
          f.x.hi = *distinct.rbegin();
          const double pad = 0.04 * std::max(f.x.hi - f.x.lo, 1e-9);
          f.x.lo -= pad;
          f.x.hi += pad;
        } else {
          f.x.lo = *distinct.begin() / 1.25;
          f.x.hi = *distinct.rbegin() * 1.25;
        }
        for (double v : distinct) f.x.ticks.push_back({v, shortNumber(v)});
      }
    }
  }
  f.y = makeAxis(ys, plot.yScale);

  // Legend width from the longest entry.
  QFont small = p.font();
  small.setPixelSize(11);
  const QFontMetrics legendMetrics(small);
  int legendWidth = 0;
  for (const Series& s : plot.series)
    legendWidth = std::max(legendWidth, legendMetrics.horizontalAdvance(text(s.name)));
  legendWidth = std::min(legendWidth + 36, 200);
  f.area = QRectF(panel.left() + 66, panel.top() + 32, panel.width() - 66 - 14 - legendWidth,
                  panel.height() - 32 - 52);

  // Title.
  QFont titleFont = p.font();
  titleFont.setPixelSize(14);
  titleFont.setBold(true);
  p.setFont(titleFont);
  p.setPen(Qt::black);
  p.drawText(QRectF(panel.left(), panel.top() + 4, panel.width(), 22), Qt::AlignCenter,
             text(plot.title));

  // Grid, minor log ticks, frame.
  p.setPen(QPen(QColor(225, 225, 225), 1));
  for (const Tick& t : f.y.ticks)
    p.drawLine(QPointF(f.area.left(), f.py(t.value)), QPointF(f.area.right(), f.py(t.value)));
  for (const Tick& t : f.x.ticks)
    p.drawLine(QPointF(f.px(t.value), f.area.top()), QPointF(f.px(t.value), f.area.bottom()));
  if (f.y.log) {
    p.setPen(QPen(QColor(150, 150, 150), 1));
    for (double decade = f.y.lo; decade < f.y.hi * 0.999; decade *= 10)
      for (int m = 2; m <= 9; ++m) {
        const double y = f.py(decade * m);
        p.drawLine(QPointF(f.area.left(), y), QPointF(f.area.left() + 3, y));
      }
  }
  p.setPen(QPen(QColor(60, 60, 60), 1));
  p.setBrush(Qt::NoBrush);
  p.drawRect(f.area);

  // Tick labels and axis labels.
  QFont tickFont = p.font();
  tickFont.setPixelSize(11);
  tickFont.setBold(false);
  p.setFont(tickFont);
  for (const Tick& t : f.y.ticks) {
    const double y = f.py(t.value);
    p.drawLine(QPointF(f.area.left() - 5, y), QPointF(f.area.left(), y));
    p.drawText(QRectF(panel.left(), y - 8, 66 - 8, 16), Qt::AlignRight | Qt::AlignVCenter,
               text(t.label));
  }
  const double slot =
      f.x.ticks.size() > 1 ? f.area.width() / static_cast<double>(f.x.ticks.size()) : 80;
  for (const Tick& t : f.x.ticks) {
    const double x = f.px(t.value);
    p.drawLine(QPointF(x, f.area.bottom()), QPointF(x, f.area.bottom() + 5));
    // Category names may wrap onto a second line (categorical plots have no axis label).
    const double w = categorical ? slot - 4 : std::max(slot, 40.0);
    p.drawText(QRectF(x - w / 2, f.area.bottom() + 6, w, categorical ? 32 : 16),
               Qt::AlignHCenter | Qt::AlignTop | (categorical ? Qt::TextWordWrap : 0),
               text(t.label));
  }
  QFont labelFont = tickFont;
  labelFont.setPixelSize(12);
  p.setFont(labelFont);
  p.drawText(QRectF(f.area.left(), f.area.bottom() + 24, f.area.width(), 18), Qt::AlignCenter,
             text(plot.xLabel + (f.x.log ? " (log scale)" : "")));
  p.save();
  p.translate(panel.left() + 14, f.area.center().y());
  p.rotate(-90);
  p.drawText(QRectF(-f.area.height() / 2, -10, f.area.height(), 18), Qt::AlignCenter,
             text(plot.yLabel + (f.y.log ? " (log scale)" : "")));
  p.restore();

  // Data, clipped to the plot area; ours last so they lie on top.
  p.save();
  p.setClipRect(f.area.adjusted(-6, -6, 6, 6));
  p.setRenderHint(QPainter::Antialiasing, true);
  std::vector<std::size_t> order(plot.series.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  auto rank = [&](std::size_t k) {
    const auto& s = plot.series[k];
    const std::string key = s.colourKey.empty() ? s.name : s.colourKey;
    return key == "ray" ? 2 : isOurs(key) ? 1 : 0;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rank(a) < rank(b); });
  const double count = static_cast<double>(plot.series.size());
  for (std::size_t k : order) {
    // Categorical plots spread the series side by side within each category.
    const double offset = categorical ? (static_cast<double>(k) - (count - 1) / 2) *
                                            std::min(14.0, slot / (count + 1))
                                      : 0;
    drawSeries(p, f, plot.series[k], offset);
  }
  p.restore();
  drawLegend(p, plot, QRectF(f.area.right() + 10, f.area.top(), legendWidth, f.area.height()));
}

}  // namespace

QFont reportFont(int pixelSize, bool bold) {
  QFont font("DejaVu Sans");
  font.setPixelSize(pixelSize);
  font.setBold(bold);
  return font;
}

void drawPageTitle(QPainter& painter, int width, const std::string& title) {
  const QFont before = painter.font();
  painter.setFont(reportFont(16, true));
  painter.drawText(QRectF(0, 4, width, 24), Qt::AlignCenter, QString::fromStdString(title));
  painter.setFont(before);
}

void ensureGuiApplication() {
  if (QGuiApplication::instance()) return;
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  static int argc = 1;
  static char name[] = "efm-bench";
  static char* argv[] = {name, nullptr};
  new QGuiApplication(argc, argv);  // NOLINT: deliberately never destroyed
}

Rgb seriesColour(const std::string& key) {
  if (const PathKind* path = findPathKind(key)) {  // the studio's colours: one registry
    const PathRgb c = path->colour;
    return {c.r, c.g, c.b};
  }
  if (key == "floor") return {0, 0, 0};
  static const Rgb others[] = {{148, 103, 189}, {140, 86, 75},  {227, 119, 194},
                               {188, 189, 34},  {23, 190, 207}, {96, 96, 160}};
  return others[std::hash<std::string>{}(key) % (sizeof(others) / sizeof(others[0]))];
}

bool isOurs(const std::string& key) { return isEGeodesicPath(key); }

void savePlots(const std::vector<Plot>& panels, int columns, const std::string& file,
               const std::string& title, const std::string& footnote) {
  ensureGuiApplication();
  columns = std::max(1, std::min<int>(columns, static_cast<int>(panels.size())));
  const int rows = (static_cast<int>(panels.size()) + columns - 1) / columns;
  const int header = title.empty() ? 0 : 30;
  // The footnote wraps; one panel's width holds about 100 characters a line.
  const int footer =
      footnote.empty() ? 0 : 20 * (1 + static_cast<int>(footnote.size()) / (100 * columns)) + 8;
  QImage image(columns * kPanelWidth, rows * kPanelHeight + header + footer, QImage::Format_RGB32);
  image.fill(Qt::white);
  {
    QPainter p(&image);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    p.setFont(reportFont(12));
    if (header) drawPageTitle(p, image.width(), title);
    for (std::size_t k = 0; k < panels.size(); ++k) {
      const int col = static_cast<int>(k) % columns;
      const int row = static_cast<int>(k) / columns;
      drawPanel(p, panels[k],
                QRectF(col * kPanelWidth, header + row * kPanelHeight, kPanelWidth, kPanelHeight));
    }
    if (footer) {
      p.setFont(reportFont(11));
      p.setPen(QColor(70, 70, 70));
      p.drawText(QRectF(8, image.height() - footer, image.width() - 16, footer),
                 Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, text(footnote));
    }
  }
  if (!image.save(QString::fromStdString(file), "PNG"))
    throw std::runtime_error("cannot write the plot " + file);
}

}  // namespace efm::bench

#pragma once
// A live line chart drawn with QPainter: training loss and KL against the training step.
// Series sit on value axes, logarithmic or linear; several series may share one axis (the
// KL curves of compared runs). The first axis is labelled on the left, the second on the
// right. Cheap to append to at 20 Hz; repaints are coalesced by Qt. The legend lists every
// series (its pen, name and last value) and wraps onto more rows when it must.

#include <QColor>
#include <QString>
#include <QWidget>
#include <vector>

namespace efm::ui {

class CurveChart : public QWidget {
  Q_OBJECT
 public:
  explicit CurveChart(const QString& title, QWidget* parent = nullptr);

  // Adds a value axis; returns its index.
  int addAxis(bool logScale);
  // Adds a series on `axis`; returns its index. Log-scale series ignore values <= 0.
  int addSeries(const QString& name, const QColor& color, int axis,
                Qt::PenStyle style = Qt::SolidLine);
  // Adds a series on an axis of its own.
  int addSeries(const QString& name, const QColor& color, bool logScale);
  void append(int series, double x, double y);
  void clear();            // the points; series and axes stay
  void removeAllSeries();  // series and axes
  void setTitle(const QString& title);
  int seriesCount() const { return int(series_.size()); }
  int pointCount(int series) const { return int(series_.at(series).points.size()); }
  QPointF point(int series, int index) const { return series_.at(series).points.at(index); }
  QString seriesName(int series) const { return series_.at(series).name; }
  QColor seriesColor(int series) const { return series_.at(series).color; }
  QSize sizeHint() const override { return QSize(420, 220); }

  // The value range the axis of a series shows (after padding), for tests.
  std::pair<double, double> yRange(int series) const;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  struct Series {
    QString name;
    QColor color;
    int axis = 0;
    Qt::PenStyle style = Qt::SolidLine;
    std::vector<QPointF> points;
  };
  std::pair<double, double> axisRange(int axis) const;

  QString title_;
  std::vector<bool> axisLog_;  // per axis: logarithmic
  std::vector<Series> series_;
};

}  // namespace efm::ui

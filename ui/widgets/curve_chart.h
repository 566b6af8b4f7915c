#pragma once
// A live line chart drawn with QPainter: training loss and KL against the training step,
// each series on its own logarithmic or linear axis. Cheap to append to at 20 Hz; repaints
// are coalesced by Qt.

#include <QColor>
#include <QString>
#include <QWidget>
#include <vector>

namespace efm::ui {

class CurveChart : public QWidget {
  Q_OBJECT
 public:
  explicit CurveChart(const QString& title, QWidget* parent = nullptr);

  // Adds a series; returns its index. Log-scale series ignore values <= 0.
  int addSeries(const QString& name, const QColor& color, bool logScale);
  void append(int series, double x, double y);
  void clear();
  int pointCount(int series) const { return int(series_.at(series).points.size()); }
  QSize sizeHint() const override { return QSize(420, 220); }

  // The value range a series' axis shows (after padding), for tests.
  std::pair<double, double> yRange(int series) const;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  struct Series {
    QString name;
    QColor color;
    bool logScale = false;
    std::vector<QPointF> points;
  };
  QString title_;
  std::vector<Series> series_;
};

}  // namespace efm::ui

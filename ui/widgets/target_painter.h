#pragma once
// The target painter: a density painted with the mouse on a grid of K x K cells becomes a
// joint over two variables with K classes each (row = the first variable's class, column =
// the second's), like the pinwheel and 8-Gaussian toys. Each stroke emits the table; the
// studio trains on it at once and the meta-simplex view's heat maps compare model and target.

#include <QWidget>
#include <cstddef>
#include <cstdint>
#include <vector>

class QPushButton;
class QSpinBox;

namespace efm::ui {

class PaintCanvas;

class TargetPainter : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMinCells = 2, kMaxCells = 32, kDefaultCells = 12;

  explicit TargetPainter(QWidget* parent = nullptr);

  int cells() const;         // K
  void setCells(int cells);  // clears the canvas
  // c^2 weights, row-major: cell (row, column) is the labeling (row, column).
  const std::vector<double>& weights() const;
  // One brush dab at cell (row, column): adds mass there and half as much to the 4 neighbours
  // (erase: clears them). What a mouse press does; for scripts and tests.
  void dab(int row, int column, bool erase = false);
  // Emits the table now (what releasing the mouse does); nothing while it is empty.
  void commit();
  PaintCanvas* canvas() const { return canvas_; }
  // The canvas colour of a cell holding the largest weight (for tests reading pixels).
  static QColor inkColor();

 Q_SIGNALS:
  void edited(const std::vector<double>& weights, qint64 variables, qint64 classes);

 private:
  PaintCanvas* canvas_;
  QSpinBox* cells_;
  QPushButton* clear_;
};

// The grid itself: paints weights as ink, turns mouse strokes into dabs.
class PaintCanvas : public QWidget {
  Q_OBJECT
 public:
  explicit PaintCanvas(QWidget* parent = nullptr);
  void reset(int cells);
  void dab(int row, int column, bool erase);
  int cells() const { return cells_; }
  const std::vector<double>& weights() const { return weights_; }
  // The cell under a point of the widget, or false outside the grid.
  bool cellAt(const QPoint& point, int* row, int* column) const;
  QRect cellRect(int row, int column) const;
  QSize sizeHint() const override { return {320, 320}; }

 Q_SIGNALS:
  void strokeFinished();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  void dabAt(const QPoint& point, bool erase);
  std::size_t cellIndex(int row, int column) const {
    return std::size_t(row) * std::size_t(cells_) + std::size_t(column);
  }

  int cells_ = TargetPainter::kDefaultCells;
  std::vector<double> weights_;
  int lastRow_ = -1, lastColumn_ = -1;  // one dab per cell per stroke passage
};

}  // namespace efm::ui

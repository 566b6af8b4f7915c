#include "widgets/target_painter.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace efm::ui {

namespace {

const QColor kPaper(250, 250, 250);
const QColor kInk(20, 70, 160);
const QColor kGrid(210, 210, 210);

QColor inkShade(const QColor& from, const QColor& to, double share) {
  const auto blend = [share](int a, int b) { return int(std::lround(a + (b - a) * share)); };
  return {blend(from.red(), to.red()), blend(from.green(), to.green()),
          blend(from.blue(), to.blue())};
}

}  // namespace

PaintCanvas::PaintCanvas(QWidget* parent) : QWidget(parent) {
  setMinimumSize(160, 160);
  setCursor(Qt::CrossCursor);
  setToolTip("Left button paints probability, right button erases; each stroke retrains");
  reset(TargetPainter::kDefaultCells);
}

void PaintCanvas::reset(int cells) {
  cells_ = std::clamp(cells, TargetPainter::kMinCells, TargetPainter::kMaxCells);
  weights_.assign(std::size_t(cells_) * std::size_t(cells_), 0.0);
  update();
}

QRect PaintCanvas::cellRect(int row, int column) const {
  const int side = std::min(width(), height());
  const double cell = double(side) / cells_;
  const int left = (width() - side) / 2, top = (height() - side) / 2;
  const int x0 = left + int(column * cell), x1 = left + int((column + 1) * cell);
  const int y0 = top + int(row * cell), y1 = top + int((row + 1) * cell);
  return {x0, y0, x1 - x0, y1 - y0};
}

bool PaintCanvas::cellAt(const QPoint& point, int* row, int* column) const {
  const int side = std::min(width(), height());
  const int left = (width() - side) / 2, top = (height() - side) / 2;
  if (side <= 0 || point.x() < left || point.y() < top || point.x() >= left + side ||
      point.y() >= top + side)
    return false;
  *column = std::min(cells_ - 1, (point.x() - left) * cells_ / side);
  *row = std::min(cells_ - 1, (point.y() - top) * cells_ / side);
  return true;
}

void PaintCanvas::dab(int row, int column, bool erase) {
  const auto touch = [&](int r, int c, double amount) {
    if (r < 0 || c < 0 || r >= cells_ || c >= cells_) return;
    double& w = weights_[cellIndex(r, c)];
    w = erase ? 0.0 : w + amount;
  };
  touch(row, column, 1.0);
  touch(row - 1, column, 0.5);
  touch(row + 1, column, 0.5);
  touch(row, column - 1, 0.5);
  touch(row, column + 1, 0.5);
  update();
}

void PaintCanvas::dabAt(const QPoint& point, bool erase) {
  int row = 0, column = 0;
  if (!cellAt(point, &row, &column) || (row == lastRow_ && column == lastColumn_)) return;
  lastRow_ = row;
  lastColumn_ = column;
  dab(row, column, erase);
}

void PaintCanvas::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), palette().window());
  const double top = *std::max_element(weights_.begin(), weights_.end());
  for (int row = 0; row < cells_; ++row)
    for (int column = 0; column < cells_; ++column) {
      const double w = weights_[cellIndex(row, column)];
      painter.fillRect(cellRect(row, column), top > 0 ? inkShade(kPaper, kInk, w / top) : kPaper);
    }
  painter.setPen(kGrid);
  for (int row = 0; row < cells_; ++row)
    for (int column = 0; column < cells_; ++column)
      painter.drawRect(cellRect(row, column).adjusted(0, 0, -1, -1));
}

void PaintCanvas::mousePressEvent(QMouseEvent* event) {
  lastRow_ = lastColumn_ = -1;
  dabAt(event->position().toPoint(), event->button() == Qt::RightButton);
}

void PaintCanvas::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() & (Qt::LeftButton | Qt::RightButton))
    dabAt(event->position().toPoint(), (event->buttons() & Qt::RightButton) != 0);
}

void PaintCanvas::mouseReleaseEvent(QMouseEvent*) {
  lastRow_ = lastColumn_ = -1;
  Q_EMIT strokeFinished();
}

TargetPainter::TargetPainter(QWidget* parent) : QWidget(parent) {
  canvas_ = new PaintCanvas;
  cells_ = new QSpinBox;
  cells_->setRange(kMinCells, kMaxCells);
  cells_->setValue(kDefaultCells);
  cells_->setToolTip("K: classes of each of the two variables (the grid is K x K)");
  clear_ = new QPushButton("Clear");
  auto* note = new QLabel(
      "Paint a density: row = the first variable's class, column = the second's. Each stroke "
      "becomes the training target (n = 2, c = K).");
  note->setWordWrap(true);
  auto* form = new QFormLayout;
  form->addRow("Cells K", cells_);
  auto* buttons = new QHBoxLayout;
  buttons->addLayout(form);
  buttons->addWidget(clear_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(note);
  layout->addWidget(canvas_, 1);
  layout->addLayout(buttons);
  connect(cells_, &QSpinBox::valueChanged, this, [this](int k) { canvas_->reset(k); });
  connect(clear_, &QPushButton::clicked, this, [this] { canvas_->reset(cells_->value()); });
  connect(canvas_, &PaintCanvas::strokeFinished, this, &TargetPainter::commit);
}

int TargetPainter::cells() const { return canvas_->cells(); }

void TargetPainter::setCells(int cells) {
  cells_->setValue(cells);
  canvas_->reset(cells);
}

const std::vector<double>& TargetPainter::weights() const { return canvas_->weights(); }

void TargetPainter::dab(int row, int column, bool erase) { canvas_->dab(row, column, erase); }

void TargetPainter::commit() {
  const std::vector<double>& w = canvas_->weights();
  if (std::none_of(w.begin(), w.end(), [](double x) { return x > 0; })) return;
  Q_EMIT edited(w, 2, canvas_->cells());
}

QColor TargetPainter::inkColor() { return kInk; }

}  // namespace efm::ui

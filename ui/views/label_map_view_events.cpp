// LabelMapView's input and output: picking with the mouse, resizes, the exported picture.
#include "views/label_map_view.h"

#include <vtkImageData.h>
#include <vtkRenderer.h>
#include <QComboBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QTimer>
#include <algorithm>
#include <cmath>

#include "bridge/vtk_widget.h"
#include "widgets/class_bars.h"

namespace efm::ui {

bool LabelMapView::pick(const QPointF& position, double* x, double* y) const {
  const double ratio = vtk_->devicePixelRatioF();
  vtkRenderer* renderer = vtk_->renderer();
  renderer->SetDisplayPoint(position.x() * ratio, vtk_->height() * ratio - position.y() * ratio - 1,
                            0);
  renderer->DisplayToWorld();
  double world[4];
  renderer->GetWorldPoint(world);
  if (world[3] == 0) return false;
  *x = world[0] / world[3];
  *y = world[1] / world[3];
  return true;
}

QPoint LabelMapView::widgetPosition(double x, double y) const {
  vtkRenderer* renderer = vtk_->renderer();
  renderer->SetWorldPoint(x, y, 0, 1);
  renderer->WorldToDisplay();
  double d[3];
  renderer->GetDisplayPoint(d);
  const double ratio = vtk_->devicePixelRatioF();
  return QPoint(int(std::lround(d[0] / ratio)),
                int(std::lround((vtk_->height() * ratio - 1 - d[1]) / ratio)));
}

vtkImageData* LabelMapView::galleryImage(int i) const { return galleryImages_[size_t(i)]; }
vtkImageData* LabelMapView::scrubImage(int which) const { return scrubImages_[which]; }

Rgb LabelMapView::pixelColour(vtkImageData* image, int64_t row, int64_t column) {
  int dims[3];
  image->GetDimensions(dims);
  const auto* p =
      static_cast<const uint8_t*>(image->GetScalarPointer(int(column), int(dims[1] - 1 - row), 0));
  return {p[0], p[1], p[2]};
}

void LabelMapView::paintAt(double x, double y) {
  if (!scrubImages_[0] || !scrubRects_[0].contains(x, y)) return;
  paintPixels(scrubRects_[0].nodeAt(x, y), paintClass_->currentIndex());
}

bool LabelMapView::eventFilter(QObject* watched, QEvent* event) {
  if (watched != vtk_) return QWidget::eventFilter(watched, event);
  // Paint mode: the left button paints the scrubbed argmax map.
  if (paint_->isChecked()) {
    auto* mouse = static_cast<QMouseEvent*>(event);
    double x = 0, y = 0;
    switch (event->type()) {
      case QEvent::MouseButtonPress:
        if (mouse->button() != Qt::LeftButton) return false;
        painting_ = true;
        if (pick(mouse->position(), &x, &y)) paintAt(x, y);
        return true;
      case QEvent::MouseMove:
        if (!painting_) return false;
        if (pick(mouse->position(), &x, &y)) paintAt(x, y);
        return true;
      case QEvent::MouseButtonRelease:
        if (mouse->button() != Qt::LeftButton) return false;
        painting_ = false;
        return true;
      default:
        break;
    }
  }
  // The left button selects a map or inspects a pixel; the camera keeps the other buttons.
  if (event->type() == QEvent::MouseButtonPress) {
    auto* mouse = static_cast<QMouseEvent*>(event);
    if (mouse->button() != Qt::LeftButton) return false;
    double x = 0, y = 0;
    if (!pick(mouse->position(), &x, &y)) return true;
    for (int k = 0; k < 3; ++k)
      if (scrubImages_[k] && scrubRects_[k].contains(x, y)) {
        inspectPixel(scrubRects_[k].nodeAt(x, y));
        return true;
      }
    if (showsData()) return true;  // maps of the data have no flow to scrub
    for (int i = 0; i < int(galleryRects_.size()); ++i)
      if (galleryRects_[size_t(i)].contains(x, y)) {
        if (i < keptFlows(*samples_)) {
          setSelectedSample(i);
        } else {
          notice_ = QString("map %1 did not keep its flow (raise 'Flows kept' to scrub more maps)")
                        .arg(i + 1);
          updateCaption();
          vtk_->scheduleRender();
        }
        return true;
      }
    return true;
  }
  if (event->type() == QEvent::MouseButtonRelease || event->type() == QEvent::MouseButtonDblClick)
    return static_cast<QMouseEvent*>(event)->button() == Qt::LeftButton;
  if (event->type() == QEvent::MouseMove)
    return static_cast<QMouseEvent*>(event)->buttons() == Qt::LeftButton;
  return false;
}

void LabelMapView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  relayout_->start();
}

QImage LabelMapView::renderToImage() {
  if (relayout_->isActive()) {  // a resize not laid out yet (a tab just shown)
    relayout_->stop();
    rebuild();
  }
  QImage picture = vtk_->renderToImage();
  // The legend's rows only, not the empty part of its panel.
  QImage legend =
      bars_
          ->grab(QRect(0, 0, bars_->width(), std::min(bars_->height(), bars_->sizeHint().height())))
          .toImage();
  picture.setDevicePixelRatio(1);
  legend.setDevicePixelRatio(1);
  QImage out(picture.width() + legend.width(), std::max(picture.height(), legend.height()),
             QImage::Format_RGB32);
  out.fill(Qt::white);
  QPainter painter(&out);
  painter.drawImage(0, 0, picture);
  painter.drawImage(picture.width(), 0, legend);
  painter.end();
  return out;
}

}  // namespace efm::ui

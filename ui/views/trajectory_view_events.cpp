// TrajectoryView's input: a click on a vertex fixes the shown node to its class (conditional
// sampling on toys, docs/CONDITIONING.md); dragging still orbits the camera.
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <QMouseEvent>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <limits>

#include "bridge/vtk_widget.h"
#include "views/trajectory_view.h"

namespace efm::ui {

namespace {
constexpr double kClickSlop = 4.0;     // pixels the mouse may move in a click
constexpr double kVertexReach = 28.0;  // pixels around a vertex (or its label) that pick it
constexpr double kLabelOffset = 0.13;  // as in rebuildFrame: labels sit outside the vertices
// Where world point x is drawn in `vtk`, in widget coordinates (VTK's display origin is the
// bottom left, in device pixels).
QPointF widgetPosition(VtkWidget* vtk, const Point3& x) {
  vtkRenderer* renderer = vtk->renderer();
  renderer->SetWorldPoint(x.x(), x.y(), x.z(), 1);
  renderer->WorldToDisplay();
  double d[3];
  renderer->GetDisplayPoint(d);
  const double ratio = vtk->devicePixelRatioF();
  return {d[0] / ratio, (vtk->height() * ratio - 1 - d[1]) / ratio};
}

}  // namespace

QPoint TrajectoryView::vertexPosition(int i) const {
  return widgetPosition(vtk_, vertices_.at(size_t(i))).toPoint();
}

void TrajectoryView::setGiven(std::vector<int64_t> given) {
  if (int64_t(given.size()) != data_.variables ||
      std::none_of(given.begin(), given.end(), [](int64_t l) { return l >= 0; }))
    given.clear();
  if (given == given_) return;
  given_ = std::move(given);
  notice_.clear();
  rebuildFrame();
  rebuildTrajectories();
}

QString TrajectoryView::givenCaption() const {
  QStringList items;
  for (size_t node = 0; node < given_.size(); ++node)
    if (given_[node] >= 0)
      items << QString("node %1 = class %2").arg(node + 1).arg(given_[node] + 1);
  QString text;
  if (!items.isEmpty()) text = "\ngiven: " + items.join(", ");
  if (!data_.image.isImage() && !comparing_ && data_.variables > 0)
    text += node() >= 0 ? QString("\nclick a vertex to fix node %1 to its class (again: free it)")
                              .arg(node() + 1)
                        : QString("\nchoose a node below, then click a vertex to fix it");
  if (!notice_.isEmpty()) text += "\n" + notice_;
  return text;
}

void TrajectoryView::clickedAt(const QPointF& position) {
  if (data_.image.isImage() || comparing_ || vertices_.empty()) return;
  // The nearest vertex on screen (for c = 2 either end of its time axis), if near enough.
  int nearest = -1;
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < int(vertices_.size()); ++i) {
    const Point3 v = vertices_[size_t(i)];
    const Point3 outward = timeAxis_ ? Point3(0, -1, 0) : Point3(v.normalized());
    std::vector<Point3> spots{v, v + kLabelOffset * outward};
    if (timeAxis_) spots.push_back(v + Point3(0, 1, 0));
    for (const Point3& x : spots) {
      const QPointF at = widgetPosition(vtk_, x);
      const double distance = std::hypot(at.x() - position.x(), at.y() - position.y());
      if (distance < best) {
        best = distance;
        nearest = i;
      }
    }
  }
  if (nearest < 0 || best > kVertexReach) return;
  const int cls = selection_.shown()[size_t(nearest)];
  const int shown = node();
  if (shown < 0) {
    notice_ = QString("to fix a node at class %1, choose the node below first").arg(cls + 1);
    refreshCaption();
    return;
  }
  const bool fixedHere = size_t(shown) < given_.size() && given_[size_t(shown)] == cls;
  notice_.clear();
  Q_EMIT fixRequested(shown, fixedHere ? -1 : cls);
}

void TrajectoryView::refreshCaption() {
  caption_->SetInput((baseCaption_ + givenCaption()).toUtf8().constData());
  vtk_->scheduleRender();
}

bool TrajectoryView::eventFilter(QObject* watched, QEvent* event) {
  if (watched != vtk_) return QWidget::eventFilter(watched, event);
  // Clicks are told from drags on release; both go on to the camera, which ignores a click.
  if (event->type() == QEvent::MouseButtonPress) {
    auto* mouse = static_cast<QMouseEvent*>(event);
    if (mouse->button() == Qt::LeftButton) {
      pressed_ = true;
      pressedAt_ = mouse->position();
    }
  } else if (event->type() == QEvent::MouseButtonRelease) {
    auto* mouse = static_cast<QMouseEvent*>(event);
    if (mouse->button() == Qt::LeftButton && pressed_) {
      pressed_ = false;
      const QPointF moved = mouse->position() - pressedAt_;
      if (std::hypot(moved.x(), moved.y()) <= kClickSlop) clickedAt(mouse->position());
    }
  }
  return false;
}

}  // namespace efm::ui

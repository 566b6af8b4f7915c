#include "views/geodesic_view.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkLegendBoxActor.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QVBoxLayout>
#include "efm/geometry/geometry_exact.h"

#include "bridge/vtk_widget.h"
#include "views/vtk_scene.h"

namespace efm::ui {

namespace {
const QColor kCurveColors[3] = {QColor(230, 120, 20), QColor(40, 100, 210), QColor(30, 150, 60)};
const GeodesicKind kKinds[3] = {GeodesicKind::Exponential, GeodesicKind::Mixture,
                                GeodesicKind::FisherRao};

Point3 place(const Eigen::VectorXd& p) { return embedSimplexPoint(p); }
}  // namespace

GeodesicView::GeodesicView(QWidget* parent) : QWidget(parent) {
  vtk_ = new VtkWidget(this);
  vtk_->installEventFilter(this);
  readout_ = new QLabel;
  readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  balls_ = new QCheckBox("Fisher-Rao balls around p");
  auto* reset = new QPushButton("Reset camera");
  auto* controls = new QHBoxLayout;
  controls->addWidget(readout_, 1);
  controls->addWidget(balls_);
  controls->addWidget(reset);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(vtk_, 1);
  layout->addLayout(controls);

  vtkRenderer* renderer = vtk_->renderer();
  const std::vector<Point3> vertices = simplexVertices(3);
  renderer->AddViewProp(simplexFrame(vertices, QColor(60, 60, 60), 2));
  for (int i = 0; i < 3; ++i)
    renderer->AddViewProp(label(vertices[i] * 1.18, QString("e%1").arg(i + 1), 14));
  for (int i = 0; i < 3; ++i) {
    curves_[i] = polyline(std::vector<Point3>(kCurveSamples, Point3::Zero()));
    curveActors_[i] = lineActor(curves_[i], kCurveColors[i], 3);
    renderer->AddViewProp(curveActors_[i]);
  }
  pointActors_[0] = sphere(Point3::Zero(), 0.018, QColor(20, 20, 20));
  pointActors_[1] = sphere(Point3::Zero(), 0.018, QColor(20, 20, 20));
  renderer->AddViewProp(pointActors_[0]);
  renderer->AddViewProp(pointActors_[1]);
  std::vector<std::pair<QString, QColor>> entries;
  entries.reserve(4);
  for (int i = 0; i < 3; ++i)
    entries.emplace_back(QString::fromStdString(geodesicName(kKinds[i])), kCurveColors[i]);
  entries.emplace_back("Fisher-Rao balls", QColor(150, 150, 150));
  renderer->AddViewProp(legend(entries, 0.70, 0.78, 0.29, 0.21));
  text_ = overlayText("", 0.01, 0.99);
  renderer->AddViewProp(text_);
  pLabel_ = label(Point3::Zero(), "p", 14);
  qLabel_ = label(Point3::Zero(), "q", 14);
  renderer->AddViewProp(pLabel_);
  renderer->AddViewProp(qLabel_);

  vtkCamera* camera = renderer->GetActiveCamera();
  camera->ParallelProjectionOn();
  connect(balls_, &QCheckBox::toggled, this, [this] { rebuildBalls(); });
  connect(reset, &QPushButton::clicked, this, [this] {
    vtk_->renderer()->GetActiveCamera()->SetPosition(0, 0, 5);
    vtk_->renderer()->GetActiveCamera()->SetFocalPoint(0, 0, 0);
    vtk_->renderer()->GetActiveCamera()->SetViewUp(0, 1, 0);
    vtk_->resetCamera();
  });
  rebuild();
  renderer->ResetCamera();
  camera->Zoom(0.9);
}

void GeodesicView::setPoints(const Eigen::Vector3d& p, const Eigen::Vector3d& q) {
  p_ = p / p.sum();
  q_ = q / q.sum();
  rebuild();
  Q_EMIT pointsChanged(p_, q_);
}

void GeodesicView::setBallsVisible(bool visible) { balls_->setChecked(visible); }

std::vector<Point3> GeodesicView::curvePoints(GeodesicKind kind) const {
  const int index = int(kind);
  std::vector<Point3> points;
  vtkPoints* p = curves_[index]->GetPoints();
  for (vtkIdType i = 0; i < p->GetNumberOfPoints(); ++i) {
    double x[3];
    p->GetPoint(i, x);
    points.emplace_back(x[0], x[1], x[2]);
  }
  return points;
}

std::vector<Point3> GeodesicView::ballPoints() const {
  std::vector<Point3> points;
  if (!ballActor_) return points;
  vtkPolyData* lines = vtkPolyData::SafeDownCast(ballActor_->GetMapper()->GetInput());
  for (vtkIdType i = 0; i < lines->GetNumberOfPoints(); ++i) {
    double x[3];
    lines->GetPoint(i, x);
    points.emplace_back(x[0], x[1], x[2]);
  }
  return points;
}

void GeodesicView::rebuild() {
  for (int i = 0; i < 3; ++i) {
    const Eigen::MatrixXd curve = geodesicCurve(kKinds[i], p_, q_, kCurveSamples);
    vtkPoints* points = curves_[i]->GetPoints();
    for (int j = 0; j < kCurveSamples; ++j) points->SetPoint(j, place(curve.col(j)).data());
    points->Modified();
    lengths_[i] = exact::fisherRaoLength(curve);
  }
  pointActors_[0]->SetPosition(place(p_).data());
  pointActors_[1]->SetPosition(place(q_).data());
  const Point3 offset(0.0, 0.045, 0.0);
  const Point3 lp = place(p_) + offset, lq = place(q_) + offset;
  moveLabel(pLabel_, lp);
  moveLabel(qLabel_, lq);
  const double distance = exact::fisherRaoDistance(p_, q_);
  const QString text =
      QString(
          "p = (%1, %2, %3)   q = (%4, %5, %6)\nFisher-Rao lengths: e %7, m %8, Fisher-Rao %9"
          "  (distance %10)")
          .arg(p_[0], 0, 'f', 3)
          .arg(p_[1], 0, 'f', 3)
          .arg(p_[2], 0, 'f', 3)
          .arg(q_[0], 0, 'f', 3)
          .arg(q_[1], 0, 'f', 3)
          .arg(q_[2], 0, 'f', 3)
          .arg(lengths_[0], 0, 'f', 4)
          .arg(lengths_[1], 0, 'f', 4)
          .arg(lengths_[2], 0, 'f', 4)
          .arg(distance, 0, 'f', 4);
  text_->SetInput(text.toUtf8().constData());
  readout_->setText("Drag p or q with the left button; right button or wheel zooms.");
  rebuildBalls();
  vtk_->scheduleRender();
}

void GeodesicView::rebuildBalls() {
  if (ballActor_) vtk_->renderer()->RemoveViewProp(ballActor_);
  ballActor_ = nullptr;
  radii_.clear();
  if (!balls_->isChecked()) {
    vtk_->scheduleRender();
    return;
  }
  // Exact circles in square-root coordinates, at quarter steps of the distance to q.
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> cells;
  const double reach = exact::fisherRaoDistance(p_, q_);
  for (int i = 1; i <= 4; ++i) {
    radii_.push_back(reach * i / 4.0);
    for (const Eigen::MatrixXd& arc : fisherRaoCircle(p_, radii_.back(), 720)) {
      cells->InsertNextCell(vtkIdType(arc.cols()));
      for (Eigen::Index j = 0; j < arc.cols(); ++j)
        cells->InsertCellPoint(points->InsertNextPoint(place(arc.col(j)).data()));
    }
  }
  vtkNew<vtkPolyData> lines;
  lines->SetPoints(points);
  lines->SetLines(cells);
  ballActor_ = lineActor(lines, QColor(150, 150, 150), 1.5);
  vtk_->renderer()->AddViewProp(ballActor_);
  vtk_->scheduleRender();
}

Eigen::Vector3d GeodesicView::pick(const QPointF& position) const {
  const double ratio = vtk_->devicePixelRatioF();
  vtkRenderer* renderer = vtk_->renderer();
  const double x = position.x() * ratio;
  const double y = vtk_->height() * ratio - position.y() * ratio - 1;
  renderer->SetDisplayPoint(x, y, 0);
  renderer->DisplayToWorld();
  double world[4];
  renderer->GetWorldPoint(world);
  if (world[3] != 0)
    for (int i = 0; i < 3; ++i) world[i] /= world[3];
  return triangleBarycentric(Point3(world[0], world[1], 0.0));
}

bool GeodesicView::eventFilter(QObject* watched, QEvent* event) {
  if (watched != vtk_) return QWidget::eventFilter(watched, event);
  // The left button belongs to p and q; everything else goes on to the camera.
  if (event->type() == QEvent::MouseButtonPress) {
    auto* mouse = static_cast<QMouseEvent*>(event);
    if (mouse->button() != Qt::LeftButton) return false;
    const Eigen::Vector3d at = pick(mouse->position());
    const Point3 x = place(at);
    dragging_ = (place(p_) - x).norm() <= (place(q_) - x).norm() ? 0 : 1;
    if (dragging_ == 0)
      setPoints(at, q_);
    else
      setPoints(p_, at);
    return true;
  }
  if (event->type() == QEvent::MouseMove && dragging_ >= 0) {
    const Eigen::Vector3d at = pick(static_cast<QMouseEvent*>(event)->position());
    if (dragging_ == 0)
      setPoints(at, q_);
    else
      setPoints(p_, at);
    return true;
  }
  if (event->type() == QEvent::MouseButtonRelease &&
      static_cast<QMouseEvent*>(event)->button() == Qt::LeftButton) {
    dragging_ = -1;
    return true;
  }
  return false;
}

}  // namespace efm::ui

// TrajectoryView's scene: where points are placed, the simplex frame, the vector field arrows.
#include "views/trajectory_view.h"

#include <vtkActor.h>
#include <vtkArrowSource.h>
#include <vtkFloatArray.h>
#include <vtkGlyph3D.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPropCollection.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <QCheckBox>
#include <QStringList>
#include <algorithm>
#include <cmath>

#include "bridge/vtk_widget.h"
#include "views/vtk_scene.h"

namespace efm::ui {

namespace {
constexpr double kTimeAxisHeight = 1.0;  // c = 2: height of the time axis
}  // namespace

Point3 TrajectoryView::place(const float* p, double t) const {
  Point3 x = selection_.embed(p, vertices_);
  if (timeAxis_)
    x.y() = kTimeAxisHeight * (t - timeStart_) / std::max(1e-12, timeEnd_ - timeStart_);
  return x;
}

void TrajectoryView::rebuildFrame() {
  vtkRenderer* renderer = vtk_->renderer();
  frameProps_->InitTraversal();
  while (vtkProp* prop = frameProps_->GetNextProp()) renderer->RemoveViewProp(prop);
  frameProps_->RemoveAllItems();
  auto add = [&](vtkProp* prop) {
    renderer->AddViewProp(prop);
    frameProps_->AddItem(prop);
  };

  const int k = selection_.dimension();
  vertices_ = simplexVertices(k);
  timeAxis_ = k == 2;
  if (timeAxis_) {
    const Point3 a = vertices_[0], b = vertices_[1];
    const Point3 up(0, kTimeAxisHeight, 0);
    add(lineActor(polyline({a, b, b + up, a + up, a}), QColor(60, 60, 60), 2));
    if (comparing_) {  // the runs' time ranges differ: the axis is the fraction of the flow
      add(label(a + up + Point3(-0.12, 0, 0), "end", 12));
      add(label(a + Point3(-0.12, 0, 0), "start", 12));
    } else {
      const QString t = samples_ && samples_->path == "dirichlet" ? "alpha" : "t";
      add(label(a + up + Point3(-0.12, 0, 0), QString("%1 = %2").arg(t).arg(timeEnd_, 0, 'g', 3),
                12));
      add(label(a + Point3(-0.12, 0, 0), QString("%1 = %2").arg(t).arg(timeStart_, 0, 'g', 3), 12));
    }
  } else {
    add(simplexFrame(vertices_, QColor(60, 60, 60), 2));
  }

  // Target class masses of the shown node(s) at the vertices.
  // Samples with given nodes: the masses of the exact conditional p(x | given) instead.
  std::vector<double> mass(selection_.classes(), 0.0);
  const std::vector<int> nodes = nodesShown();
  const bool conditional = !comparing_ && samples_ && !samples_->conditionalTarget.empty();
  if (conditional && !nodes.empty()) {
    const std::vector<double>& joint = samples_->conditionalTarget;
    const int64_t c = data_.classes;
    for (int node : nodes) {
      int64_t stride = 1;  // of node's digit in the cell index (the first node slowest)
      for (int64_t later = node + 1; later < data_.variables; ++later) stride *= c;
      for (size_t cell = 0; cell < joint.size(); ++cell)
        mass[size_t((int64_t(cell) / stride) % c)] += joint[cell] / double(nodes.size());
    }
  } else if (!data_.marginals.empty() && !nodes.empty()) {
    for (int node : nodes)
      for (int c = 0; c < selection_.classes(); ++c)
        mass[c] += data_.marginals[size_t(node * data_.classes + c)] / double(nodes.size());
  }
  const Point3 center = Point3::Zero();
  for (int i = 0; i < k; ++i) {
    const int cls = selection_.shown()[i];
    const Point3 v = vertices_[i];
    Point3 outward = (v - center).normalized();
    if (timeAxis_) outward = Point3(0, -1, 0);
    QString text = cls < int(data_.image.classNames.size())
                       ? QString::fromStdString(data_.image.classNames[size_t(cls)])
                       : QString("class %1").arg(cls + 1);
    if (!data_.marginals.empty() || conditional) {
      text += QString(conditional ? "\nconditional %1" : "\ntarget %1").arg(mass[cls], 0, 'f', 3);
      add(sphere(v, 0.012 + 0.05 * std::sqrt(mass[cls]), QColor(200, 40, 40, 200)));
    }
    // Shown nodes fixed at this class: a green marker, and their names under the label.
    QStringList fixed;
    for (int node : nodes)
      if (size_t(node) < given_.size() && given_[size_t(node)] == cls)
        fixed << QString::number(node + 1);
    if (!fixed.isEmpty()) {
      text += QString("\ngiven: node %1").arg(fixed.join(", "));
      add(sphere(v, 0.075, QColor(30, 160, 70, 150)));
    }
    add(label(v + 0.13 * outward, text, 13));
  }
  vtk_->scheduleRender();
}

std::vector<float> TrajectoryView::fieldGrid() const {
  const int k = selection_.dimension();
  const int c = selection_.classes();
  std::vector<Eigen::VectorXd> shown;  // barycentric coordinates over the shown classes
  if (k == 2) {
    for (int i = 1; i < 20; ++i) shown.push_back(Eigen::Vector2d(1 - i / 20.0, i / 20.0));
  } else if (k == 3) {
    const TriangleGrid grid = triangleGrid(10, 0.03);
    for (int i = 0; i < grid.nodes.cols(); ++i) shown.push_back(grid.nodes.col(i));
  } else {
    const int d = 5;
    for (int a = 0; a <= d; ++a)
      for (int b = 0; b <= d - a; ++b)
        for (int e = 0; e <= d - a - b; ++e) {
          Eigen::Vector4d q(a, b, e, d - a - b - e);
          shown.push_back(0.9 * q / d + Eigen::Vector4d::Constant(0.025));
        }
  }
  // Classes that are not shown share a small mass (c > 4: the face's neighbourhood).
  const double other = k < c ? 0.01 : 0.0;
  std::vector<float> points;
  for (const Eigen::VectorXd& q : shown) {
    std::vector<float> p(size_t(c), float(other / std::max(1, c - k)));
    for (int i = 0; i < k; ++i) p[size_t(selection_.shown()[i])] = float((1 - other) * q[i]);
    points.insert(points.end(), p.begin(), p.end());
  }
  return points;
}

void TrajectoryView::requestField() {
  if (showField_->isChecked() && !layers_.empty()) Q_EMIT fieldRequested(time(), fieldGrid());
}

void TrajectoryView::setField(std::shared_ptr<const FieldSlice> field) {
  field_ = std::move(field);
  updateArrows();
}

void TrajectoryView::updateArrows() {
  if (arrows_) vtk_->renderer()->RemoveViewProp(arrows_);
  arrows_ = nullptr;
  if (!field_ || !showField_->isChecked() || field_->classes != selection_.classes() ||
      layers_.empty() || field_->run != focusedRun()) {
    vtk_->scheduleRender();
    return;
  }
  const int64_t c = field_->classes;
  const int64_t g = int64_t(field_->points.size()) / c;
  vtkNew<vtkPoints> base;
  vtkNew<vtkFloatArray> vectors;
  vectors->SetNumberOfComponents(3);
  vectors->SetName("velocity");
  const double h = 1e-3;
  double largest = 0;
  std::vector<Point3> directions;
  std::vector<float> moved(static_cast<size_t>(c));
  for (int64_t i = 0; i < g; ++i) {
    const float* p = field_->points.data() + i * c;
    const float* v = field_->velocities.data() + i * c;
    for (int64_t j = 0; j < c; ++j) moved[size_t(j)] = float(p[j] + h * v[j]);
    const Point3 x = place(p, field_->time);
    Point3 d = (place(moved.data(), field_->time) - x) / h;
    if (timeAxis_) d.y() = 0;
    if (!d.allFinite()) continue;
    base->InsertNextPoint(x.data());
    directions.push_back(d);
    largest = std::max(largest, d.norm());
  }
  for (const Point3& d : directions) vectors->InsertNextTuple3(d.x(), d.y(), d.z());
  vtkNew<vtkPolyData> input;
  input->SetPoints(base);
  input->GetPointData()->SetVectors(vectors);
  vtkNew<vtkArrowSource> arrow;
  arrow->SetTipResolution(10);
  arrow->SetShaftResolution(6);
  vtkNew<vtkGlyph3D> glyphs;
  glyphs->SetInputData(input);
  glyphs->SetSourceConnection(arrow->GetOutputPort());
  glyphs->SetVectorModeToUseVector();
  glyphs->SetScaleModeToScaleByVector();
  glyphs->OrientOn();
  glyphs->SetScaleFactor(largest > 0 ? 0.08 / largest : 0.0);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(glyphs->GetOutputPort());
  mapper->ScalarVisibilityOff();
  arrows_ = vtkSmartPointer<vtkActor>::New();
  arrows_->SetMapper(mapper);
  // Comparing: the focused run's field, a darker shade of its colour.
  const QColor colour =
      comparing_
          ? layers_[size_t(std::clamp(focus_, 0, int(layers_.size()) - 1))].colour.darker(170)
          : QColor(38, 38, 38);
  arrows_->GetProperty()->SetColor(colour.redF(), colour.greenF(), colour.blueF());
  vtk_->renderer()->AddViewProp(arrows_);
  vtk_->scheduleRender();
}

}  // namespace efm::ui

#include "views/meta_simplex_view.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkDoubleArray.h>
#include <vtkLegendBoxActor.h>
#include <vtkLookupTable.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPropCollection.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <QHBoxLayout>
#include <QPushButton>
#include <QStringList>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "bridge/vtk_widget.h"
#include "views/vtk_scene.h"

namespace efm::ui {

namespace {
constexpr int kSurfaceDivisions = 24;
const QColor kTarget(215, 40, 40), kModel(30, 90, 200), kEnds(90, 150, 220),
    kSurface(120, 190, 160);

// "x1 = 2, x3 = 1" for the given nodes of conditional samples (nodes and classes from 1, as
// the views name them).
QString givenDescription(const std::vector<int64_t>& given) {
  QStringList items;
  for (size_t node = 0; node < given.size(); ++node)
    if (given[node] >= 0) items << QString("x%1 = %2").arg(node + 1).arg(given[node] + 1);
  return items.join(", ");
}

vtkSmartPointer<vtkActor> pointCloud(const std::vector<Point3>& points, const QColor& color,
                                     float size) {
  vtkNew<vtkPoints> p;
  vtkNew<vtkCellArray> verts;
  for (const Point3& x : points) {
    const vtkIdType id = p->InsertNextPoint(x.data());
    verts->InsertNextCell(1);
    verts->InsertCellPoint(id);
  }
  vtkNew<vtkPolyData> data;
  data->SetPoints(p);
  data->SetVerts(verts);
  auto actor = lineActor(data, color, 1);
  actor->GetProperty()->SetPointSize(size);
  actor->GetProperty()->RenderPointsAsSpheresOn();
  return actor;
}

// Quads of a table drawn row by row, top row first, in [x0, x0 + width] x [y0, y0 + height].
vtkSmartPointer<vtkActor> tableQuads(const std::vector<double>& values, int rows, int columns,
                                     double x0, double y0, double width, double height,
                                     vtkLookupTable* colors) {
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> quads;
  vtkNew<vtkDoubleArray> scalars;
  const double dx = width / columns, dy = height / rows;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < columns; ++c) {
      const double x = x0 + c * dx, y = y0 + height - (r + 1) * dy;
      const vtkIdType a = points->InsertNextPoint(x, y, 0);
      points->InsertNextPoint(x + dx, y, 0);
      points->InsertNextPoint(x + dx, y + dy, 0);
      points->InsertNextPoint(x, y + dy, 0);
      quads->InsertNextCell(4);
      for (int k = 0; k < 4; ++k) quads->InsertCellPoint(a + k);
      scalars->InsertNextValue(values[size_t(r) * size_t(columns) + size_t(c)]);
    }
  }
  vtkNew<vtkPolyData> data;
  data->SetPoints(points);
  data->SetPolys(quads);
  data->GetCellData()->SetScalars(scalars);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(data);
  mapper->SetLookupTable(colors);
  mapper->UseLookupTableScalarRangeOn();
  mapper->SetScalarModeToUseCellData();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->LightingOff();
  return actor;
}
}  // namespace

MetaSimplexView::MetaSimplexView(QWidget* parent)
    : QWidget(parent), props_(vtkSmartPointer<vtkPropCollection>::New()) {
  vtk_ = new VtkWidget(this);
  auto* reset = new QPushButton("Reset camera");
  auto* clear = new QPushButton("Clear trail");
  connect(reset, &QPushButton::clicked, vtk_, &VtkWidget::resetCamera);
  connect(clear, &QPushButton::clicked, this, &MetaSimplexView::clearTrail);
  auto* controls = new QHBoxLayout;
  controls->addStretch(1);
  controls->addWidget(clear);
  controls->addWidget(reset);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(vtk_, 1);
  layout->addLayout(controls);
  caption_ = overlayText("", 0.01, 0.99);
  vtk_->renderer()->AddViewProp(caption_);
  DataSummary none;
  none.variables = 2;
  none.classes = 2;
  setData(none);
}

MetaSimplexView::~MetaSimplexView() = default;

bool MetaSimplexView::showsTetrahedron() const {
  return data_.variables == 2 && data_.classes == 2;
}

void MetaSimplexView::setData(const DataSummary& data) {
  const bool shapeChanged = data.classes != data_.classes || data.variables != data_.variables;
  data_ = data;
  trail_.clear();
  if (shapeChanged) {
    samples_.reset();
    cameraSet_ = false;
  }
  rebuild();
}

void MetaSimplexView::setSamples(std::shared_ptr<const SampleSet> samples) {
  if (!samples) return;
  if (samples->classes != data_.classes || samples->variables != data_.variables) {
    DataSummary shape;
    shape.variables = samples->variables;
    shape.classes = samples->classes;
    setData(shape);
  }
  // A model that went back in training (a new run, a loaded checkpoint) starts a new trail.
  if (samples_ && samples->modelStep < samples_->modelStep) trail_.clear();
  samples_ = std::move(samples);
  // The trail follows the model's joint during training; a conditional is drawn on its own.
  if (showsTetrahedron() && samples_->modelJoint.size() == 4 && !samples_->conditional()) {
    const Eigen::Vector4d joint(samples_->modelJoint.data());
    const Point3 x = embedJoint2x2(joint);
    if (trail_.empty() || (trail_.back() - x).norm() > 1e-9) trail_.push_back(x);
  }
  rebuild();
}

const std::vector<double>& MetaSimplexView::targetJoint() const {
  return samples_ && !samples_->conditionalTarget.empty() ? samples_->conditionalTarget
                                                          : data_.joint;
}

void MetaSimplexView::clearTrail() {
  trail_.clear();
  rebuild();
}

std::vector<double> MetaSimplexView::pairJoint(const std::vector<double>& joint, int64_t variables,
                                               int64_t classes) {
  if (variables == 1) return joint;  // a single row
  std::vector<double> pair(size_t(classes * classes), 0.0);
  const int64_t rest = int64_t(joint.size()) / (classes * classes);
  for (int64_t a = 0; a < classes; ++a)
    for (int64_t b = 0; b < classes; ++b)
      for (int64_t r = 0; r < rest; ++r)
        pair[size_t(a * classes + b)] += joint[size_t((a * classes + b) * rest + r)];
  return pair;
}

void MetaSimplexView::rebuild() {
  vtkRenderer* renderer = vtk_->renderer();
  props_->InitTraversal();
  while (vtkProp* prop = props_->GetNextProp()) renderer->RemoveViewProp(prop);
  props_->RemoveAllItems();
  if (showsTetrahedron())
    buildTetrahedron();
  else
    buildHeatMaps();
  if (!cameraSet_) {
    vtkCamera* camera = renderer->GetActiveCamera();
    camera->SetPosition(0, 0, 10);
    camera->SetFocalPoint(0, 0, 0);
    camera->SetViewUp(0, 1, 0);
    if (showsTetrahedron()) {
      // Head-on, the tetrahedron looks like a square; turned, its depth shows.
      camera->Azimuth(35);
      camera->Elevation(25);
      camera->OrthogonalizeViewUp();
    }
    renderer->ResetCamera();
    cameraSet_ = true;
  }
  vtk_->scheduleRender();
}

void MetaSimplexView::buildTetrahedron() {
  vtkRenderer* renderer = vtk_->renderer();
  auto add = [&](vtkProp* prop) {
    renderer->AddViewProp(prop);
    props_->AddItem(prop);
  };
  renderer->GetActiveCamera()->ParallelProjectionOff();
  const std::vector<Point3> v = simplexVertices(4);
  add(simplexFrame(v, QColor(60, 60, 60), 2));
  const char* names[4] = {"(1,1)", "(1,2)", "(2,1)", "(2,2)"};
  for (int i = 0; i < 4; ++i) add(label(v[i] * 1.2, QString("x = %1").arg(names[i]), 13));

  // The independence surface, with its rulings (lines of constant u or v).
  surface_.clear();
  for (const Eigen::Vector4d& joint : segreSurface(kSurfaceDivisions))
    surface_.push_back(embedJoint2x2(joint));
  vtkNew<vtkPoints> points;
  for (const Point3& x : surface_) points->InsertNextPoint(x.data());
  vtkNew<vtkCellArray> quads, rulings;
  const int d = kSurfaceDivisions + 1;
  for (int i = 0; i + 1 < d; ++i)
    for (int j = 0; j + 1 < d; ++j) {
      quads->InsertNextCell(4);
      quads->InsertCellPoint(i * d + j);
      quads->InsertCellPoint((i + 1) * d + j);
      quads->InsertCellPoint((i + 1) * d + j + 1);
      quads->InsertCellPoint(i * d + j + 1);
    }
  for (int i = 0; i < d; i += 4) {
    rulings->InsertNextCell(d);
    for (int j = 0; j < d; ++j) rulings->InsertCellPoint(i * d + j);
    rulings->InsertNextCell(d);
    for (int j = 0; j < d; ++j) rulings->InsertCellPoint(j * d + i);
  }
  vtkNew<vtkPolyData> sheet;
  sheet->SetPoints(points);
  sheet->SetPolys(quads);
  auto sheetActor =
      lineActor(sheet, QColor(kSurface.red(), kSurface.green(), kSurface.blue(), 90), 1);
  sheetActor->GetProperty()->LightingOn();
  sheetActor->GetProperty()->BackfaceCullingOff();
  add(sheetActor);
  vtkNew<vtkPolyData> lines;
  lines->SetPoints(points);
  lines->SetLines(rulings);
  add(lineActor(lines, QColor(70, 130, 110, 160), 1));

  QString caption = "Independence surface: joints p(a, b) = u(a) v(b)";
  // Samples with given nodes are compared with the exact conditional p(x | given), a joint
  // on the edge (or vertex) of the cells that agree with the given labels.
  const bool conditional = samples_ && samples_->conditionalTarget.size() == 4;
  const std::vector<double>& target = targetJoint();
  if (target.size() == 4) add(sphere(embedJoint2x2(Eigen::Vector4d(target.data())), 0.03, kTarget));
  if (samples_) {
    std::vector<Point3> ends;
    const size_t shown = std::min<size_t>(size_t(samples_->count), 3000);
    for (size_t s = 0; s < shown; ++s) {
      const float* w = samples_->endPoints.data() + s * 4;
      ends.push_back(
          embedJoint2x2(segreJoint(Eigen::Vector2d(w[0], w[1]), Eigen::Vector2d(w[2], w[3]))));
    }
    add(pointCloud(ends, kEnds, 3));
    if (samples_->conditional() && samples_->modelJoint.size() == 4) {
      add(sphere(embedJoint2x2(Eigen::Vector4d(samples_->modelJoint.data())), 0.025, kModel));
    } else if (!trail_.empty()) {
      if (trail_.size() > 1) add(lineActor(polyline(trail_), kModel, 2));
      add(sphere(trail_.back(), 0.025, kModel));
    }
    caption += QString("\nmodel at step %1").arg(samples_->modelStep);
    if (!samples_->given.empty())
      caption += QString(", given %1").arg(givenDescription(samples_->given));
    if (samples_->klTargetModel)
      caption += QString(": KL(target || model) %1, TV %2")
                     .arg(*samples_->klTargetModel, 0, 'g', 3)
                     .arg(samples_->totalVariation.value_or(0), 0, 'g', 3);
  }
  caption_->SetInput(caption.toUtf8().constData());
  add(legend(
      {{conditional ? "exact conditional p(x | given)" : "target joint", kTarget},
       {conditional ? "model's conditional (mean of T(W_end))" : "model joint (mean of T(W_end))",
        kModel},
       {"T(W_end) of sampled flows", kEnds},
       {"independence surface", kSurface}},
      0.62, 0.02, 0.37, 0.2));
}

void MetaSimplexView::buildHeatMaps() {
  vtkRenderer* renderer = vtk_->renderer();
  auto add = [&](vtkProp* prop) {
    renderer->AddViewProp(prop);
    props_->AddItem(prop);
  };
  renderer->GetActiveCamera()->ParallelProjectionOn();
  const int64_t c = data_.classes;
  const int rows = data_.variables == 1 ? 1 : int(c), columns = int(c);
  std::vector<double> target, model;
  // Samples with given nodes are compared with the exact conditional p(x | given).
  const bool conditional = samples_ && !samples_->conditionalTarget.empty();
  if (!targetJoint().empty()) target = pairJoint(targetJoint(), data_.variables, c);
  if (samples_ && !samples_->modelJoint.empty())
    model = pairJoint(samples_->modelJoint, data_.variables, c);
  double top = 0;
  for (double x : target) top = std::max(top, x);
  for (double x : model) top = std::max(top, x);
  vtkSmartPointer<vtkLookupTable> colors = viridis(0, top > 0 ? top : 1);
  const double size = 1.0, gap = 0.25;
  auto drawTable = [&](const std::vector<double>& values, double x0, const QString& title,
                       const std::vector<double>& rowMarginal,
                       const std::vector<double>& colMarginal) {
    const double height = rows == 1 ? size / c : size;
    add(lineActor(polyline({Point3(x0, 0, 0), Point3(x0 + size, 0, 0), Point3(x0 + size, height, 0),
                            Point3(x0, height, 0), Point3(x0, 0, 0)}),
                  QColor(60, 60, 60), 1));
    add(label(Point3(x0 + size / 2, height + 0.08, 0), title, 14));
    if (values.empty()) {
      add(label(Point3(x0 + size / 2, height / 2, 0), "not known", 12));
      return;
    }
    add(tableQuads(values, rows, columns, x0, 0, size, height, colors));
    // Marginal of node 1 as bars left of the rows, of node 2 as bars under the columns.
    double most = 0;
    for (double m : rowMarginal) most = std::max(most, m);
    for (double m : colMarginal) most = std::max(most, m);
    if (most <= 0) return;
    std::vector<Point3> bars;
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> quads;
    auto bar = [&](double xa, double ya, double xb, double yb) {
      const vtkIdType a = points->InsertNextPoint(xa, ya, 0);
      points->InsertNextPoint(xb, ya, 0);
      points->InsertNextPoint(xb, yb, 0);
      points->InsertNextPoint(xa, yb, 0);
      quads->InsertNextCell(4);
      for (int k = 0; k < 4; ++k) quads->InsertCellPoint(a + k);
    };
    const double reach = 0.18;
    for (int r = 0; r < int(rowMarginal.size()) && rows > 1; ++r) {
      const double y = height - (r + 1) * height / rows;
      bar(x0 - 0.02 - reach * rowMarginal[size_t(r)] / most, y, x0 - 0.02, y + height / rows);
    }
    for (int k = 0; k < int(colMarginal.size()); ++k) {
      const double x = x0 + k * size / columns;
      bar(x, -0.02 - reach * colMarginal[size_t(k)] / most, x + size / columns, -0.02);
    }
    vtkNew<vtkPolyData> data;
    data->SetPoints(points);
    data->SetPolys(quads);
    auto actor = lineActor(data, QColor(110, 110, 110), 1);
    add(actor);
  };
  auto marginalsOf = [&](const std::vector<double>& pair, bool ofRows) {
    std::vector<double> m(size_t(c), 0.0);
    if (pair.empty()) return m;
    if (rows == 1) return ofRows ? std::vector<double>{} : pair;
    for (int a = 0; a < c; ++a)
      for (int b = 0; b < c; ++b) m[size_t(ofRows ? a : b)] += pair[size_t(a * c + b)];
    return m;
  };
  const QString what =
      rows == 1 ? "p(x1)" : (data_.variables == 2 ? "joint p(x1, x2)" : "p(x1, x2)");
  drawTable(target, 0, (conditional ? "exact conditional " : "target ") + what,
            marginalsOf(target, true), marginalsOf(target, false));
  drawTable(model, size + gap, "model " + what, marginalsOf(model, true),
            marginalsOf(model, false));
  add(colorBar(colors, "probability"));
  QString caption = QString("%1: %2 x %3 table")
                        .arg(QString::fromStdString(data_.description))
                        .arg(rows)
                        .arg(columns);
  if (data_.variables > 2) caption += " (nodes 1 and 2; the others summed out)";
  caption += "\nbars: marginals of node 1 (left) and node 2 (below)";
  if (samples_ && !samples_->given.empty())
    caption += QString("\ngiven %1: the model's conditional against the exact one")
                   .arg(givenDescription(samples_->given));
  if (samples_ && samples_->klTargetModel)
    caption += QString("\nmodel at step %1: KL(%2 || model) %3")
                   .arg(samples_->modelStep)
                   .arg(conditional ? "exact conditional" : "target")
                   .arg(*samples_->klTargetModel, 0, 'g', 3);
  caption_->SetInput(caption.toUtf8().constData());
}

}  // namespace efm::ui

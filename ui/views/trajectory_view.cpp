#include "views/trajectory_view.h"

#include <vtkActor.h>
#include <vtkArrowSource.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkGlyph3D.h>
#include <vtkIdTypeArray.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPropCollection.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "bridge/vtk_widget.h"
#include "views/vtk_scene.h"

namespace efm::ui {

namespace {
constexpr int kSliderSteps = 1000;
constexpr double kTimeAxisHeight = 1.0;  // c = 2: height of the time axis

// Sequential cell array of `lines` polylines of `length` points each.
vtkSmartPointer<vtkCellArray> sequentialLines(vtkIdType lines, vtkIdType length) {
  vtkNew<vtkIdTypeArray> offsets, connectivity;
  offsets->SetNumberOfValues(lines + 1);
  for (vtkIdType i = 0; i <= lines; ++i) offsets->SetValue(i, i * length);
  connectivity->SetNumberOfValues(lines * length);
  for (vtkIdType i = 0; i < lines * length; ++i) connectivity->SetValue(i, i);
  auto cells = vtkSmartPointer<vtkCellArray>::New();
  cells->SetData(offsets, connectivity);
  return cells;
}
}  // namespace

// Points and time stamps of `points` flow vertices, and the polydata of `lines` polylines
// of `perLine` consecutive points over them (coloured by the stamps).
struct FlowArrays {
  vtkSmartPointer<vtkFloatArray> coordinates = vtkSmartPointer<vtkFloatArray>::New();
  vtkSmartPointer<vtkFloatArray> stamps = vtkSmartPointer<vtkFloatArray>::New();
  explicit FlowArrays(int64_t points) {
    coordinates->SetNumberOfComponents(3);
    coordinates->SetNumberOfTuples(points);
    stamps->SetName("t");
    stamps->SetNumberOfValues(points);
  }
  vtkSmartPointer<vtkPolyData> polyLines(int64_t lines, int64_t perLine) const {
    vtkNew<vtkPoints> points;
    points->SetData(coordinates);
    auto data = vtkSmartPointer<vtkPolyData>::New();
    data->SetPoints(points);
    data->SetLines(sequentialLines(lines, perLine));
    data->GetPointData()->SetScalars(stamps);
    return data;
  }
};

// The interactive copy: every 4th time (and the last), then every k-th line, so that at
// most kInteractiveVertices points remain.
static vtkSmartPointer<vtkPolyData> decimate(vtkPolyData* full, int64_t lines, int64_t times) {
  if (lines * times <= TrajectoryView::kInteractiveVertices) return full;
  std::vector<int64_t> kept;
  for (int64_t t = 0; t < times; t += 4) kept.push_back(t);
  if (kept.back() != times - 1) kept.push_back(times - 1);
  const int64_t perLine = int64_t(kept.size());
  const int64_t lineStride =
      std::max<int64_t>(1, (lines * perLine + TrajectoryView::kInteractiveVertices - 1) /
                               TrajectoryView::kInteractiveVertices);
  const int64_t keptLines = (lines + lineStride - 1) / lineStride;
  vtkFloatArray* source = vtkFloatArray::SafeDownCast(full->GetPoints()->GetData());
  vtkFloatArray* sourceTimes = vtkFloatArray::SafeDownCast(full->GetPointData()->GetScalars());
  FlowArrays decimated(keptLines * perLine);
  vtkIdType out = 0;
  for (int64_t line = 0; line < lines; line += lineStride)
    for (int64_t t : kept) {
      const vtkIdType in = vtkIdType(line * times + t);
      decimated.coordinates->SetTypedTuple(out, source->GetPointer(3 * in));
      decimated.stamps->SetValue(out++, sourceTimes->GetValue(in));
    }
  return decimated.polyLines(keptLines, perLine);
}

TrajectoryView::TrajectoryView(QWidget* parent)
    : QWidget(parent), frameProps_(vtkSmartPointer<vtkPropCollection>::New()) {
  vtk_ = new VtkWidget(this);
  timeSlider_ = new QSlider(Qt::Horizontal);
  timeSlider_->setRange(0, kSliderSteps);
  timeSlider_->setValue(kSliderSteps);
  timeSlider_->setToolTip("Time t of the particle cloud and of the vector field arrows");
  timeLabel_ = new QLabel;
  timeLabel_->setMinimumWidth(90);
  node_ = new QComboBox;
  node_->setToolTip("Flows of one node, or of all nodes overlaid");
  nodeSpin_ = new QSpinBox;
  nodeSpin_->setPrefix("node ");
  nodeSpin_->setToolTip(
      "The node whose flows are drawn (a pixel of a label map: row * width + "
      "column + 1); clicking a pixel in the Label maps view picks it");
  nodeSpin_->setVisible(false);
  classBox_ = new QWidget;
  auto* classLayout = new QHBoxLayout(classBox_);
  classLayout->setContentsMargins(0, 0, 0, 0);
  classLayout->addWidget(new QLabel("Classes"));
  for (int i = 0; i < 3; ++i) {
    classSpins_[i] = new QSpinBox;
    classSpins_[i]->setToolTip("The three classes whose face is shown (c > 4)");
    classLayout->addWidget(classSpins_[i]);
    connect(classSpins_[i], qOverload<int>(&QSpinBox::valueChanged), this, [this] {
      std::vector<int> shown;
      for (QSpinBox* s : classSpins_) shown.push_back(s->value() - 1);
      std::vector<int> sorted = shown;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) setShownClasses(shown);
    });
  }
  classBox_->setVisible(false);
  showField_ = new QCheckBox("Vector field");
  showField_->setChecked(true);
  maxLines_ = new QSpinBox;
  maxLines_->setRange(1, 1000000);
  maxLines_->setValue(2000);
  maxLines_->setPrefix("≤ ");
  maxLines_->setSuffix(" flows");
  maxLines_->setToolTip("Most flows drawn (the sampler keeps as many as the Sampling panel says)");
  auto* reset = new QPushButton("Reset camera");
  play_ = new QPushButton("Play");
  play_->setCheckable(true);
  play_->setToolTip("Animate the particle cloud from t = 0 to t_end (4 seconds)");
  animation_ = new QTimer(this);
  animation_->setInterval(33);
  connect(animation_, &QTimer::timeout, this, [this] {
    const int next = timeSlider_->value() + kSliderSteps / 120;  // 120 frames per pass
    timeSlider_->setValue(next > kSliderSteps ? 0 : next);
  });
  connect(play_, &QPushButton::toggled, this, [this](bool on) {
    if (on) {
      if (timeSlider_->value() >= kSliderSteps) timeSlider_->setValue(0);
      animation_->start();
    } else {
      animation_->stop();
    }
    play_->setText(on ? "Pause" : "Play");
  });

  auto* controls = new QHBoxLayout;
  controls->addWidget(play_);
  controls->addWidget(new QLabel("t"));
  controls->addWidget(timeSlider_, 1);
  controls->addWidget(timeLabel_);
  controls->addWidget(node_);
  controls->addWidget(nodeSpin_);
  controls->addWidget(classBox_);
  controls->addWidget(maxLines_);
  controls->addWidget(showField_);
  controls->addWidget(reset);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(vtk_, 1);
  layout->addLayout(controls);

  auto* fieldTimer = new QTimer(this);  // coalesces slider moves into one field request
  fieldTimer->setSingleShot(true);
  fieldTimer->setInterval(120);
  connect(fieldTimer, &QTimer::timeout, this, &TrajectoryView::requestField);
  connect(timeSlider_, &QSlider::valueChanged, this, [this, fieldTimer] {
    timeLabel_->setText(QString("t = %1").arg(time(), 0, 'f', 2));
    updateParticles();
    if (showField_->isChecked()) fieldTimer->start();
  });
  connect(node_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
    rebuildFrame();  // the target masses at the vertices are those of the shown node(s)
    rebuildTrajectories();
  });
  connect(nodeSpin_, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
    rebuildFrame();
    rebuildTrajectories();
  });
  connect(maxLines_, qOverload<int>(&QSpinBox::valueChanged), this,
          [this] { rebuildTrajectories(); });
  connect(showField_, &QCheckBox::toggled, this, [this](bool on) {
    if (on) requestField();
    updateArrows();
  });
  connect(reset, &QPushButton::clicked, vtk_, &VtkWidget::resetCamera);
  connect(vtk_, &VtkWidget::interactionStarted, this, [this] { setInteracting(true); });
  connect(vtk_, &VtkWidget::interactionEnded, this, [this] { setInteracting(false); });

  timeColors_ = viridis(0, timeEnd_);
  bar_ = colorBar(timeColors_, "t");
  caption_ = overlayText("", 0.01, 0.99);
  vtk_->renderer()->AddViewProp(bar_);
  vtk_->renderer()->AddViewProp(caption_);
  DataSummary none;
  none.classes = 3;
  none.variables = 1;
  setData(none);
  timeLabel_->setText(QString("t = %1").arg(time(), 0, 'f', 2));
}

TrajectoryView::~TrajectoryView() = default;

double TrajectoryView::time() const {
  return timeEnd_ * timeSlider_->value() / double(kSliderSteps);
}
double TrajectoryView::timeEnd() const { return timeEnd_; }

void TrajectoryView::setTime(double t) {
  timeSlider_->setValue(int(std::lround(std::clamp(t / timeEnd_, 0.0, 1.0) * kSliderSteps)));
}

void TrajectoryView::setNode(int node) {
  if (data_.variables > kMaxListedNodes) {
    if (node >= 0) nodeSpin_->setValue(node + 1);
    return;
  }
  node_->setCurrentIndex(node + 1);
}

int TrajectoryView::node() const {
  return data_.variables > kMaxListedNodes ? nodeSpin_->value() - 1 : node_->currentIndex() - 1;
}
void TrajectoryView::setMaxFlows(int flows) { maxLines_->setValue(flows); }

void TrajectoryView::setData(const DataSummary& data) {
  const bool shapeChanged = data.classes != data_.classes || data.variables != data_.variables;
  data_ = data;
  if (shapeChanged) {
    samples_.reset();
    field_.reset();
    selection_ = ClassSelection::defaultFor(int(data.classes));
    const QSignalBlocker block(node_), blockSpin(nodeSpin_);
    node_->clear();
    const bool listed = data.variables <= kMaxListedNodes;
    if (listed) {
      node_->addItem("all nodes");
      for (int i = 0; i < data.variables; ++i) node_->addItem(QString("node %1").arg(i + 1));
    }
    nodeSpin_->setRange(1, int(std::max<int64_t>(1, data.variables)));
    nodeSpin_->setValue(1);
    node_->setVisible(listed);
    nodeSpin_->setVisible(!listed);
    // The field of a big network on a grid of whole label maps costs seconds per time step.
    showField_->setChecked(listed);
    classBox_->setVisible(data.classes > 4);
    for (int i = 0; i < 3; ++i) {
      const QSignalBlocker b(classSpins_[i]);
      classSpins_[i]->setRange(1, int(std::max<int64_t>(data.classes, 1)));
      classSpins_[i]->setValue(i + 1);
    }
  }
  rebuildFrame();
  rebuildTrajectories();
  if (shapeChanged) vtk_->resetCamera();
}

void TrajectoryView::setShownClasses(const std::vector<int>& classes) {
  selection_ = ClassSelection(int(data_.classes), classes);
  if (selection_.dimension() == 3) {
    for (int i = 0; i < 3; ++i) {
      const QSignalBlocker block(classSpins_[i]);
      classSpins_[i]->setValue(classes[size_t(i)] + 1);
    }
  }
  rebuildFrame();
  rebuildTrajectories();
  requestField();
  vtk_->resetCamera();
}

Point3 TrajectoryView::place(const float* p, double t) const {
  Point3 x = selection_.embed(p, vertices_);
  if (timeAxis_) x.y() = kTimeAxisHeight * t / timeEnd_;
  return x;
}

std::vector<int> TrajectoryView::nodesShown() const {
  std::vector<int> nodes;
  const int chosen = node();
  if (chosen >= 0) return {chosen};
  for (int i = 0; i < data_.variables; ++i)
    if (chosen < 0 || chosen == i) nodes.push_back(i);
  return nodes;
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
    add(label(a + up + Point3(-0.12, 0, 0), QString("t = %1").arg(timeEnd_, 0, 'g', 3), 12));
    add(label(a + Point3(-0.12, 0, 0), "t = 0", 12));
  } else {
    add(simplexFrame(vertices_, QColor(60, 60, 60), 2));
  }

  // Target class masses of the shown node(s) at the vertices.
  std::vector<double> mass(selection_.classes(), 0.0);
  const std::vector<int> nodes = nodesShown();
  if (!data_.marginals.empty() && !nodes.empty()) {
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
    if (!data_.marginals.empty()) {
      text += QString("\ntarget %1").arg(mass[cls], 0, 'f', 3);
      add(sphere(v, 0.012 + 0.05 * std::sqrt(mass[cls]), QColor(200, 40, 40, 200)));
    }
    add(label(v + 0.13 * outward, text, 13));
  }
  vtk_->update();
}

void TrajectoryView::rebuildTrajectories() {
  vtkRenderer* renderer = vtk_->renderer();
  if (lines_) renderer->RemoveViewProp(lines_);
  if (particles_) renderer->RemoveViewProp(particles_);
  lines_ = particles_ = nullptr;
  fullLines_ = interactiveLines_ = nullptr;
  particleData_ = nullptr;
  QString caption;
  if (!samples_ || samples_->times.empty()) {
    caption = "No samples yet: train, or open a checkpoint and press Sample.";
  } else {
    const SampleSet& s = *samples_;
    timeEnd_ = s.times.back();
    timeColors_->SetRange(0, timeEnd_);
    const int64_t times = int64_t(s.times.size());
    const int64_t kept = int64_t(s.trajectories.size()) / (times * s.variables * s.classes);
    const std::vector<int> nodes = nodesShown();
    const int64_t flows = std::min<int64_t>(kept, maxLines_->value());
    const int64_t lines = flows * int64_t(nodes.size());

    FlowArrays arrays(lines * times);
    float* xyz = arrays.coordinates->GetPointer(0);
    float* st = arrays.stamps->GetPointer(0);
    const int64_t stride = s.variables * s.classes;
    for (int64_t f = 0; f < flows; ++f) {
      for (int node : nodes) {
        for (int64_t ti = 0; ti < times; ++ti) {
          const float* p = s.trajectories.data() + (ti * kept + f) * stride + node * s.classes;
          const Point3 x = place(p, s.times[size_t(ti)]);
          *xyz++ = float(x.x());
          *xyz++ = float(x.y());
          *xyz++ = float(x.z());
          *st++ = float(s.times[size_t(ti)]);
        }
      }
    }
    fullLines_ = arrays.polyLines(lines, times);
    interactiveLines_ = decimate(fullLines_, lines, times);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(interacting_ ? interactiveLines_ : fullLines_);
    mapper->SetLookupTable(timeColors_);
    mapper->SetScalarRange(0, timeEnd_);
    mapper->SetScalarModeToUsePointData();
    mapper->ScalarVisibilityOn();
    lines_ = vtkSmartPointer<vtkActor>::New();
    lines_->SetMapper(mapper);
    lines_->GetProperty()->SetLineWidth(1.0f);
    lines_->GetProperty()->SetOpacity(1.0);
    lines_->GetProperty()->LightingOff();
    renderer->AddViewProp(lines_);

    particleData_ = vtkSmartPointer<vtkPolyData>::New();
    vtkNew<vtkPolyDataMapper> particleMapper;
    particleMapper->SetInputData(particleData_);
    particleMapper->ScalarVisibilityOff();
    particles_ = vtkSmartPointer<vtkActor>::New();
    particles_->SetMapper(particleMapper);
    particles_->GetProperty()->SetColor(0.85, 0.1, 0.1);
    particles_->GetProperty()->SetPointSize(5);
    particles_->GetProperty()->SetPointSize(4);
    renderer->AddViewProp(particles_);
    caption = QString("%1 flows%2 of the model at step %3")
                  .arg(flows)
                  .arg(nodes.size() != 1       ? QString(" x %1 nodes").arg(nodes.size())
                       : data_.image.isImage() ? QString(" of pixel (row %1, col %2)")
                                                     .arg(nodes.front() / data_.image.width)
                                                     .arg(nodes.front() % data_.image.width)
                                               : QString(" of node %1").arg(nodes.front() + 1))
                  .arg(s.modelStep);
    auto name = [this](int cls) {
      return cls < int(data_.image.classNames.size())
                 ? QString::fromStdString(data_.image.classNames[size_t(cls)])
                 : QString::number(cls + 1);
    };
    if (s.classes > 4)
      caption += QString("\nface of classes %1, %2, %3 (renormalised)")
                     .arg(name(selection_.shown()[0]))
                     .arg(name(selection_.shown()[1]))
                     .arg(name(selection_.shown()[2]));
  }
  caption_->SetInput(caption.toUtf8().constData());
  bar_->SetLookupTable(timeColors_);
  updateParticles();
  updateArrows();
  vtk_->update();
}

void TrajectoryView::updateParticles() {
  if (!particleData_ || !samples_) return;
  const SampleSet& s = *samples_;
  const double t = time();
  // Linear interpolation between the two recorded times around t.
  const auto upper = std::lower_bound(s.times.begin(), s.times.end(), t);
  const size_t i1 = std::min(size_t(upper - s.times.begin()), s.times.size() - 1);
  const size_t i0 = i1 > 0 ? i1 - 1 : 0;
  const double span = s.times[i1] - s.times[i0];
  const double a = span > 0 ? std::clamp((t - s.times[i0]) / span, 0.0, 1.0) : 1.0;
  const int64_t times = int64_t(s.times.size());
  const int64_t kept = int64_t(s.trajectories.size()) / (times * s.variables * s.classes);
  const std::vector<int> nodes = nodesShown();
  const int64_t flows = std::min<int64_t>(kept, maxLines_->value());
  const int64_t stride = s.variables * s.classes;
  vtkNew<vtkPoints> points;
  points->SetDataTypeToFloat();
  points->SetNumberOfPoints(flows * int64_t(nodes.size()));
  std::vector<float> w(size_t(s.classes));
  vtkIdType id = 0;
  for (int64_t f = 0; f < flows; ++f) {
    for (int node : nodes) {
      const float* p0 =
          s.trajectories.data() + (int64_t(i0) * kept + f) * stride + node * s.classes;
      const float* p1 =
          s.trajectories.data() + (int64_t(i1) * kept + f) * stride + node * s.classes;
      for (int64_t c = 0; c < s.classes; ++c) w[size_t(c)] = float((1 - a) * p0[c] + a * p1[c]);
      points->SetPoint(id++, place(w.data(), t).data());
    }
  }
  vtkNew<vtkCellArray> verts;
  for (vtkIdType i = 0; i < id; ++i) {
    verts->InsertNextCell(1);
    verts->InsertCellPoint(i);
  }
  particleData_->SetPoints(points);
  particleData_->SetVerts(verts);
  particleData_->Modified();
  vtk_->update();
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
  if (showField_->isChecked() && samples_) Q_EMIT fieldRequested(time(), fieldGrid());
}

void TrajectoryView::setField(std::shared_ptr<const FieldSlice> field) {
  field_ = std::move(field);
  updateArrows();
}

void TrajectoryView::updateArrows() {
  if (arrows_) vtk_->renderer()->RemoveViewProp(arrows_);
  arrows_ = nullptr;
  if (!field_ || !showField_->isChecked() || field_->classes != selection_.classes()) {
    vtk_->update();
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
  arrows_->GetProperty()->SetColor(0.15, 0.15, 0.15);
  vtk_->renderer()->AddViewProp(arrows_);
  vtk_->update();
}

void TrajectoryView::setSamples(std::shared_ptr<const SampleSet> samples) {
  if (samples && (samples->classes != data_.classes || samples->variables != data_.variables)) {
    DataSummary shape;
    shape.classes = samples->classes;
    shape.variables = samples->variables;
    setData(shape);
  }
  const bool first = !samples_;
  samples_ = std::move(samples);
  rebuildFrame();  // the time axis label follows t_end
  rebuildTrajectories();
  requestField();
  if (first) vtk_->resetCamera();
}

int TrajectoryView::trajectoryLines() const {
  return lines_
             ? int(vtkPolyData::SafeDownCast(lines_->GetMapper()->GetInput())->GetNumberOfLines())
             : 0;
}

int TrajectoryView::trajectoryPoints() const {
  return lines_
             ? int(vtkPolyData::SafeDownCast(lines_->GetMapper()->GetInput())->GetNumberOfPoints())
             : 0;
}

void TrajectoryView::setInteracting(bool interacting) {
  if (interacting == interacting_) return;
  interacting_ = interacting;
  if (lines_) {
    vtkPolyDataMapper::SafeDownCast(lines_->GetMapper())
        ->SetInputData(interacting ? interactiveLines_ : fullLines_);
  }
  if (particles_) particles_->SetVisibility(!interacting);  // the cloud returns with full detail
  vtk_->update();
}

int TrajectoryView::particleCount() const {
  return particleData_ ? int(particleData_->GetNumberOfPoints()) : 0;
}

}  // namespace efm::ui

#include "views/trajectory_view.h"

#include <vtkActor.h>
#include <vtkArrowSource.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkGlyph3D.h>
#include <vtkIdTypeArray.h>
#include <vtkLegendBoxActor.h>
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
#include <QStringList>
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
    timeLabel_->setText(timeText());
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
  timeLabel_->setText(timeText());
}

TrajectoryView::~TrajectoryView() = default;

double TrajectoryView::Layer::timeAt(double fraction) const {
  return samples->times.front() + fraction * (samples->times.back() - samples->times.front());
}

double TrajectoryView::fraction() const { return timeSlider_->value() / double(kSliderSteps); }

double TrajectoryView::time() const { return timeStart_ + fraction() * (timeEnd_ - timeStart_); }
double TrajectoryView::timeEnd() const { return timeEnd_; }

void TrajectoryView::setTime(double t) {
  const double f = (t - timeStart_) / std::max(1e-12, timeEnd_ - timeStart_);
  timeSlider_->setValue(int(std::lround(std::clamp(f, 0.0, 1.0) * kSliderSteps)));
}

QString TrajectoryView::timeText() const {
  if (comparing_) return QString("%1 % of each flow").arg(100 * fraction(), 0, 'f', 0);
  // The Dirichlet path's time is its concentration alpha.
  const bool alpha = samples_ && samples_->path == "dirichlet";
  return QString("%1 = %2").arg(alpha ? "alpha" : "t").arg(time(), 0, 'f', 2);
}

int TrajectoryView::focusedRun() const {
  if (!comparing_ || layers_.empty()) return samples_ ? samples_->run : -1;
  return layers_[size_t(std::clamp(focus_, 0, int(layers_.size()) - 1))].samples->run;
}

void TrajectoryView::setComparison(const std::vector<FlowLayer>& layers, int focus) {
  for (const FlowLayer& layer : layers) {
    const SampleSet& s = *layer.samples;
    if (s.classes != data_.classes || s.variables != data_.variables) {
      DataSummary shape;
      shape.classes = s.classes;
      shape.variables = s.variables;
      setData(shape);
      break;
    }
  }
  const bool first = !comparing_;
  comparing_ = true;
  comparison_ = layers;
  focus_ = focus;
  rebuildFrame();
  rebuildTrajectories();
  requestField();
  if (first) vtk_->resetCamera();
}

void TrajectoryView::clearComparison() {
  if (!comparing_) return;
  comparing_ = false;
  comparison_.clear();
  field_.reset();
  if (samples_ && !samples_->times.empty()) {  // the single run's time axis again
    timeStart_ = samples_->times.front();
    timeEnd_ = samples_->times.back();
  }
  rebuildFrame();
  rebuildTrajectories();
  requestField();
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
    comparison_.clear();
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
  if (timeAxis_)
    x.y() = kTimeAxisHeight * (t - timeStart_) / std::max(1e-12, timeEnd_ - timeStart_);
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
  for (Layer& layer : layers_) {
    if (layer.lines) renderer->RemoveViewProp(layer.lines);
    if (layer.particles) renderer->RemoveViewProp(layer.particles);
  }
  layers_.clear();
  if (legend_) renderer->RemoveViewProp(legend_);
  legend_ = nullptr;
  auto show = [this](std::shared_ptr<const SampleSet> samples, const QColor& colour,
                     const QString& name) {
    if (!samples || samples->times.empty()) return;
    Layer layer;
    layer.samples = std::move(samples);
    layer.colour = colour;
    layer.name = name;
    layers_.push_back(std::move(layer));
  };
  if (comparing_) {
    for (const FlowLayer& flows : comparison_) show(flows.samples, flows.colour, flows.name);
  } else {
    show(samples_, QColor(), QString());
  }
  QString caption;
  if (layers_.empty()) {
    caption = comparing_ ? "No flows of the compared runs yet."
                         : "No samples yet: train, or open a checkpoint and press Sample.";
  } else {
    const Layer& focus = layers_[size_t(std::clamp(focus_, 0, int(layers_.size()) - 1))];
    timeStart_ = focus.samples->times.front();
    timeEnd_ = focus.samples->times.back();
    timeColors_->SetRange(timeStart_, timeEnd_);
    const std::vector<int> nodes = nodesShown();
    for (Layer& layer : layers_) buildLayer(layer, nodes);
    const QString where = nodes.size() != 1       ? QString(" x %1 nodes").arg(nodes.size())
                          : data_.image.isImage() ? QString(" of pixel (row %1, col %2)")
                                                        .arg(nodes.front() / data_.image.width)
                                                        .arg(nodes.front() % data_.image.width)
                                                  : QString(" of node %1").arg(nodes.front() + 1);
    if (comparing_) {
      QStringList lines;
      for (const Layer& layer : layers_)
        lines << QString("%1: %2 flows%3 at step %4")
                     .arg(layer.name)
                     .arg(layer.flows)
                     .arg(where)
                     .arg(layer.samples->modelStep);
      caption = lines.join('\n');
    } else {
      caption = QString("%1 flows%2 of the model at step %3")
                    .arg(layers_.front().flows)
                    .arg(where)
                    .arg(layers_.front().samples->modelStep);
    }
    auto name = [this](int cls) {
      return cls < int(data_.image.classNames.size())
                 ? QString::fromStdString(data_.image.classNames[size_t(cls)])
                 : QString::number(cls + 1);
    };
    if (data_.classes > 4)
      caption += QString("\nface of classes %1, %2, %3 (renormalised)")
                     .arg(name(selection_.shown()[0]))
                     .arg(name(selection_.shown()[1]))
                     .arg(name(selection_.shown()[2]));
  }
  if (comparing_ && !layers_.empty()) {
    std::vector<std::pair<QString, QColor>> entries;
    for (const Layer& layer : layers_) entries.emplace_back(layer.name, layer.colour);
    legend_ = legend(entries, 0.82, 0.98 - 0.05 * double(entries.size()), 0.17,
                     0.05 * double(entries.size()));
    renderer->AddViewProp(legend_);
  }
  bar_->SetVisibility(!comparing_);
  caption_->SetInput(caption.toUtf8().constData());
  bar_->SetLookupTable(timeColors_);
  timeLabel_->setText(timeText());
  updateParticles();
  updateArrows();
  vtk_->update();
}

void TrajectoryView::buildLayer(Layer& layer, const std::vector<int>& nodes) {
  const SampleSet& s = *layer.samples;
  const int64_t times = int64_t(s.times.size());
  const int64_t kept = int64_t(s.trajectories.size()) / (times * s.variables * s.classes);
  const int64_t flows = std::min<int64_t>(kept, maxLines_->value());
  const int64_t lines = flows * int64_t(nodes.size());
  layer.flows = flows;
  const double t0 = s.times.front(), span = std::max(1e-12, s.times.back() - t0);

  FlowArrays arrays(lines * times);
  float* xyz = arrays.coordinates->GetPointer(0);
  float* st = arrays.stamps->GetPointer(0);
  const int64_t stride = s.variables * s.classes;
  for (int64_t f = 0; f < flows; ++f) {
    for (int node : nodes) {
      for (int64_t ti = 0; ti < times; ++ti) {
        const float* p = s.trajectories.data() + (ti * kept + f) * stride + node * s.classes;
        // Each run's own time range maps onto the axis (the focused run's times otherwise).
        const double fraction = (s.times[size_t(ti)] - t0) / span;
        const Point3 x = place(p, timeStart_ + fraction * (timeEnd_ - timeStart_));
        *xyz++ = float(x.x());
        *xyz++ = float(x.y());
        *xyz++ = float(x.z());
        *st++ = float(s.times[size_t(ti)]);
      }
    }
  }
  layer.fullLines = arrays.polyLines(lines, times);
  layer.interactiveLines = decimate(layer.fullLines, lines, times);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(interacting_ ? layer.interactiveLines : layer.fullLines);
  layer.lines = vtkSmartPointer<vtkActor>::New();
  if (layer.colour.isValid()) {
    mapper->ScalarVisibilityOff();
    layer.lines->GetProperty()->SetColor(layer.colour.redF(), layer.colour.greenF(),
                                         layer.colour.blueF());
    layer.lines->GetProperty()->SetOpacity(0.75);
  } else {
    mapper->SetLookupTable(timeColors_);
    mapper->SetScalarRange(timeStart_, timeEnd_);
    mapper->SetScalarModeToUsePointData();
    mapper->ScalarVisibilityOn();
    layer.lines->GetProperty()->SetOpacity(1.0);
  }
  layer.lines->SetMapper(mapper);
  layer.lines->GetProperty()->SetLineWidth(1.0f);
  layer.lines->GetProperty()->LightingOff();
  vtk_->renderer()->AddViewProp(layer.lines);

  layer.particleData = vtkSmartPointer<vtkPolyData>::New();
  vtkNew<vtkPolyDataMapper> particleMapper;
  particleMapper->SetInputData(layer.particleData);
  particleMapper->ScalarVisibilityOff();
  layer.particles = vtkSmartPointer<vtkActor>::New();
  layer.particles->SetMapper(particleMapper);
  const QColor dot = layer.colour.isValid() ? layer.colour.darker(140) : QColor(217, 26, 26);
  layer.particles->GetProperty()->SetColor(dot.redF(), dot.greenF(), dot.blueF());
  layer.particles->GetProperty()->SetPointSize(4);
  layer.particles->SetVisibility(!interacting_);
  vtk_->renderer()->AddViewProp(layer.particles);
}

void TrajectoryView::updateParticles() {
  const std::vector<int> nodes = nodesShown();
  for (Layer& layer : layers_) {
    if (!layer.particleData) continue;
    const SampleSet& s = *layer.samples;
    const double f = fraction();
    const double t = layer.timeAt(f);
    // Linear interpolation between the two recorded times around t.
    const auto upper = std::lower_bound(s.times.begin(), s.times.end(), t);
    const size_t i1 = std::min(size_t(upper - s.times.begin()), s.times.size() - 1);
    const size_t i0 = i1 > 0 ? i1 - 1 : 0;
    const double span = s.times[i1] - s.times[i0];
    const double a = span > 0 ? std::clamp((t - s.times[i0]) / span, 0.0, 1.0) : 1.0;
    const int64_t times = int64_t(s.times.size());
    const int64_t kept = int64_t(s.trajectories.size()) / (times * s.variables * s.classes);
    const int64_t flows = layer.flows;
    const int64_t stride = s.variables * s.classes;
    const double axisTime = timeStart_ + f * (timeEnd_ - timeStart_);
    vtkNew<vtkPoints> points;
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(flows * int64_t(nodes.size()));
    std::vector<float> w(size_t(s.classes));
    vtkIdType id = 0;
    for (int64_t flow = 0; flow < flows; ++flow) {
      for (int node : nodes) {
        const float* p0 =
            s.trajectories.data() + (int64_t(i0) * kept + flow) * stride + node * s.classes;
        const float* p1 =
            s.trajectories.data() + (int64_t(i1) * kept + flow) * stride + node * s.classes;
        for (int64_t c = 0; c < s.classes; ++c) w[size_t(c)] = float((1 - a) * p0[c] + a * p1[c]);
        points->SetPoint(id++, place(w.data(), axisTime).data());
      }
    }
    vtkNew<vtkCellArray> verts;
    for (vtkIdType i = 0; i < id; ++i) {
      verts->InsertNextCell(1);
      verts->InsertCellPoint(i);
    }
    layer.particleData->SetPoints(points);
    layer.particleData->SetVerts(verts);
    layer.particleData->Modified();
  }
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
  vtk_->update();
}

void TrajectoryView::setSamples(std::shared_ptr<const SampleSet> samples) {
  if (comparing_) {  // kept for when the comparison is cleared
    samples_ = std::move(samples);
    return;
  }
  if (samples && (samples->classes != data_.classes || samples->variables != data_.variables)) {
    DataSummary shape;
    shape.classes = samples->classes;
    shape.variables = samples->variables;
    setData(shape);
  }
  const bool first = !samples_;
  samples_ = std::move(samples);
  if (samples_ && !samples_->times.empty()) {  // the time axis label follows the range
    timeStart_ = samples_->times.front();
    timeEnd_ = samples_->times.back();
  }
  rebuildFrame();
  rebuildTrajectories();
  requestField();
  if (first) vtk_->resetCamera();
}

int TrajectoryView::layerLines(int index) const {
  const Layer& layer = layers_.at(size_t(index));
  return layer.lines ? int(vtkPolyData::SafeDownCast(layer.lines->GetMapper()->GetInput())
                               ->GetNumberOfLines())
                     : 0;
}

int TrajectoryView::trajectoryLines() const {
  int lines = 0;
  for (int i = 0; i < int(layers_.size()); ++i) lines += layerLines(i);
  return lines;
}

int TrajectoryView::trajectoryPoints() const {
  int points = 0;
  for (const Layer& layer : layers_)
    if (layer.lines)
      points +=
          int(vtkPolyData::SafeDownCast(layer.lines->GetMapper()->GetInput())->GetNumberOfPoints());
  return points;
}

void TrajectoryView::setInteracting(bool interacting) {
  if (interacting == interacting_) return;
  interacting_ = interacting;
  for (Layer& layer : layers_) {
    if (layer.lines)
      vtkPolyDataMapper::SafeDownCast(layer.lines->GetMapper())
          ->SetInputData(interacting ? layer.interactiveLines : layer.fullLines);
    // The cloud returns with full detail.
    if (layer.particles) layer.particles->SetVisibility(!interacting);
  }
  vtk_->update();
}

int TrajectoryView::particleCount() const {
  int count = 0;
  for (const Layer& layer : layers_)
    if (layer.particleData) count += int(layer.particleData->GetNumberOfPoints());
  return count;
}

}  // namespace efm::ui

// TrajectoryView's controls and state: the time slider, the data, samples and runs shown.
#include "views/trajectory_view.h"

#include <vtkLookupTable.h>
#include <vtkPropCollection.h>
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
}  // namespace

TrajectoryView::TrajectoryView(QWidget* parent)
    : QWidget(parent), frameProps_(vtkSmartPointer<vtkPropCollection>::New()) {
  vtk_ = new VtkWidget(this);
  vtk_->installEventFilter(this);  // clicks on vertices fix nodes (trajectory_view_events.cpp)
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

  // Two rows: the time (its slider gets the width), then what is shown. In one row, at the
  // width the docks leave the view, the slider was squeezed to a stub.
  auto* timeRow = new QHBoxLayout;
  timeRow->addWidget(play_);
  timeRow->addWidget(new QLabel("t"));
  timeRow->addWidget(timeSlider_, 1);
  timeRow->addWidget(timeLabel_);
  auto* showRow = new QHBoxLayout;
  showRow->addWidget(node_);
  showRow->addWidget(nodeSpin_);
  showRow->addWidget(classBox_);
  showRow->addWidget(maxLines_);
  showRow->addWidget(showField_);
  showRow->addStretch(1);
  showRow->addWidget(reset);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(vtk_, 1);
  layout->addLayout(timeRow);
  layout->addLayout(showRow);

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
  refiner_ = new QTimer(this);
  refiner_->setSingleShot(true);
  refiner_->setTimerType(Qt::PreciseTimer);  // started with VtkSurface::msUntilNextPass()
  connect(refiner_, &QTimer::timeout, this, &TrajectoryView::refineStep);
  connect(vtk_, &VtkWidget::frameShown, this, &TrajectoryView::startRefinement);
  connect(vtk_, &VtkWidget::aboutToRenderImage, this, [this] { showSlices(true); });
  connect(vtk_, &VtkWidget::imageRendered, this, [this] {
    showSlices(false);
    // The picture replaced what the slices drew so far in VTK's framebuffer: start over.
    if (refineStep_ > 0) refineStep_ = 0;
  });

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
int TrajectoryView::maxFlows() const { return maxLines_->value(); }

void TrajectoryView::setData(const DataSummary& data) {
  const bool shapeChanged = data.classes != data_.classes || data.variables != data_.variables;
  data_ = data;
  if (shapeChanged) {
    samples_.reset();
    comparison_.clear();
    field_.reset();
    given_.clear();
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

std::vector<int> TrajectoryView::nodesShown() const {
  std::vector<int> nodes;
  const int chosen = node();
  if (chosen >= 0) return {chosen};
  for (int i = 0; i < data_.variables; ++i)
    if (chosen < 0 || chosen == i) nodes.push_back(i);
  return nodes;
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

}  // namespace efm::ui

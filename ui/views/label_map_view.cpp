// LabelMapView's controls and state: the data and samples shown, the selected map and pixel.
#include "views/label_map_view.h"

#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkPropCollection.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "bridge/vtk_widget.h"
#include "views/vtk_scene.h"
#include "widgets/class_bars.h"

namespace efm::ui {

LabelMapView::LabelMapView(QWidget* parent)
    : QWidget(parent), props_(vtkSmartPointer<vtkPropCollection>::New()) {
  vtk_ = new VtkWidget(this);
  vtk_->installEventFilter(this);
  bars_ = new ClassBars;
  legend_ = new QScrollArea;
  legend_->setWidget(bars_);
  legend_->setWidgetResizable(true);
  legend_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  legend_->setFrameShape(QFrame::NoFrame);
  connect(bars_, &ClassBars::classClicked, this, &LabelMapView::togglePinnedClass);

  sampleSpin_ = new QSpinBox;
  sampleSpin_->setPrefix("map ");
  // As wide as for the most flows the sampling dock keeps (a million) from the start: a spin
  // box grows with its range, and when a sampling run kept more flows than the preview, the
  // wider box re-laid out the whole window and drew every view again (an 88 ms stall).
  sampleSpin_->setRange(1, 1000000);
  sampleSpin_->setFixedWidth(sampleSpin_->sizeHint().width());
  sampleSpin_->setRange(1, 1);
  sampleSpin_->setToolTip("The sample whose flow is scrubbed (the first maps keep their flows)");
  timeSlider_ = new QSlider(Qt::Horizontal);
  timeSlider_->setRange(0, 0);
  timeSlider_->setToolTip("Time t of the scrubbed maps (the solver's recorded steps)");
  timeLabel_ = new QLabel;
  timeLabel_->setMinimumWidth(90);
  play_ = new QPushButton("Play");
  play_->setCheckable(true);
  play_->setToolTip("Animate the selected map from t = 0 to t_end (about 4 seconds)");
  galleryMode_ = new QComboBox;
  galleryMode_->addItems({"labels", "entropy of W_end", "maps of the data"});
  galleryMode_->setToolTip(
      "What the gallery shows: the read-out labels, their uncertainty, or labelings of the "
      "data as training draws them (shown until there are samples)");
  auto* reset = new QPushButton("Reset camera");
  paint_ = new QPushButton("Paint given");
  paint_->setCheckable(true);
  paint_->setToolTip(
      "Paint pixels of the scrubbed map with the class on the right: they are given (kept) "
      "when the studio samples next, and the rest is inpainted");
  paintClass_ = new QComboBox;
  paintClass_->setToolTip("The class the brush paints");
  auto* clearPaint = new QPushButton("Clear paint");
  connect(clearPaint, &QPushButton::clicked, this, &LabelMapView::clearPainted);
  animation_ = new QTimer(this);
  relayout_ = new QTimer(this);  // coalesces resizes into one new layout
  relayout_->setSingleShot(true);
  relayout_->setInterval(60);

  connect(animation_, &QTimer::timeout, this, [this] {
    const int next = timeSlider_->value() + 1;
    timeSlider_->setValue(next > timeSlider_->maximum() ? 0 : next);
  });
  connect(play_, &QPushButton::toggled, this, [this](bool on) {
    if (on) {
      if (timeSlider_->value() >= timeSlider_->maximum()) timeSlider_->setValue(0);
      animation_->setInterval(std::max(33, 4000 / std::max(1, timeSlider_->maximum() + 1)));
      animation_->start();
    } else {
      animation_->stop();
    }
    play_->setText(on ? "Pause" : "Play");
  });
  connect(timeSlider_, &QSlider::valueChanged, this, [this] { updateScrub(); });
  connect(sampleSpin_, qOverload<int>(&QSpinBox::valueChanged), this,
          [this](int value) { setSelectedSample(value - 1); });
  connect(galleryMode_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this] { rebuild(); });
  connect(reset, &QPushButton::clicked, this, [this] {
    cameraMoved_ = false;
    fitCamera();
  });
  connect(relayout_, &QTimer::timeout, this, [this] { rebuild(); });
  connect(vtk_, &VtkWidget::interactionStarted, this, [this] { cameraMoved_ = true; });

  // Two rows: the time (its slider gets the width), then what is shown and painted. In one
  // row they set the window's minimum width at about 1,500 pixels and left the slider a stub.
  auto* timeRow = new QHBoxLayout;
  timeRow->addWidget(play_);
  timeRow->addWidget(new QLabel("t"));
  timeRow->addWidget(timeSlider_, 1);
  timeRow->addWidget(timeLabel_);
  auto* toolRow = new QHBoxLayout;
  toolRow->addWidget(sampleSpin_);
  toolRow->addWidget(new QLabel("Gallery"));
  toolRow->addWidget(galleryMode_);
  toolRow->addStretch(1);
  toolRow->addWidget(reset);
  toolRow->addWidget(paint_);
  toolRow->addWidget(paintClass_);
  toolRow->addWidget(clearPaint);
  auto* pictures = new QHBoxLayout;
  pictures->setContentsMargins(0, 0, 0, 0);
  pictures->addWidget(vtk_, 1);
  pictures->addWidget(legend_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(pictures, 1);
  layout->addLayout(timeRow);
  layout->addLayout(toolRow);

  entropyColours_ = viridis(0, 1);
  entropyBar_ = colorBar(entropyColours_, "entropy\n(nats)");
  entropyBar_->SetNumberOfLabels(3);
  entropyBar_->SetVisibility(false);
  caption_ = overlayText("", 0.01, 0.99);
  vtk_->renderer()->AddViewProp(entropyBar_);
  vtk_->renderer()->AddViewProp(caption_);
  vtk_->renderer()->GetActiveCamera()->ParallelProjectionOn();
  setData(DataSummary{});
}

LabelMapView::~LabelMapView() = default;

ImageInfo LabelMapView::image() const {
  if (samples_ && samples_->image.isImage() && !samples_->image.classNames.empty())
    return samples_->image;
  if (data_.image.isImage()) return data_.image;
  return samples_ ? samples_->image : ImageInfo{};
}

bool LabelMapView::showsData() const {
  const ImageInfo& info = data_.image;
  const bool haveMaps = info.isImage() && data_.exampleCount > 0 &&
                        info.height * info.width == data_.variables &&
                        int64_t(data_.examples.size()) == data_.exampleCount * data_.variables;
  return haveMaps && (!samples_ || galleryMode_->currentIndex() == kDataGallery);
}

bool LabelMapView::showsImages() const {
  const ImageInfo info = image();
  return samples_ && info.isImage() && info.height * info.width == samples_->variables &&
         samples_->count > 0;
}

void LabelMapView::setData(const DataSummary& data) {
  const bool changed = data.variables != data_.variables || data.classes != data_.classes ||
                       data.image.height != data_.image.height ||
                       data.image.width != data_.image.width;
  data_ = data;
  if (changed) {
    samples_.reset();
    painted_.clear();
    inspected_ = -1;
    pinned_.clear();
    selected_ = 0;
    cameraMoved_ = false;
  }
  // The legend: class names and colours (the palette's, or generic ones).
  const ImageInfo info = image();
  std::vector<QString> names;
  std::vector<Rgb> colours;
  const int64_t classes = samples_ ? samples_->classes : data_.classes;
  for (int64_t k = 0; k < classes; ++k) {
    names.push_back(k < int64_t(info.classNames.size())
                        ? QString::fromStdString(info.classNames[size_t(k)])
                        : QString("class %1").arg(k + 1));
    colours.push_back(classColour(info, k));
  }
  bars_->setClasses(names, colours);
  bars_->setPinned(pinned_);
  const int keep = paintClass_->currentIndex();
  paintClass_->clear();
  for (const QString& name : names) paintClass_->addItem(name);
  paintClass_->setCurrentIndex(std::clamp(keep, 0, std::max(0, paintClass_->count() - 1)));
  legend_->setFixedWidth(bars_->sizeHint().width() + 18);  // room for a vertical scroll bar
  entropyColours_->SetRange(0, std::log(double(std::max<int64_t>(classes, 2))));
  entropyColours_->Build();
  rebuild();
}

void LabelMapView::setSamples(std::shared_ptr<const SampleSet> samples, bool preview) {
  if (!samples) return;
  const bool newShape = !samples_ || samples->variables != samples_->variables ||
                        samples->classes != samples_->classes ||
                        samples->image.height != samples_->image.height;
  if (samples->variables != data_.variables || samples->classes != data_.classes) {
    DataSummary shape;  // a model of other data than the one open: its own shape
    shape.variables = samples->variables;
    shape.classes = samples->classes;
    shape.image = samples->image;
    setData(shape);
  }
  const size_t oldTimes = samples_ ? samples_->times.size() : 0;
  samples_ = std::move(samples);
  preview_ = preview;
  const int64_t kept = keptFlows(*samples_);
  selected_ = int(std::clamp<int64_t>(selected_, 0, std::max<int64_t>(0, kept - 1)));
  {
    const QSignalBlocker block(sampleSpin_);
    sampleSpin_->setRange(1, int(std::max<int64_t>(1, kept)));
    sampleSpin_->setValue(selected_ + 1);
    sampleSpin_->setEnabled(kept > 1);
  }
  {
    // A new set of another length starts at the end: the finished maps.
    const QSignalBlocker block(timeSlider_);
    const int last = std::max(0, int(samples_->times.size()) - 1);
    const bool keep = samples_->times.size() == oldTimes;
    const int value = keep ? timeSlider_->value() : last;
    timeSlider_->setRange(0, last);
    timeSlider_->setValue(value);
  }
  notice_.clear();
  if (newShape) setData(data_);  // the legend follows the classes of the samples
  rebuild();
  if (inspected_ < 0 && kept > 0 && showsImages()) {
    const ImageInfo info = image();
    inspectPixel(info.height / 2 * info.width + info.width / 2);  // a first pixel to look at
  } else if (inspected_ >= samples_->variables) {
    inspectPixel(-1);
  } else if (inspected_ >= 0 && inspectedClasses() != emittedClasses_) {
    emitInspected();  // the new model ranks the pixel's classes differently
  }
}

int LabelMapView::timeIndex() const { return timeSlider_->value(); }

double LabelMapView::time() const {
  if (!samples_ || samples_->times.empty()) return 0;
  return samples_->times[size_t(std::min<int64_t>(timeIndex(), samples_->times.size() - 1))];
}

void LabelMapView::paintPixels(int64_t node, int64_t cls, int radius) {
  const ImageInfo info = image();
  if (!info.isImage() || node < 0 || node >= info.height * info.width) return;
  if (int64_t(painted_.size()) != info.height * info.width)
    painted_.assign(size_t(info.height * info.width), -1);
  const int64_t row = node / info.width, column = node % info.width;
  for (int64_t r = std::max<int64_t>(0, row - radius);
       r <= std::min<int64_t>(info.height - 1, row + radius); ++r)
    for (int64_t k = std::max<int64_t>(0, column - radius);
         k <= std::min<int64_t>(info.width - 1, column + radius); ++k)
      painted_[size_t(r * info.width + k)] = cls;
  updateScrub();
  Q_EMIT givenPainted(painted_);
}

void LabelMapView::clearPainted() {
  std::fill(painted_.begin(), painted_.end(), -1);
  updateScrub();
  Q_EMIT givenPainted(painted_);
}

void LabelMapView::setTimeIndex(int index) { timeSlider_->setValue(index); }

void LabelMapView::setSelectedSample(int sample) {
  const int64_t kept = samples_ ? keptFlows(*samples_) : 0;
  if (sample < 0 || sample >= kept) return;
  selected_ = sample;
  {
    const QSignalBlocker block(sampleSpin_);
    sampleSpin_->setValue(sample + 1);
  }
  notice_.clear();
  updateMarkers();
  updateScrub();
  if (inspected_ >= 0) emitInspected();
}

void LabelMapView::inspectPixel(int64_t node) {
  if (!samples_ || node >= samples_->variables) node = -1;
  inspected_ = node;
  updateMarkers();
  updateInspector();
  updateCaption();
  vtk_->scheduleRender();
  if (inspected_ >= 0) emitInspected();
}

std::vector<int> LabelMapView::inspectedClasses() const {
  std::vector<int> classes;
  if (!samples_ || inspected_ < 0 || keptFlows(*samples_) == 0) return classes;
  const int64_t c = samples_->classes;
  const int wanted = int(std::min<int64_t>(3, c));
  for (int k : pinned_)
    if (k < c && int(classes.size()) < wanted) classes.push_back(k);
  const float* end = flowState(*samples_, selected_, int64_t(samples_->times.size()) - 1);
  for (int k : topClasses(end + inspected_ * c, c, int(c))) {
    if (int(classes.size()) >= wanted) break;
    if (std::find(classes.begin(), classes.end(), k) == classes.end()) classes.push_back(k);
  }
  return classes;
}

void LabelMapView::togglePinnedClass(int cls) {
  const auto at = std::find(pinned_.begin(), pinned_.end(), cls);
  if (at != pinned_.end()) {
    pinned_.erase(at);
  } else {
    pinned_.push_back(cls);
    if (pinned_.size() > 3) pinned_.erase(pinned_.begin());  // the oldest pin goes
  }
  bars_->setPinned(pinned_);
  if (inspected_ >= 0) emitInspected();
}

void LabelMapView::emitInspected() {
  emittedClasses_ = inspectedClasses();
  Q_EMIT pixelInspected(int(inspected_), emittedClasses_);
}

void LabelMapView::updateInspector() {
  if (showsData() || !samples_ || inspected_ < 0 || !scrubImages_[0]) {
    const QString hint = showsImages() ? "\nclick a pixel of a scrubbed map" : QString();
    const std::vector<double> frequencies = data_.classFrequencies();
    if (data_.image.isImage() && int64_t(frequencies.size()) == bars_->classCount())
      bars_->setProbabilities(std::vector<float>(frequencies.begin(), frequencies.end()),
                              "Class frequencies of the data\n(share of all pixels)" + hint);
    else
      bars_->setProbabilities({}, "Classes" + hint);
    return;
  }
  const SampleSet& s = *samples_;
  const int64_t c = s.classes, w = image().width;
  const float* p = flowState(s, selected_, timeIndex()) + inspected_ * c;
  bars_->setProbabilities(std::vector<float>(p, p + c),
                          QString("Pixel (row %1, col %2), map %3\nW(t) at t = %4")
                              .arg(inspected_ / w)
                              .arg(inspected_ % w)
                              .arg(selected_ + 1)
                              .arg(time(), 0, 'f', 2));
}

}  // namespace efm::ui

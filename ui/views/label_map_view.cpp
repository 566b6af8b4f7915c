#include "views/label_map_view.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapper3D.h>
#include <vtkImageProperty.h>
#include <vtkLookupTable.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPropCollection.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
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

namespace {
// Room in screen pixels around the maps: the caption above, a title over each row of maps,
// the entropy scale on the right. Converted to world units once the scale is known, so
// that text never overlaps a map whatever the map's size.
constexpr double kCaptionPixels = 50;
constexpr double kTitlePixels = 24;
constexpr double kBarPixels = 110;
constexpr double kMarginPixels = 12;
const char* const kScrubTitles[3] = {"argmax W(t)", "entropy of W(t)", "entropy of W_end"};
const QColor kSelected(240, 130, 0);
const QColor kWithFlow(150, 150, 150);
// The inspected pixel's ring is white inside black: visible on every class colour (a red
// ring vanished on Cityscapes' "human", white alone on the grey levels' white).
const QColor kPixelInner(255, 255, 255);
const QColor kPixelOuter(0, 0, 0);

// An RGB picture of a map drawn at `rect`. Whole pixels (Border): VTK would otherwise draw
// from the centre of the first pixel to the centre of the last one.
vtkSmartPointer<vtkImageData> rgbImage(const MapRect& rect) {
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(int(rect.width), int(rect.height), 1);
  image->SetSpacing(rect.scale, rect.scale, 1);
  image->SetOrigin(rect.x + rect.scale / 2, rect.bottom() + rect.scale / 2, 0);
  image->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
  return image;
}

// Copies row-major RGB bytes (row 0 at the top) into a picture (VTK's row 0 is the bottom).
void fillImage(vtkImageData* image, const std::vector<uint8_t>& rgb) {
  int dims[3];
  image->GetDimensions(dims);
  const size_t row = size_t(dims[0]) * 3;
  auto* out = static_cast<uint8_t*>(image->GetScalarPointer());
  for (int r = 0; r < dims[1]; ++r)
    std::copy_n(rgb.data() + size_t(r) * row, row, out + size_t(dims[1] - 1 - r) * row);
  image->Modified();
}

std::vector<uint8_t> colourValues(const std::vector<float>& values, vtkLookupTable* table) {
  std::vector<uint8_t> rgb(values.size() * 3);
  for (size_t i = 0; i < values.size(); ++i) {
    const unsigned char* c = table->MapValue(double(values[i]));
    std::copy_n(c, 3, rgb.begin() + std::ptrdiff_t(3 * i));
  }
  return rgb;
}

vtkSmartPointer<vtkImageActor> imageActor(vtkImageData* image) {
  auto actor = vtkSmartPointer<vtkImageActor>::New();
  actor->SetInputData(image);
  actor->GetMapper()->BorderOn();
  actor->InterpolateOff();
  return actor;
}

// Rectangle outlines (x0, y0, x1, y1) in their colours, in front of the maps.
struct Outlines {
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> lines;
  vtkNew<vtkUnsignedCharArray> colours;
  Outlines() { colours->SetNumberOfComponents(3); }
  void add(double x0, double y0, double x1, double y1, const QColor& colour) {
    const vtkIdType a = points->InsertNextPoint(x0, y0, 0.5);
    points->InsertNextPoint(x1, y0, 0.5);
    points->InsertNextPoint(x1, y1, 0.5);
    points->InsertNextPoint(x0, y1, 0.5);
    lines->InsertNextCell(5);
    for (int k = 0; k < 5; ++k) lines->InsertCellPoint(a + k % 4);
    colours->InsertNextTuple3(colour.red(), colour.green(), colour.blue());
  }
  vtkSmartPointer<vtkActor> actor(double width) {
    vtkNew<vtkPolyData> data;
    data->SetPoints(points);
    data->SetLines(lines);
    data->GetCellData()->SetScalars(colours);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(data);
    mapper->SetScalarModeToUseCellData();
    mapper->SetColorModeToDirectScalars();
    auto result = vtkSmartPointer<vtkActor>::New();
    result->SetMapper(mapper);
    result->GetProperty()->SetLineWidth(float(width));
    result->GetProperty()->LightingOff();
    return result;
  }
};
}  // namespace

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
  galleryMode_->addItems({"labels", "entropy of W_end"});
  galleryMode_->setToolTip("What the gallery shows: the read-out labels or their uncertainty");
  auto* reset = new QPushButton("Reset camera");
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

  auto* controls = new QHBoxLayout;
  controls->addWidget(play_);
  controls->addWidget(new QLabel("t"));
  controls->addWidget(timeSlider_, 1);
  controls->addWidget(timeLabel_);
  controls->addWidget(sampleSpin_);
  controls->addWidget(new QLabel("Gallery"));
  controls->addWidget(galleryMode_);
  controls->addWidget(reset);
  auto* pictures = new QHBoxLayout;
  pictures->setContentsMargins(0, 0, 0, 0);
  pictures->addWidget(vtk_, 1);
  pictures->addWidget(legend_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(pictures, 1);
  layout->addLayout(controls);

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
  vtk_->update();
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

void LabelMapView::rebuild() {
  vtkRenderer* renderer = vtk_->renderer();
  props_->InitTraversal();
  while (vtkProp* prop = props_->GetNextProp()) renderer->RemoveViewProp(prop);
  props_->RemoveAllItems();
  if (markers_) renderer->RemoveViewProp(markers_);
  markers_ = nullptr;
  galleryRects_.clear();
  galleryImages_.clear();
  for (int k = 0; k < 3; ++k) {
    scrubImages_[k] = nullptr;
    scrubRects_[k] = MapRect{};
  }
  entropyBar_->SetVisibility(false);
  if (!showsImages()) {
    updateInspector();
    updateCaption();
    vtk_->update();
    return;
  }
  auto add = [&](vtkProp* prop) {
    renderer->AddViewProp(prop);
    props_->AddItem(prop);
  };
  const SampleSet& s = *samples_;
  const ImageInfo info = image();
  const int64_t h = info.height, w = info.width, n = s.variables, c = s.classes;
  const int64_t count = std::min<int64_t>(s.count, kMaxGallery);
  const int64_t kept = keptFlows(s);

  // Gallery on top, the scrubbed maps below it; the text needs room in pixels, converted to
  // world units at the scale the camera will use.
  const double viewW = std::max(240, vtk_->width()), viewH = std::max(180, vtk_->height());
  const LabelMapLayout layout =
      labelMapLayout(count, h, w, kept > 0, viewW - 2 * kMarginPixels - kBarPixels,
                     viewH - kCaptionPixels - kMarginPixels, kTitlePixels);
  galleryRects_ = layout.gallery;
  const double title = layout.title;

  // The gallery: read-out labels (or the entropy of W_end) of the first maps; the maps that
  // kept their flows are framed.
  const bool entropyGallery = galleryMode_->currentIndex() == 1;
  for (int64_t i = 0; i < count; ++i) {
    auto picture = rgbImage(galleryRects_[size_t(i)]);
    if (entropyGallery) {
      fillImage(picture, colourValues(entropies(endState(s, i), n, c), entropyColours_));
    } else {
      const std::vector<int64_t> labels(s.labels.begin() + i * n, s.labels.begin() + (i + 1) * n);
      fillImage(picture, colourLabels(labels, info));
    }
    galleryImages_.push_back(picture);
    add(imageActor(picture));
  }
  QString galleryTitle = entropyGallery ? "entropy of W_end of each sample" : "sampled label maps";
  if (kept > 0) galleryTitle += "  (framed: flow kept, click to scrub)";
  auto galleryLabel = label(Point3(0, title / 2, 0), galleryTitle, 13);
  galleryLabel->GetTextProperty()->SetJustificationToLeft();
  add(galleryLabel);

  // The scrubbed sample: argmax W(t), entropy of W(t), entropy of W_end.
  if (kept > 0) {
    for (int k = 0; k < 3; ++k) {
      const MapRect& r = scrubRects_[k] = layout.scrub[size_t(k)];
      scrubImages_[k] = rgbImage(r);
      add(imageActor(scrubImages_[k]));
      add(label(Point3(r.x + double(w) * r.scale / 2, r.y + title / 2, 0), kScrubTitles[k], 13));
    }
    entropyBar_->SetLookupTable(entropyColours_);
    entropyBar_->SetVisibility(true);
  }
  contentBounds_[0] = layout.left;
  contentBounds_[1] = layout.right;
  contentBounds_[2] = layout.bottom;
  contentBounds_[3] = layout.top;
  updateMarkers();
  updateScrub();
  if (!cameraMoved_) fitCamera();
  vtk_->update();
}

void LabelMapView::updateScrub() {
  if (samples_ && !samples_->times.empty())
    timeLabel_->setText(QString("t = %1").arg(time(), 0, 'f', 2));
  if (!scrubImages_[0] || !samples_) {
    updateInspector();
    updateCaption();
    return;
  }
  const SampleSet& s = *samples_;
  const ImageInfo info = image();
  const int64_t n = s.variables, c = s.classes;
  const float* now = flowState(s, selected_, timeIndex());
  const float* end = flowState(s, selected_, int64_t(s.times.size()) - 1);
  fillImage(scrubImages_[0], colourLabels(argmaxClasses(now, n, c), info));
  fillImage(scrubImages_[1], colourValues(entropies(now, n, c), entropyColours_));
  fillImage(scrubImages_[2], colourValues(entropies(end, n, c), entropyColours_));
  updateInspector();
  updateCaption();
  vtk_->update();
}

void LabelMapView::updateMarkers() {
  if (markers_) vtk_->renderer()->RemoveViewProp(markers_);
  markers_ = nullptr;
  if (galleryRects_.empty()) return;
  const int64_t kept = keptFlows(*samples_);
  Outlines outlines;
  const double pad = 0.5;
  for (int64_t i = 0; i < std::min<int64_t>(kept, int64_t(galleryRects_.size())); ++i) {
    if (i == selected_) continue;
    const MapRect& r = galleryRects_[size_t(i)];
    outlines.add(r.x - pad, r.bottom() - pad, r.right() + pad, r.y + pad, kWithFlow);
  }
  if (selected_ < int(galleryRects_.size()) && selected_ < kept) {
    const MapRect& r = galleryRects_[size_t(selected_)];
    outlines.add(r.x - 2 * pad, r.bottom() - 2 * pad, r.right() + 2 * pad, r.y + 2 * pad,
                 kSelected);
  }
  if (inspected_ >= 0 && scrubImages_[0]) {
    // A ring one pixel wide around the inspected pixel, so that its colour stays visible.
    for (const MapRect& r : scrubRects_) {
      const auto centre = r.centre(inspected_);
      const double half = 1.5 * r.scale, outer = half + 0.35 * r.scale;
      outlines.add(centre[0] - outer, centre[1] - outer, centre[0] + outer, centre[1] + outer,
                   kPixelOuter);
      outlines.add(centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half,
                   kPixelInner);
    }
  }
  markers_ = outlines.actor(2.0);
  vtk_->renderer()->AddViewProp(markers_);
  vtk_->update();
}

void LabelMapView::updateInspector() {
  if (!samples_ || inspected_ < 0 || !scrubImages_[0]) {
    bars_->setProbabilities({},
                            showsImages() ? "Classes\nclick a pixel of a scrubbed map" : "Classes");
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

void LabelMapView::updateCaption() {
  QString text;
  if (!samples_) {
    text = image().isImage() ? "No samples yet: train, or open a checkpoint and press Sample."
                             : "Label maps are drawn for image data (cityscapes:, idx:), whose "
                               "nodes are the pixels of a map.";
  } else if (!showsImages()) {
    text =
        "Label maps are drawn for image data (cityscapes:, idx:), whose nodes are the pixels "
        "of a map.";
  } else {
    const SampleSet& s = *samples_;
    const ImageInfo info = image();
    text = QString("%1 of %2 label maps (%3 x %4 pixels, %5 classes) from the model at step %6%7")
               .arg(galleryRects_.size())
               .arg(s.count)
               .arg(info.height)
               .arg(info.width)
               .arg(s.classes)
               .arg(s.modelStep)
               .arg(preview_ ? " (training preview)" : "");
    if (keptFlows(s) == 0) {
      text += "\nno flows kept: raise 'Flows kept' in the Sampling panel to scrub a map";
    } else {
      text += QString("\nmap %1 at t = %2 of %3")
                  .arg(selected_ + 1)
                  .arg(time(), 0, 'f', 2)
                  .arg(s.times.back(), 0, 'f', 2);
      if (inspected_ >= 0)
        text += QString(", pixel (row %1, col %2)")
                    .arg(inspected_ / info.width)
                    .arg(inspected_ % info.width);
    }
    if (!notice_.isEmpty()) text += "\n" + notice_;
  }
  caption_->SetInput(text.toUtf8().constData());
}

void LabelMapView::fitCamera() {
  vtkCamera* camera = vtk_->renderer()->GetActiveCamera();
  camera->ParallelProjectionOn();
  const double viewW = std::max(240, vtk_->width()), viewH = std::max(180, vtk_->height());
  const double width = contentBounds_[1] - contentBounds_[0];
  const double height = contentBounds_[3] - contentBounds_[2];
  const double roomW = viewW - 2 * kMarginPixels - kBarPixels;
  const double roomH = viewH - kCaptionPixels - kMarginPixels;
  const double ppu = std::min(roomW / width, roomH / height);  // pixels per world unit
  // The maps centred left of the entropy scale, just under the caption.
  const double left = kMarginPixels + (roomW - width * ppu) / 2;
  const double cx = contentBounds_[0] - left / ppu + viewW / (2 * ppu);
  const double cy = contentBounds_[3] + kCaptionPixels / ppu - viewH / (2 * ppu);
  camera->SetFocalPoint(cx, cy, 0);
  camera->SetPosition(cx, cy, 100);
  camera->SetViewUp(0, 1, 0);
  camera->SetParallelScale(viewH / (2 * ppu));
  vtk_->renderer()->ResetCameraClippingRange();
  if (scrubImages_[0]) {
    // The entropy scale beside the scrubbed maps, at least 140 pixels tall.
    const MapRect& r = scrubRects_[2];
    const double bottom = (r.bottom() - (cy - viewH / (2 * ppu))) * ppu;
    const double mapHeight = double(r.height) * r.scale * ppu;
    const double barHeight = std::max(140.0, mapHeight + kTitlePixels);
    const double x = left + width * ppu + kMarginPixels;
    entropyBar_->GetPositionCoordinate()->SetValue(x / viewW, std::max(0.0, bottom / viewH));
    entropyBar_->SetWidth((kBarPixels - kMarginPixels) / viewW);
    entropyBar_->SetHeight(std::min(1.0, barHeight / viewH));
    entropyBar_->SetMaximumWidthInPixels(int(kBarPixels - kMarginPixels));
  }
  vtk_->update();
}

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

bool LabelMapView::eventFilter(QObject* watched, QEvent* event) {
  if (watched != vtk_) return QWidget::eventFilter(watched, event);
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
    for (int i = 0; i < int(galleryRects_.size()); ++i)
      if (galleryRects_[size_t(i)].contains(x, y)) {
        if (i < keptFlows(*samples_)) {
          setSelectedSample(i);
        } else {
          notice_ = QString("map %1 did not keep its flow (raise 'Flows kept' to scrub more maps)")
                        .arg(i + 1);
          updateCaption();
          vtk_->update();
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

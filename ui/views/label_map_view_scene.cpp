// LabelMapView's pictures: the gallery and scrubbed maps, their frames, the caption, the camera.
#include "views/label_map_view.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapper3D.h>
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
#include <QLabel>
#include <algorithm>

#include "bridge/vtk_widget.h"
#include "views/vtk_scene.h"

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
  const bool dataGallery = showsData();
  if (!showsImages() && !dataGallery) {
    updateInspector();
    updateCaption();
    vtk_->scheduleRender();
    return;
  }
  auto add = [&](vtkProp* prop) {
    renderer->AddViewProp(prop);
    props_->AddItem(prop);
  };
  const ImageInfo info = image();
  const int64_t h = info.height, w = info.width;
  const int64_t n = dataGallery ? data_.variables : samples_->variables;
  const int64_t c = dataGallery ? data_.classes : samples_->classes;
  const int64_t count =
      std::min<int64_t>(dataGallery ? data_.exampleCount : samples_->count, kMaxGallery);
  const int64_t kept = showsImages() ? keptFlows(*samples_) : 0;

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
  const bool entropyGallery = !dataGallery && galleryMode_->currentIndex() == 1;
  for (int64_t i = 0; i < count; ++i) {
    auto picture = rgbImage(galleryRects_[size_t(i)]);
    if (dataGallery) {
      const auto first = data_.examples.begin() + i * n;
      fillImage(picture, colourLabels(std::vector<int64_t>(first, first + n), info));
    } else if (entropyGallery) {
      fillImage(picture, colourValues(entropies(endState(*samples_, i), n, c), entropyColours_));
    } else {
      const auto first = samples_->labels.begin() + i * n;
      fillImage(picture, colourLabels(std::vector<int64_t>(first, first + n), info));
    }
    galleryImages_.push_back(picture);
    add(imageActor(picture));
  }
  QString galleryTitle = dataGallery      ? "maps of the data, as training draws them"
                         : entropyGallery ? "entropy of W_end of each sample"
                                          : "sampled label maps";
  if (kept > 0 && !dataGallery) galleryTitle += "  (framed: flow kept, click to scrub)";
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
  vtk_->scheduleRender();
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
  std::vector<int64_t> shown = argmaxClasses(now, n, c);
  // Painted pixels show their class: what the next sampling keeps.
  if (int64_t(painted_.size()) == n)
    for (int64_t k = 0; k < n; ++k)
      if (painted_[size_t(k)] >= 0) shown[size_t(k)] = painted_[size_t(k)];
  fillImage(scrubImages_[0], colourLabels(shown, info));
  fillImage(scrubImages_[1], colourValues(entropies(now, n, c), entropyColours_));
  fillImage(scrubImages_[2], colourValues(entropies(end, n, c), entropyColours_));
  updateInspector();
  updateCaption();
  vtk_->scheduleRender();
}

void LabelMapView::updateMarkers() {
  if (markers_) vtk_->renderer()->RemoveViewProp(markers_);
  markers_ = nullptr;
  if (galleryRects_.empty()) return;
  // Frames mark sampled maps whose flow was kept; maps of the data have none.
  const int64_t kept = showsImages() && !showsData() ? keptFlows(*samples_) : 0;
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
  vtk_->scheduleRender();
}

void LabelMapView::updateCaption() {
  QString text;
  if (showsData()) {
    text = QString("%1 maps of the data (%2 x %3 pixels, %4 classes), as training draws them")
               .arg(galleryRects_.size())
               .arg(data_.image.height)
               .arg(data_.image.width)
               .arg(data_.classes);
    text += samples_ ? "\nlegend: class frequencies; sampled maps: 'labels' above the gallery"
                     : "\nlegend: class frequencies; no samples yet: train, or press Sample";
  } else if (!samples_) {
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
  vtk_->scheduleRender();
}

}  // namespace efm::ui

#pragma once
// View 4, for image data (the n nodes are the pixels of a label map): a gallery of sampled
// label maps in the class colours, and below it the flow of one selected sample scrubbed in
// time: argmax W(t) and the entropy of W(t) side by side as the map forms, next to the
// entropy of W_end. Clicking a pixel of the scrubbed maps inspects it: its class
// probabilities at t appear in the legend, and pixelInspected() tells the simplex view to
// draw that pixel's flows. With "Paint given" on, the left button paints the class of the
// class picker onto the scrubbed map instead: those pixels are given (kept) the next time the
// studio samples, and the rest is inpainted (docs/CONDITIONING.md). One VTK renderer with a
// parallel camera; the left button belongs to selecting, inspecting and painting, right drag
// or wheel zooms, middle drag pans.

#include <vtkSmartPointer.h>
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/studio_data.h"
#include "views/label_map_images.h"

class QComboBox;
class QLabel;
class QPushButton;
class QScrollArea;
class QSlider;
class QSpinBox;
class QTimer;
class vtkActor;
class vtkImageData;
class vtkLookupTable;
class vtkPropCollection;
class vtkScalarBarActor;
class vtkTextActor;

namespace efm::ui {

class ClassBars;
class VtkWidget;

class LabelMapView : public QWidget {
  Q_OBJECT
 public:
  explicit LabelMapView(QWidget* parent = nullptr);
  ~LabelMapView() override;

  void setData(const DataSummary& data);
  // `preview`: drawn from a training snapshot (said in the caption).
  void setSamples(std::shared_ptr<const SampleSet> samples, bool preview = false);

  // The kept flow shown below the gallery (0-based; only the first keptFlows() samples).
  void setSelectedSample(int sample);
  int selectedSample() const { return selected_; }
  // The recorded time of the scrubbed maps (an index into SampleSet::times).
  void setTimeIndex(int index);
  int timeIndex() const;
  double time() const;
  // Inspects a pixel (row * width + column) of the scrubbed sample; -1 clears it.
  void inspectPixel(int64_t node);
  int64_t inspectedPixel() const { return inspected_; }
  // The classes the simplex view should show for the inspected pixel: the pinned ones,
  // then the pixel's most probable classes at t_end, at most three.
  std::vector<int> inspectedClasses() const;
  void togglePinnedClass(int cls);

  bool showsImages() const;
  // The gallery shows labelings of the open data: image data before any samples, or when
  // the gallery's colours are set to "maps of the data".
  bool showsData() const;
  static constexpr int kDataGallery = 2;  // galleryColours() index of "maps of the data"
  int galleryCount() const { return int(galleryRects_.size()); }
  const std::vector<MapRect>& galleryRects() const { return galleryRects_; }
  // The scrubbed maps: 0 argmax W(t), 1 entropy of W(t), 2 entropy of W_end.
  const MapRect& scrubRect(int which) const { return scrubRects_[which]; }
  // The pictures as VTK holds them (RGB, row 0 of VTK at the bottom of the map).
  vtkImageData* galleryImage(int i) const;
  vtkImageData* scrubImage(int which) const;
  // RGB of the pixel (row, column) of a map as drawn (reads the vtkImageData).
  static Rgb pixelColour(vtkImageData* image, int64_t row, int64_t column);
  // Widget position of a world point (for tests and picking).
  QPoint widgetPosition(double x, double y) const;

  VtkWidget* vtkWidget() const { return vtk_; }
  ClassBars* classBars() const { return bars_; }
  QSlider* timeSlider() const { return timeSlider_; }
  QPushButton* playButton() const { return play_; }
  QSpinBox* sampleSpin() const { return sampleSpin_; }
  QComboBox* galleryColours() const { return galleryMode_; }
  QPushButton* paintButton() const { return paint_; }
  QComboBox* paintClassBox() const { return paintClass_; }
  // The painted pixels: a class per pixel, -1 = not painted (empty before a label map).
  const std::vector<int64_t>& paintedPixels() const { return painted_; }
  // Paints the pixels within `radius` (a square) of `node` with `cls` (-1 erases), as the
  // brush does; emits givenPainted.
  void paintPixels(int64_t node, int64_t cls, int radius = 1);
  void clearPainted();
  // The VTK picture with the legend beside it (File > Export view, the demo).
  QImage renderToImage();
  // Most maps in the gallery (each is a texture; a user's sampling may draw thousands).
  static constexpr int kMaxGallery = 32;

 Q_SIGNALS:
  void pixelInspected(int node, const std::vector<int>& classes);
  // The painted pixels changed (a class per pixel, -1 = free).
  void givenPainted(const std::vector<int64_t>& labels);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void rebuild();
  void updateScrub();
  void updateMarkers();
  void updateInspector();
  void updateCaption();
  void fitCamera();
  void emitInspected();
  ImageInfo image() const;
  bool pick(const QPointF& position, double* x, double* y) const;
  // Paints at a world point of the scrubbed argmax map, if it is on it.
  void paintAt(double x, double y);

  VtkWidget* vtk_;
  ClassBars* bars_;
  QScrollArea* legend_;
  QSpinBox* sampleSpin_;
  QSlider* timeSlider_;
  QLabel* timeLabel_;
  QPushButton* play_;
  QTimer* animation_;
  QTimer* relayout_;
  QComboBox* galleryMode_;
  QPushButton* paint_;
  QComboBox* paintClass_;
  std::vector<int64_t> painted_;
  bool painting_ = false;  // the left button is down in paint mode

  DataSummary data_;
  std::shared_ptr<const SampleSet> samples_;
  bool preview_ = false;
  int selected_ = 0;
  int64_t inspected_ = -1;
  std::vector<int> pinned_;
  std::vector<int> emittedClasses_;  // sent with the last pixelInspected
  bool cameraMoved_ = false;
  QString notice_;  // a one-line remark under the caption (a click on a map without flow)

  std::vector<MapRect> galleryRects_;
  MapRect scrubRects_[3];
  double contentBounds_[4] = {0, 1, -1, 0};  // xmin, xmax, ymin, ymax of everything drawn
  std::vector<vtkSmartPointer<vtkImageData>> galleryImages_;
  vtkSmartPointer<vtkImageData> scrubImages_[3];
  vtkSmartPointer<vtkPropCollection> props_;
  vtkSmartPointer<vtkActor> markers_;
  vtkSmartPointer<vtkLookupTable> entropyColours_;
  vtkSmartPointer<vtkScalarBarActor> entropyBar_;
  vtkSmartPointer<vtkTextActor> caption_;
};

}  // namespace efm::ui

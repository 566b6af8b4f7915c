#pragma once
// View 1: the simplex with the sampled flows. c = 2 is drawn as the edge with time going
// up, c = 3 as the triangle, c = 4 as the tetrahedron, larger c as the face of three
// classes the user picks (points renormalised onto it). Flows are polylines coloured by
// time; the particle cloud sits at the time of the slider; the learned vector field at that
// time is drawn as arrows; vertices carry the target's class masses. Compared runs are
// overlaid, one colour per run.

#include <vtkSmartPointer.h>
#include <QColor>
#include <QPointF>
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/studio_data.h"
#include "views/view_geometry.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;
class QPushButton;
class QTimer;
class vtkActor;
class vtkPolyData;
class vtkPolyDataMapper;
class vtkLegendBoxActor;
class vtkLookupTable;
class vtkPropCollection;
class vtkScalarBarActor;
class vtkTextActor;

namespace efm::ui {

class VtkWidget;

// The flows of one compared run: drawn in its colour, named in the legend.
struct FlowLayer {
  std::shared_ptr<const SampleSet> samples;
  QColor colour;
  QString name;
};

class TrajectoryView : public QWidget {
  Q_OBJECT
 public:
  explicit TrajectoryView(QWidget* parent = nullptr);
  ~TrajectoryView() override;

  void setData(const DataSummary& data);
  const DataSummary& data() const { return data_; }
  void setSamples(std::shared_ptr<const SampleSet> samples);
  void setField(std::shared_ptr<const FieldSlice> field);
  // Several runs overlaid, each in its colour (same data; flows of different paths). The
  // slider then moves through the same fraction of every run's flow (their time ranges
  // differ: t in [0, 15], [0, 1], alpha in [1, 8]); the arrows are those of `focus`.
  // clearComparison() returns to the samples of setSamples.
  void setComparison(const std::vector<FlowLayer>& layers, int focus = 0);
  void clearComparison();
  bool comparing() const { return comparing_; }
  int layerCount() const { return int(layers_.size()); }
  int layerLines(int layer) const;  // polylines drawn for one layer
  QColor layerColour(int layer) const { return layers_.at(size_t(layer)).colour; }
  int focusedRun() const;  // SampleSet::run of the layer whose field is drawn (-1: single)
  // Slider position as a time in [t_start, t_end] of the flows shown (of the focused run
  // when comparing): [0, 15] for ours, [1, 8] (alpha) for the Dirichlet path.
  void setTime(double t);
  double time() const;
  double timeStart() const { return timeStart_; }
  double timeEnd() const;
  QString timeText() const;  // the label beside the slider
  // -1: all nodes. With more than kMaxListedNodes nodes (the pixels of a label map) one node
  // is shown at a time, chosen in a spin box: all of them would be n x flows polylines
  // (8192 x 76 points per flow of a 64 x 128 map), and -1 keeps the current node.
  void setNode(int node);
  int node() const;             // -1: all nodes
  void setMaxFlows(int flows);  // most flows drawn
  int maxFlows() const;
  void setShownClasses(const std::vector<int>& classes);
  static constexpr int kMaxListedNodes = 256;

  // Given nodes of the next samples (a label per node, -1 free; empty: none), marked at
  // their vertices. On toy data a left click on a vertex (without dragging) asks to fix the
  // shown node to that vertex's class, or to free it when it is fixed there already.
  void setGiven(std::vector<int64_t> given);
  const std::vector<int64_t>& given() const { return given_; }
  // Where vertex i of the shown simplex (or face) is drawn, in widget coordinates.
  QPoint vertexPosition(int i) const;
  QString notice() const { return notice_; }

  VtkWidget* vtkWidget() const { return vtk_; }
  QPushButton* playButton() const { return play_; }
  const ClassSelection& selection() const { return selection_; }
  // Where a point of the simplex is drawn (for tests and picking).
  Point3 place(const float* p, double t) const;
  // Grid points (full c-vectors, [G][c]) at which the field is asked for.
  std::vector<float> fieldGrid() const;
  int trajectoryLines() const;   // polylines drawn
  int trajectoryPoints() const;  // their points
  int particleCount() const;
  // While the camera moves, the flows are drawn from a decimated copy of at most
  // kInteractiveVertices points (every 4th time, then every k-th flow) and the particle
  // cloud is hidden; full detail returns when the motion ends. Mesa's software renderer sets up
  // about 8 million line vertices per second here, so 10,000 flows of 76 points cannot orbit at
  // 30 frames/s in full detail (bench/bench_studio.cpp).
  void setInteracting(bool interacting);
  static constexpr int64_t kInteractiveVertices = 20000;
  // Full detail of more than kSliceVertices points is refined progressively while the camera
  // is still: each frame shown first draws the decimated copy, then the full flows are drawn
  // in slices of at most kSliceVertices points, one per event-loop pass (each at least
  // VtkSurface::kPassGapMs after the last, and once the rasterizer has finished the slice
  // before), and shown at once when the last slice is in. So no single pass blocks the
  // window for long, however many flows are kept.
  // renderToImage draws full detail.
  static constexpr int64_t kSliceVertices = 20000;
  bool refining() const { return refineStep_ >= 0; }

 Q_SIGNALS:
  // The full-detail frame of a progressive refinement is on screen.
  void fullDetailShown();
  void fieldRequested(double time, const std::vector<float>& points);
  // A click on the vertex of class `label` with one node shown; label -1: free the node.
  void fixRequested(int node, int label);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  // One set of flows as drawn: its samples, colour (invalid: coloured by time) and actors.
  struct Layer {
    std::shared_ptr<const SampleSet> samples;
    QColor colour;
    QString name;
    vtkSmartPointer<vtkActor> lines;
    vtkSmartPointer<vtkPolyData> fullLines, interactiveLines;
    // Full detail in parts of at most kSliceVertices points, when it has more (fullLines is
    // then released and the actor `lines` draws the decimated copy in every frame shown).
    std::vector<vtkSmartPointer<vtkActor>> slices;
    vtkSmartPointer<vtkActor> particles;
    vtkSmartPointer<vtkPolyData> particleData;
    int64_t flows = 0;
    double timeAt(double fraction) const;
  };
  void rebuildFrame();
  void buildLayer(Layer& layer, const std::vector<int>& nodes);
  void buildSlices(Layer& layer, vtkPolyDataMapper* like, int64_t lines, int64_t times);
  // The polydata a layer's full-detail frame draws: its slices, or the actor's input.
  std::vector<vtkPolyData*> shownLines(const Layer& layer) const;
  // trajectory_view_refine.cpp
  bool sliced() const;
  void startRefinement();
  void refineStep();
  void showSlices(bool exact);  // renderToImage: slices instead of the decimated copy
  vtkPolyData* drawnLines(const Layer& layer) const;
  double fraction() const;  // of the slider, in [0, 1]
  void rebuildTrajectories();
  void updateParticles();
  void updateArrows();
  void requestField();
  std::vector<int> nodesShown() const;
  void clickedAt(const QPointF& position);
  QString givenCaption() const;
  void refreshCaption();  // baseCaption_ and the given nodes' lines

  VtkWidget* vtk_;
  QSlider* timeSlider_;
  QLabel* timeLabel_;
  QComboBox* node_;
  QSpinBox* nodeSpin_;  // instead of node_ when there are more than kMaxListedNodes nodes
  QSpinBox* classSpins_[3];
  QWidget* classBox_;
  QCheckBox* showField_;
  QSpinBox* maxLines_;
  QPushButton* play_;
  QTimer* animation_;

  DataSummary data_;
  std::shared_ptr<const SampleSet> samples_;  // of the single run
  bool comparing_ = false;
  std::vector<FlowLayer> comparison_;
  int focus_ = 0;
  std::vector<Layer> layers_;  // what is drawn: the single run, or the compared runs
  std::shared_ptr<const FieldSlice> field_;
  ClassSelection selection_;
  std::vector<Point3> vertices_;
  double timeStart_ = 0.0;
  double timeEnd_ = 15.0;
  bool timeAxis_ = false;  // c = 2: the vertical axis is time
  std::vector<int64_t> given_;
  QString notice_;       // the answer to the last click, shown in the caption
  QString baseCaption_;  // the flows' caption of rebuildTrajectories
  QPointF pressedAt_;    // where the left button went down (a click fixes, a drag orbits)
  bool pressed_ = false;

  vtkSmartPointer<vtkPropCollection> frameProps_;
  bool interacting_ = false;
  int refineStep_ = -1;  // the next slice of a refinement under way; -1: none
  QTimer* refiner_;
  vtkSmartPointer<vtkActor> arrows_;
  vtkSmartPointer<vtkLegendBoxActor> legend_;
  vtkSmartPointer<vtkLookupTable> timeColors_;
  vtkSmartPointer<vtkScalarBarActor> bar_;
  vtkSmartPointer<vtkTextActor> caption_;
};

}  // namespace efm::ui

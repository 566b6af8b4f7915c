#pragma once
// View 1: the simplex with the sampled flows. c = 2 is drawn as the edge with time going
// up, c = 3 as the triangle, c = 4 as the tetrahedron, larger c as the face of three
// classes the user picks (points renormalised onto it). Flows are polylines coloured by
// time; the particle cloud sits at the time of the slider; the learned vector field at that
// time is drawn as arrows; vertices carry the target's class masses.

#include <QWidget>
#include <memory>
#include <vtkSmartPointer.h>

#include "engine/studio_data.h"
#include "views/view_geometry.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;
class vtkActor;
class vtkPolyData;
class vtkLookupTable;
class vtkPropCollection;
class vtkScalarBarActor;
class vtkTextActor;

namespace efm::ui {

class VtkWidget;

class TrajectoryView : public QWidget {
  Q_OBJECT
 public:
  explicit TrajectoryView(QWidget* parent = nullptr);
  ~TrajectoryView() override;

  void setData(const DataSummary& data);
  void setSamples(std::shared_ptr<const SampleSet> samples);
  void setField(std::shared_ptr<const FieldSlice> field);
  // Slider position as a time in [0, t_end].
  void setTime(double t);
  double time() const;
  double timeEnd() const;
  void setNode(int node);  // -1: all nodes
  void setShownClasses(const std::vector<int>& classes);

  VtkWidget* vtkWidget() const { return vtk_; }
  const ClassSelection& selection() const { return selection_; }
  // Where a point of the simplex is drawn (for tests and picking).
  Point3 place(const float* p, double t) const;
  // Grid points (full c-vectors, [G][c]) at which the field is asked for.
  std::vector<float> fieldGrid() const;
  int trajectoryLines() const;  // polylines drawn
  int particleCount() const;

 Q_SIGNALS:
  void fieldRequested(double time, const std::vector<float>& points);

 private:
  void rebuildFrame();
  void rebuildTrajectories();
  void updateParticles();
  void updateArrows();
  void requestField();
  std::vector<int> nodesShown() const;

  VtkWidget* vtk_;
  QSlider* timeSlider_;
  QLabel* timeLabel_;
  QComboBox* node_;
  QSpinBox* classSpins_[3];
  QWidget* classBox_;
  QCheckBox* showField_;
  QSpinBox* maxLines_;

  DataSummary data_;
  std::shared_ptr<const SampleSet> samples_;
  std::shared_ptr<const FieldSlice> field_;
  ClassSelection selection_;
  std::vector<Point3> vertices_;
  double timeEnd_ = 15.0;
  bool timeAxis_ = false;  // c = 2: the vertical axis is time

  vtkSmartPointer<vtkPropCollection> frameProps_;
  vtkSmartPointer<vtkActor> lines_;
  vtkSmartPointer<vtkActor> particles_;
  vtkSmartPointer<vtkPolyData> particleData_;
  vtkSmartPointer<vtkActor> arrows_;
  vtkSmartPointer<vtkLookupTable> timeColors_;
  vtkSmartPointer<vtkScalarBarActor> bar_;
  vtkSmartPointer<vtkTextActor> caption_;
};

}  // namespace efm::ui

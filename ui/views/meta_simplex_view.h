#pragma once
// View 3: joint distributions. For two binary variables (n = 2, c = 2) the tetrahedron of
// all joints, with the independence surface (the image of the Segre map) as a translucent
// ruled surface, the target as a point, the factorizing end points T(W_end) of sampled
// flows on the surface, and their average (the model's joint) inside, with the trail it
// has followed during training. For larger tables, heat maps of the target and the model
// joint of nodes 1 and 2 side by side (c x c), with their marginals.

#include <vtkSmartPointer.h>
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/studio_data.h"
#include "views/view_geometry.h"

class vtkPropCollection;
class vtkTextActor;

namespace efm::ui {

class VtkWidget;

class MetaSimplexView : public QWidget {
  Q_OBJECT
 public:
  explicit MetaSimplexView(QWidget* parent = nullptr);
  ~MetaSimplexView() override;

  void setData(const DataSummary& data);
  void setSamples(std::shared_ptr<const SampleSet> samples);
  void clearTrail();

  bool showsTetrahedron() const;
  VtkWidget* vtkWidget() const { return vtk_; }
  // What is drawn, for tests.
  const std::vector<Point3>& trail() const { return trail_; }
  const std::vector<Point3>& surfacePoints() const { return surface_; }
  // The joint the model is compared with: the data's, or for samples with given nodes the
  // exact conditional p(x | given).
  const std::vector<double>& targetJoint() const;
  // The joint of nodes 1 and 2 (c x c, row = node 1) of a c^n table.
  static std::vector<double> pairJoint(const std::vector<double>& joint, int64_t variables,
                                       int64_t classes);

 private:
  void rebuild();
  void buildTetrahedron();
  void buildHeatMaps();

  VtkWidget* vtk_;
  DataSummary data_;
  std::shared_ptr<const SampleSet> samples_;
  std::vector<Point3> trail_;
  std::vector<Point3> surface_;
  vtkSmartPointer<vtkPropCollection> props_;
  vtkSmartPointer<vtkTextActor> caption_;
  bool cameraSet_ = false;
};

}  // namespace efm::ui

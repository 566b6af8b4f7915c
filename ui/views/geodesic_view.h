#pragma once
// View 2: the geodesic explorer on the triangle S_3. The user drags two points p and q
// with the left mouse button; the e-geodesic, the m-geodesic and the Fisher-Rao geodesic
// between them are drawn with their Fisher-Rao lengths, and optionally Fisher-Rao balls
// (iso-distance contours) around p. Right button and wheel zoom, middle button pans.

#include <vtkSmartPointer.h>
#include <Eigen/Dense>
#include <QWidget>
#include <array>

#include "views/view_geometry.h"

class QCheckBox;
class QLabel;
class vtkActor;
class vtkPolyData;
class vtkTextActor;

namespace efm::ui {

class VtkWidget;

class GeodesicView : public QWidget {
  Q_OBJECT
 public:
  explicit GeodesicView(QWidget* parent = nullptr);

  void setPoints(const Eigen::Vector3d& p, const Eigen::Vector3d& q);
  const Eigen::Vector3d& p() const { return p_; }
  const Eigen::Vector3d& q() const { return q_; }
  void setBallsVisible(bool visible);

  // Fisher-Rao length of each drawn curve (same order as GeodesicKind).
  const std::array<double, 3>& lengths() const { return lengths_; }
  // The drawn polyline of a curve in view coordinates.
  std::vector<Point3> curvePoints(GeodesicKind kind) const;
  // Radii of the drawn Fisher-Rao balls and the points of their contour lines.
  const std::vector<double>& ballRadii() const { return radii_; }
  std::vector<Point3> ballPoints() const;
  VtkWidget* vtkWidget() const { return vtk_; }
  // The simplex point under a widget position (logical pixels), clamped into the open
  // simplex: what a click there picks.
  Eigen::Vector3d pick(const QPointF& position) const;

  static constexpr int kCurveSamples = 201;

 Q_SIGNALS:
  void pointsChanged(const Eigen::Vector3d& p, const Eigen::Vector3d& q);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void rebuild();
  void rebuildBalls();

  VtkWidget* vtk_;
  QLabel* readout_;
  QCheckBox* balls_;
  Eigen::Vector3d p_{0.6, 0.25, 0.15}, q_{0.1, 0.2, 0.7};
  int dragging_ = -1;  // 0: p, 1: q
  std::array<double, 3> lengths_{};
  std::array<vtkSmartPointer<vtkPolyData>, 3> curves_;
  std::array<vtkSmartPointer<vtkActor>, 3> curveActors_;
  vtkSmartPointer<vtkActor> pointActors_[2];
  vtkSmartPointer<vtkActor> ballActor_;
  vtkSmartPointer<vtkTextActor> text_;
  vtkSmartPointer<vtkTextActor> pLabel_, qLabel_;
  std::vector<double> radii_;
};

}  // namespace efm::ui

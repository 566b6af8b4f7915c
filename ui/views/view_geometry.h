#pragma once
// Where things go in the views: how points of a simplex, curves between them and joint
// distributions of two binary variables are placed in 3-D. Pure geometry in double
// precision (Eigen), no VTK and no LibTorch, so that every picture the views draw can be
// checked numerically (tests/gui/test_view_geometry.cpp).

#include <Eigen/Dense>
#include <array>
#include <string>
#include <vector>

namespace efm::ui {

using Point3 = Eigen::Vector3d;

// Vertices of the k-class simplex drawn regularly with unit edges and the barycenter at the
// origin: k = 2 a segment on the x axis, k = 3 a triangle in the z = 0 plane, k = 4 a
// tetrahedron. Other k throw std::invalid_argument.
std::vector<Point3> simplexVertices(int k);

// The point sum_i p_i v_i of the simplex picture for p in S_k (k = p.size()).
Point3 embedSimplexPoint(const Eigen::VectorXd& p);
Point3 embedSimplexPoint(const float* p, int k, const std::vector<Point3>& vertices);

// The classes a view shows of a c-class distribution: all of them for c <= 4, otherwise the
// three the user picked. A point is shown by its conditional distribution on those classes
// (the probabilities renormalised), which is the central projection onto that face.
class ClassSelection {
 public:
  ClassSelection() = default;
  // Throws std::invalid_argument unless the classes are distinct, in [0, c), and there are
  // 2 to 4 of them.
  ClassSelection(int classes, std::vector<int> shown);
  static ClassSelection defaultFor(int classes);  // all classes if c <= 4, else {0, 1, 2}

  int classes() const { return classes_; }
  const std::vector<int>& shown() const { return shown_; }
  int dimension() const { return static_cast<int>(shown_.size()); }
  // Renormalised probabilities of the shown classes; p has `classes()` entries.
  Eigen::VectorXd project(const float* p) const;
  // sum_i project(p)_i vertices[i], without allocating: it runs for every drawn point.
  Point3 embed(const float* p, const std::vector<Point3>& vertices) const;

 private:
  // The clipped masses of the shown classes into `out`; returns their sum.
  double shownMasses(const float* p, double* out) const;

  int classes_ = 0;
  std::vector<int> shown_;
};

// Barycentric coordinates of a point of the triangle plane (z ignored), clamped into the
// open simplex: every coordinate at least `floor` and the sum 1. For picking with the mouse.
Eigen::Vector3d triangleBarycentric(const Point3& position, double floor = 1e-3);

// The three geodesics between p and q (docs/METHOD.md section 1), sampled at `samples` equally
// spaced parameters in [0, 1]; columns are points of the simplex.
enum class GeodesicKind { Exponential, Mixture, FisherRao };
std::string geodesicName(GeodesicKind kind);
Eigen::MatrixXd geodesicCurve(GeodesicKind kind, const Eigen::VectorXd& p, const Eigen::VectorXd& q,
                              int samples);

// A regular triangular grid over the 2-simplex with `divisions` intervals per edge, shrunk
// by `inset` toward the barycenter so every node is an interior point (the Fisher-Rao
// distance is finite there). Nodes as columns of barycentric coordinates; triangles index
// the nodes.
struct TriangleGrid {
  Eigen::MatrixXd nodes;                  // 3 x N
  std::vector<std::array<int, 3>> cells;  // triangles
};
TriangleGrid triangleGrid(int divisions, double inset = 1e-3);

// The Fisher-Rao sphere {x : d_FR(p, x) = r} in S_3, exactly: in square-root coordinates
// s = sqrt(x) the simplex is an octant of the unit sphere and the set is the circle where
// <sqrt(p), s> = cos(r / 2). Returned as the arcs of that circle inside the simplex
// (columns: points), sampled at `samples` angles of the whole circle.
std::vector<Eigen::MatrixXd> fisherRaoCircle(const Eigen::Vector3d& p, double r, int samples);

// --- The meta-simplex of two binary variables (docs/METHOD.md section 6) ---
// A joint distribution p(a, b), a, b in {0, 1}, listed as (p00, p01, p10, p11), is drawn
// as the point sum p_ab v_ab of a regular tetrahedron.
Point3 embedJoint2x2(const Eigen::Vector4d& joint);
// The independence surface: joints u (x) v, u = (1 - s, s), v = (1 - r, r); a grid of
// (divisions + 1)^2 joints, s slowest.
std::vector<Eigen::Vector4d> segreSurface(int divisions);
// The factorizing joint of two nodes' distributions (each of 2 classes).
Eigen::Vector4d segreJoint(const Eigen::Vector2d& u, const Eigen::Vector2d& v);

}  // namespace efm::ui

#include "view_geometry.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include "efm/geometry/geometry_exact.h"

namespace efm::ui {

std::vector<Point3> simplexVertices(int k) {
  const double s3 = std::sqrt(3.0);
  switch (k) {
    case 2:
      return {Point3(-0.5, 0, 0), Point3(0.5, 0, 0)};
    case 3:
      return {Point3(-0.5, -s3 / 6, 0), Point3(0.5, -s3 / 6, 0), Point3(0, s3 / 3, 0)};
    case 4: {
      // Alternate corners of a cube of edge 1/sqrt(2): edges of length 1, centred.
      const double a = 0.5 / std::sqrt(2.0);
      return {Point3(a, a, a), Point3(a, -a, -a), Point3(-a, a, -a), Point3(-a, -a, a)};
    }
    default:
      throw std::invalid_argument("a simplex picture has 2 to 4 vertices, not " +
                                  std::to_string(k));
  }
}

Point3 embedSimplexPoint(const Eigen::VectorXd& p) {
  const std::vector<Point3> vertices = simplexVertices(static_cast<int>(p.size()));
  Point3 x = Point3::Zero();
  for (int i = 0; i < p.size(); ++i) x += p[i] * vertices[i];
  return x;
}

Point3 embedSimplexPoint(const float* p, int k, const std::vector<Point3>& vertices) {
  Point3 x = Point3::Zero();
  for (int i = 0; i < k; ++i) x += double(p[i]) * vertices[i];
  return x;
}

ClassSelection::ClassSelection(int classes, std::vector<int> shown)
    : classes_(classes), shown_(std::move(shown)) {
  if (shown_.size() < 2 || shown_.size() > 4)
    throw std::invalid_argument("a view shows 2 to 4 classes");
  std::vector<int> sorted = shown_;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw std::invalid_argument("the classes a view shows must be distinct");
  if (sorted.front() < 0 || sorted.back() >= classes)
    throw std::invalid_argument("class " + std::to_string(sorted.back() + 1) +
                                " does not exist (c = " + std::to_string(classes) + ")");
}

ClassSelection ClassSelection::defaultFor(int classes) {
  std::vector<int> shown;
  for (int i = 0; i < std::min(classes, classes <= 4 ? 4 : 3); ++i) shown.push_back(i);
  return ClassSelection(classes, shown);
}

double ClassSelection::shownMasses(const float* p, double* out) const {
  double total = 0;
  for (int i = 0; i < dimension(); ++i) total += out[i] = std::max(0.0, double(p[shown_[i]]));
  return total;
}

Eigen::VectorXd ClassSelection::project(const float* p) const {
  Eigen::VectorXd q(dimension());
  const double total = shownMasses(p, q.data());
  if (total <= 0) return Eigen::VectorXd::Constant(dimension(), 1.0 / dimension());
  return q / total;
}

Point3 ClassSelection::embed(const float* p, const std::vector<Point3>& vertices) const {
  double q[4];  // at most 4 shown classes (checked by the constructor)
  const double total = shownMasses(p, q);
  Point3 x = Point3::Zero();
  for (int i = 0; i < dimension(); ++i)
    x += (total > 0 ? q[i] / total : 1.0 / dimension()) * vertices[size_t(i)];
  return x;
}

Eigen::Vector3d triangleBarycentric(const Point3& position, double floor) {
  const std::vector<Point3> v = simplexVertices(3);
  Eigen::Matrix2d basis;
  basis.col(0) = (v[0] - v[2]).head<2>();
  basis.col(1) = (v[1] - v[2]).head<2>();
  const Eigen::Vector2d ab = basis.fullPivLu().solve((position - v[2]).head<2>());
  Eigen::Vector3d b(ab[0], ab[1], 1 - ab[0] - ab[1]);
  // Into {b_i >= floor, sum 1}: clip at the floor, then take the excess from the
  // coordinates that have room, in proportion to it.
  b = b.cwiseMax(floor);
  const double excess = b.sum() - 1;
  Eigen::Vector3d room = (b.array() - floor).matrix();
  if (room.sum() > 0) b -= excess * room / room.sum();
  return b;
}

std::string geodesicName(GeodesicKind kind) {
  switch (kind) {
    case GeodesicKind::Exponential:
      return "e-geodesic";
    case GeodesicKind::Mixture:
      return "m-geodesic";
    case GeodesicKind::FisherRao:
      return "Fisher-Rao geodesic";
  }
  return {};
}

Eigen::MatrixXd geodesicCurve(GeodesicKind kind, const Eigen::VectorXd& p, const Eigen::VectorXd& q,
                              int samples) {
  Eigen::MatrixXd points(p.size(), samples);
  for (int i = 0; i < samples; ++i) {
    const double t = samples > 1 ? double(i) / (samples - 1) : 0.0;
    switch (kind) {
      case GeodesicKind::Exponential:
        points.col(i) = exact::eGeodesic(p, q, t);
        break;
      case GeodesicKind::Mixture:
        points.col(i) = exact::mGeodesic(p, q, t);
        break;
      case GeodesicKind::FisherRao:
        points.col(i) = exact::fisherRaoGeodesic(p, q, t);
        break;
    }
  }
  return points;
}

TriangleGrid triangleGrid(int divisions, double inset) {
  TriangleGrid grid;
  std::vector<Eigen::Vector3d> nodes;
  std::vector<std::vector<int>> index(divisions + 1);
  const Eigen::Vector3d center = Eigen::Vector3d::Constant(1.0 / 3);
  for (int i = 0; i <= divisions; ++i) {
    for (int j = 0; j <= divisions - i; ++j) {
      const Eigen::Vector3d b(double(i) / divisions, double(j) / divisions,
                              double(divisions - i - j) / divisions);
      index[i].push_back(static_cast<int>(nodes.size()));
      nodes.push_back((1 - 3 * inset) * b + 3 * inset * center);
    }
  }
  for (int i = 0; i < divisions; ++i) {
    for (int j = 0; j < divisions - i; ++j) {
      grid.cells.push_back({index[i][j], index[i + 1][j], index[i][j + 1]});
      if (j + 1 < divisions - i)
        grid.cells.push_back({index[i + 1][j], index[i + 1][j + 1], index[i][j + 1]});
    }
  }
  grid.nodes.resize(3, static_cast<Eigen::Index>(nodes.size()));
  for (size_t k = 0; k < nodes.size(); ++k) grid.nodes.col(k) = nodes[k];
  return grid;
}

std::vector<Eigen::MatrixXd> fisherRaoCircle(const Eigen::Vector3d& p, double r, int samples) {
  const Eigen::Vector3d center = p.cwiseSqrt();
  // An orthonormal basis of the plane orthogonal to sqrt(p).
  Eigen::Vector3d u = Eigen::Vector3d::UnitX() - center[0] * center;
  if (u.norm() < 1e-6) u = Eigen::Vector3d::UnitY() - center[1] * center;
  u.normalize();
  const Eigen::Vector3d v = center.cross(u).normalized();
  std::vector<Eigen::MatrixXd> arcs;
  std::vector<Eigen::Vector3d> arc;
  auto flush = [&] {
    if (arc.size() >= 2) {
      Eigen::MatrixXd m(3, Eigen::Index(arc.size()));
      for (size_t i = 0; i < arc.size(); ++i) m.col(Eigen::Index(i)) = arc[i];
      arcs.push_back(m);
    }
    arc.clear();
  };
  for (int i = 0; i <= samples; ++i) {
    const double theta = 2 * M_PI * i / samples;
    const Eigen::Vector3d s =
        std::cos(r / 2) * center + std::sin(r / 2) * (std::cos(theta) * u + std::sin(theta) * v);
    if (s.minCoeff() < 0) {
      flush();  // this part of the circle lies outside the simplex
      continue;
    }
    arc.push_back(s.cwiseProduct(s));
  }
  flush();
  // The circle closes at theta = 2 pi: join the last arc to the first when both touch it.
  if (arcs.size() >= 2) {
    const Eigen::MatrixXd& first = arcs.front();
    const Eigen::MatrixXd& last = arcs.back();
    if ((last.col(last.cols() - 1) - first.col(0)).norm() < 1e-12) {
      Eigen::MatrixXd joined(3, last.cols() + first.cols() - 1);
      joined << last, first.rightCols(first.cols() - 1);
      arcs.front() = joined;
      arcs.pop_back();
    }
  }
  return arcs;
}

Point3 embedJoint2x2(const Eigen::Vector4d& joint) {
  const std::vector<Point3> v = simplexVertices(4);
  return joint[0] * v[0] + joint[1] * v[1] + joint[2] * v[2] + joint[3] * v[3];
}

Eigen::Vector4d segreJoint(const Eigen::Vector2d& u, const Eigen::Vector2d& v) {
  return Eigen::Vector4d(u[0] * v[0], u[0] * v[1], u[1] * v[0], u[1] * v[1]);
}

std::vector<Eigen::Vector4d> segreSurface(int divisions) {
  std::vector<Eigen::Vector4d> joints;
  for (int i = 0; i <= divisions; ++i) {
    const double s = double(i) / divisions;
    for (int j = 0; j <= divisions; ++j) {
      const double r = double(j) / divisions;
      joints.push_back(segreJoint(Eigen::Vector2d(1 - s, s), Eigen::Vector2d(1 - r, r)));
    }
  }
  return joints;
}

}  // namespace efm::ui

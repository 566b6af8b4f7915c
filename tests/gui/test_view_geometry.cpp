// The geometry the views draw, checked numerically against independent closed forms.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include "efm/geometry/geometry_exact.h"

#include "views/meta_simplex_view.h"
#include "views/view_geometry.h"

using namespace efm::ui;
using Catch::Matchers::WithinAbs;

namespace {
Eigen::VectorXd randomInterior(std::mt19937& rng, int k) {
  std::gamma_distribution<double> gamma(1.0, 1.0);
  Eigen::VectorXd p(k);
  for (int i = 0; i < k; ++i) p[i] = gamma(rng) + 0.02;
  return p / p.sum();
}
}  // namespace

TEST_CASE("simplex pictures are regular with unit edges around the origin", "[geometry]") {
  for (int k : {2, 3, 4}) {
    const std::vector<Point3> v = simplexVertices(k);
    REQUIRE(int(v.size()) == k);
    Point3 centroid = Point3::Zero();
    for (int i = 0; i < k; ++i) {
      centroid += v[i] / k;
      for (int j = i + 1; j < k; ++j) CHECK_THAT((v[i] - v[j]).norm(), WithinAbs(1.0, 1e-12));
    }
    CHECK(centroid.norm() < 1e-12);
    for (int i = 0; i < k; ++i) {
      Eigen::VectorXd e = Eigen::VectorXd::Zero(k);
      e[i] = 1;
      CHECK((embedSimplexPoint(e) - v[i]).norm() < 1e-12);
    }
  }
  CHECK(simplexVertices(3)[0].z() == 0);
  CHECK_THROWS_AS(simplexVertices(5), std::invalid_argument);
}

TEST_CASE("picking inverts the triangle embedding and clamps outside points", "[geometry]") {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 100; ++trial) {
    const Eigen::VectorXd p = randomInterior(rng, 3);
    const Eigen::Vector3d back = triangleBarycentric(embedSimplexPoint(p), 1e-6);
    CHECK((back - p).norm() < 1e-9);
  }
  // Far outside, beyond vertex 1: the pick is the clamped corner.
  const Eigen::Vector3d corner = triangleBarycentric(simplexVertices(3)[0] * 3.0, 1e-3);
  CHECK_THAT(corner.sum(), WithinAbs(1.0, 1e-12));
  CHECK(corner.minCoeff() >= 1e-3 - 1e-15);
  CHECK(corner[0] > 0.99);
}

TEST_CASE("class selection renormalises onto the face of the shown classes", "[geometry]") {
  const ClassSelection s(6, {4, 1, 2});
  const float p[6] = {0.1f, 0.2f, 0.1f, 0.2f, 0.1f, 0.3f};
  const Eigen::VectorXd q = s.project(p);
  CHECK_THAT(q[0], WithinAbs(0.25, 1e-7));
  CHECK_THAT(q[1], WithinAbs(0.5, 1e-7));
  CHECK_THAT(q[2], WithinAbs(0.25, 1e-7));
  CHECK(ClassSelection::defaultFor(4).dimension() == 4);
  CHECK(ClassSelection::defaultFor(91).dimension() == 3);
  CHECK_THROWS_AS(ClassSelection(6, {1, 1, 2}), std::invalid_argument);
  CHECK_THROWS_AS(ClassSelection(3, {0, 1, 3}), std::invalid_argument);
}

TEST_CASE("geodesic midpoints match the closed forms", "[geometry]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const Eigen::VectorXd p = randomInterior(rng, 3), q = randomInterior(rng, 3);
    // e: normalised geometric mean; m: arithmetic mean; Fisher-Rao: the great circle
    // midpoint in square-root coordinates, squared.
    Eigen::VectorXd e = (p.array() * q.array()).sqrt().matrix();
    e /= e.sum();
    const Eigen::VectorXd m = (p + q) / 2;
    Eigen::VectorXd s = p.array().sqrt().matrix() + q.array().sqrt().matrix();
    s.normalize();
    const Eigen::VectorXd f = s.array().square().matrix();
    CHECK((geodesicCurve(GeodesicKind::Exponential, p, q, 3).col(1) - e).norm() < 1e-12);
    CHECK((geodesicCurve(GeodesicKind::Mixture, p, q, 3).col(1) - m).norm() < 1e-12);
    CHECK((geodesicCurve(GeodesicKind::FisherRao, p, q, 3).col(1) - f).norm() < 1e-12);
  }
}

TEST_CASE("the independence surface consists of factorizing joints inside the tetrahedron",
          "[geometry]") {
  const std::vector<Point3> v = simplexVertices(4);
  Eigen::Matrix4d toBarycentric;  // [x; 1] = M b
  for (int i = 0; i < 4; ++i) toBarycentric.col(i) << v[i], 1.0;
  for (const Eigen::Vector4d& joint : segreSurface(12)) {
    CHECK_THAT(joint.sum(), WithinAbs(1.0, 1e-12));
    CHECK_THAT(joint[0] * joint[3] - joint[1] * joint[2], WithinAbs(0.0, 1e-12));
    // Drawn where it belongs: the barycentric coordinates of its picture are the joint.
    Eigen::Vector4d x;
    x << embedJoint2x2(joint), 1.0;
    const Eigen::Vector4d b = toBarycentric.fullPivLu().solve(x);
    CHECK((b - joint).norm() < 1e-10);
  }
  // A coupled joint is off the surface: det != 0.
  const Eigen::Vector4d coupled(0.4, 0.1, 0.1, 0.4);
  CHECK(std::abs(coupled[0] * coupled[3] - coupled[1] * coupled[2]) > 0.1);
}

TEST_CASE("pair joints sum out the other nodes", "[geometry]") {
  // n = 3, c = 2: p(a, b, c) with index a*4 + b*2 + c.
  const std::vector<double> joint = {0.05, 0.15, 0.1, 0.2, 0.0, 0.1, 0.25, 0.15};
  const std::vector<double> pair = MetaSimplexView::pairJoint(joint, 3, 2);
  REQUIRE(pair.size() == 4);
  CHECK_THAT(pair[0], WithinAbs(0.2, 1e-12));
  CHECK_THAT(pair[1], WithinAbs(0.3, 1e-12));
  CHECK_THAT(pair[2], WithinAbs(0.1, 1e-12));
  CHECK_THAT(pair[3], WithinAbs(0.4, 1e-12));
}

TEST_CASE("triangle grids cover the open simplex", "[geometry]") {
  const TriangleGrid grid = triangleGrid(10, 1e-3);
  CHECK(grid.nodes.cols() == 66);   // (d + 1)(d + 2) / 2
  CHECK(grid.cells.size() == 100);  // d^2
  for (int i = 0; i < grid.nodes.cols(); ++i) {
    CHECK_THAT(grid.nodes.col(i).sum(), WithinAbs(1.0, 1e-12));
    CHECK(grid.nodes.col(i).minCoeff() > 0);
  }
}

TEST_CASE("Fisher-Rao circles are exact and stay inside the simplex", "[geometry]") {
  const Eigen::Vector3d p(0.6, 0.3, 0.1);
  for (double r : {0.2, 0.8, 1.6, 2.3}) {
    const std::vector<Eigen::MatrixXd> arcs = fisherRaoCircle(p, r, 720);
    REQUIRE_FALSE(arcs.empty());
    for (const Eigen::MatrixXd& arc : arcs)
      for (Eigen::Index j = 0; j < arc.cols(); ++j) {
        CHECK(arc.col(j).minCoeff() >= 0);
        CHECK_THAT(arc.col(j).sum(), WithinAbs(1.0, 1e-12));
        CHECK_THAT(efm::exact::fisherRaoDistance(p, arc.col(j).cwiseMax(1e-300)),
                   WithinAbs(r, 1e-6));
      }
  }
  // A small circle is one closed curve; a large one leaves the simplex and is cut into arcs.
  CHECK(fisherRaoCircle(p, 0.2, 720).size() == 1);
  CHECK(!fisherRaoCircle(p, 2.3, 720).empty());
  // Farther than the farthest vertex (2 arccos sqrt(0.1) = 2.498): nothing to draw.
  CHECK(fisherRaoCircle(p, 2.6, 720).empty());
}

TEST_CASE("embedding a selection places the renormalised point", "[geometry]") {
  const ClassSelection s(6, {4, 1, 2});
  const std::vector<Point3> v = simplexVertices(3);
  const float p[6] = {0.1f, 0.2f, 0.1f, 0.2f, 0.1f, 0.3f};
  CHECK((s.embed(p, v) - (0.25 * v[0] + 0.5 * v[1] + 0.25 * v[2])).norm() < 1e-7);
  const float none[6] = {0.5f, 0.0f, 0.0f, 0.5f, 0.0f, 0.0f};  // no mass on the face
  CHECK(s.embed(none, v).norm() < 1e-12);                      // its barycenter
}

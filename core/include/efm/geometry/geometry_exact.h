#pragma once
// The same geometry for a single point in double precision with Eigen: for the views of
// the desktop application (small, exact, no LibTorch) and as an independent reference in
// the tests. p and q are points of the open simplex S_c.
#include <Eigen/Core>

namespace efm::exact {

using Vector = Eigen::VectorXd;

Vector projectTangent(const Vector& v);
Vector replicator(const Vector& p, const Vector& v);
double fisherRaoInner(const Vector& p, const Vector& u, const Vector& v);
Vector lift(const Vector& p, const Vector& v);
Vector softmax(const Vector& v);

Vector eGeodesic(const Vector& p, const Vector& q, double t);
Vector eGeodesicVelocity(const Vector& p, const Vector& q, double t);
Vector mGeodesic(const Vector& p, const Vector& q, double t);
Vector fisherRaoGeodesic(const Vector& p, const Vector& q, double t);
double fisherRaoDistance(const Vector& p, const Vector& q);

// Fisher-Rao length of a polyline through the given points (columns), integrating the
// metric along each segment with the midpoint rule. Used to measure any of the curves.
double fisherRaoLength(const Eigen::MatrixXd& points);

// Segre map of an n x c matrix (rows in S_c) to the c^n joint, a_1 slowest.
Vector segre(const Eigen::MatrixXd& w);

}  // namespace efm::exact

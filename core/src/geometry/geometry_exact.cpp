#include "efm/geometry/geometry_exact.h"

#include <algorithm>
#include <cmath>

namespace efm::exact {

Vector projectTangent(const Vector& v) { return v.array() - v.mean(); }

Vector replicator(const Vector& p, const Vector& v) { return p.cwiseProduct(v) - p.dot(v) * p; }

double fisherRaoInner(const Vector& p, const Vector& u, const Vector& v) {
  return (u.array() * v.array() / p.array()).sum();
}

Vector softmax(const Vector& v) {
  const Vector e = (v.array() - v.maxCoeff()).exp();
  return e / e.sum();
}

Vector lift(const Vector& p, const Vector& v) { return softmax(p.array().log().matrix() + v); }

Vector eGeodesic(const Vector& p, const Vector& q, double t) {
  return softmax(((1 - t) * p.array().log() + t * q.array().log()).matrix());
}

Vector eGeodesicVelocity(const Vector& p, const Vector& q, double t) {
  return replicator(eGeodesic(p, q, t), (q.array().log() - p.array().log()).matrix());
}

Vector mGeodesic(const Vector& p, const Vector& q, double t) { return (1 - t) * p + t * q; }

Vector fisherRaoGeodesic(const Vector& p, const Vector& q, double t) {
  const Vector sp = p.cwiseSqrt(), sq = q.cwiseSqrt();
  const double a = std::acos(std::clamp(sp.dot(sq), -1.0, 1.0));
  if (std::sin(a) < 1e-12) return mGeodesic(p, q, t);
  const Vector root = (std::sin((1 - t) * a) * sp + std::sin(t * a) * sq) / std::sin(a);
  const Vector g = root.cwiseProduct(root);
  return g / g.sum();
}

double fisherRaoDistance(const Vector& p, const Vector& q) {
  const double chord = (p.cwiseSqrt() - q.cwiseSqrt()).norm();
  return 4 * std::asin(std::clamp(chord / 2, 0.0, 1.0));
}

double fisherRaoLength(const Eigen::MatrixXd& points) {
  double length = 0;
  for (Eigen::Index k = 0; k + 1 < points.cols(); ++k) {
    const Vector d = points.col(k + 1) - points.col(k);
    const Vector mid = 0.5 * (points.col(k + 1) + points.col(k));
    length += std::sqrt(fisherRaoInner(mid, d, d));
  }
  return length;
}

Vector segre(const Eigen::MatrixXd& w) {
  Vector acc = w.row(0).transpose();
  for (Eigen::Index i = 1; i < w.rows(); ++i) {
    Vector next(acc.size() * w.cols());
    for (Eigen::Index a = 0; a < acc.size(); ++a)
      for (Eigen::Index j = 0; j < w.cols(); ++j) next(a * w.cols() + j) = acc(a) * w(i, j);
    acc = next;
  }
  return acc;
}

}  // namespace efm::exact

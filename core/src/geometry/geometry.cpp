#include "efm/geometry/geometry.h"

#include <torch/torch.h>

#include <cmath>

namespace efm::geometry {

namespace {
// Dot product over the class dimension, keeping it for broadcasting.
Tensor dotLast(const Tensor& a, const Tensor& b) { return (a * b).sum(-1, /*keepdim=*/true); }

// t broadcast against [..., c]: a scalar stays a scalar, [B] becomes [B, 1, ..., 1].
Tensor timeLike(const Tensor& t, const Tensor& point) {
  if (t.dim() == 0) return t;
  auto shape = t.sizes().vec();
  while (static_cast<int64_t>(shape.size()) < point.dim()) shape.push_back(1);
  return t.reshape(shape);
}
}  // namespace

Tensor projectTangent(const Tensor& v) { return v - v.mean(-1, /*keepdim=*/true); }

Tensor replicator(const Tensor& p, const Tensor& v) { return p * (v - dotLast(p, v)); }

Tensor replicatorQuadratic(const Tensor& p, const Tensor& v) {
  // Centering v before squaring avoids the cancellation of E[v^2] - E[v]^2.
  const Tensor centered = v - dotLast(p, v);
  return (p * centered * centered).sum(-1);
}

Tensor fisherRaoInner(const Tensor& p, const Tensor& u, const Tensor& v) {
  return (u * v / p).sum(-1);
}

Tensor lift(const Tensor& p, const Tensor& v) { return torch::softmax(p.log() + v, -1); }

Tensor liftLog(const Tensor& logP, const Tensor& v) { return torch::log_softmax(logP + v, -1); }

Tensor logitCoordinates(const Tensor& logW) { return projectTangent(logW); }

Tensor barycenter(torch::IntArrayRef shape, const torch::TensorOptions& options) {
  return torch::full(shape, 1.0 / static_cast<double>(shape.back()), options);
}

Tensor eGeodesicLog(const Tensor& logP, const Tensor& logQ, const Tensor& t) {
  const Tensor s = timeLike(t, logP);
  return torch::log_softmax((1 - s) * logP + s * logQ, -1);
}

Tensor eGeodesic(const Tensor& p, const Tensor& q, const Tensor& t) {
  return eGeodesicLog(p.log(), q.log(), t).exp();
}

Tensor eGeodesicVelocity(const Tensor& p, const Tensor& q, const Tensor& t) {
  return replicator(eGeodesic(p, q, t), q.log() - p.log());
}

Tensor mGeodesic(const Tensor& p, const Tensor& q, const Tensor& t) {
  const Tensor s = timeLike(t, p);
  return (1 - s) * p + s * q;
}

Tensor fisherRaoGeodesic(const Tensor& p, const Tensor& q, const Tensor& t) {
  const Tensor s = timeLike(t, p);
  const Tensor sp = p.sqrt(), sq = q.sqrt();
  const Tensor cosA = dotLast(sp, sq).clamp(-1.0, 1.0);
  const Tensor a = torch::acos(cosA);
  const Tensor sinA = torch::sin(a);
  // For p ~ q (a -> 0) the great circle degenerates to the chord; sin(x a)/sin(a) -> x.
  const Tensor small = sinA < 1e-7;
  const Tensor safeSin = torch::where(small, torch::ones_like(sinA), sinA);
  const Tensor w0 = torch::where(small, 1 - s + 0 * a, torch::sin((1 - s) * a) / safeSin);
  const Tensor w1 = torch::where(small, s + 0 * a, torch::sin(s * a) / safeSin);
  const Tensor root = w0 * sp + w1 * sq;
  const Tensor g = root * root;
  return g / g.sum(-1, /*keepdim=*/true);  // exact on the sphere; removes rounding drift
}

Tensor fisherRaoDistance(const Tensor& p, const Tensor& q) {
  // 2 arccos(BC) loses precision for nearby points; 4 arcsin(|sqrt p - sqrt q| / 2) is the
  // same angle computed from the chord and stays accurate there.
  const Tensor chord = (p.sqrt() - q.sqrt()).norm(2, -1);
  return 4 * torch::asin((chord / 2).clamp(0.0, 1.0));
}

Tensor segreLog(const Tensor& logW) {
  TORCH_CHECK(logW.dim() >= 2, "segre: expected [..., n, c], got ", logW.sizes());
  const int64_t n = logW.size(-2);
  // Outer sum of log-probabilities, node by node: acc [..., c^i] (+) [..., c].
  Tensor acc = logW.select(-2, 0);
  for (int64_t i = 1; i < n; ++i) {
    acc = (acc.unsqueeze(-1) + logW.select(-2, i).unsqueeze(-2)).flatten(-2);
  }
  return acc;
}

Tensor segre(const Tensor& w) { return segreLog(w.log()).exp(); }

}  // namespace efm::geometry

#pragma once
// Geometry of the assignment manifold W = S_c^n (docs/METHOD.md sections 1, 2, 5), batched in
// LibTorch. Every function acts on the last dimension (the classes) and broadcasts over
// all leading dimensions (batch, nodes). Points are passed as probabilities W or as their
// logarithms; nothing here divides by W or takes the log of a probability that may be 0
// once a point is given in log form.
#include <torch/types.h>

namespace efm::geometry {

using torch::Tensor;

// P0(v) = v - mean(v): orthogonal projection onto the tangent space T0.
Tensor projectTangent(const Tensor& v);

// R_p(v) = p * v - <p, v> p.
Tensor replicator(const Tensor& p, const Tensor& v);

// <v, R_p v> = sum_j p_j v_j^2 - (sum_j p_j v_j)^2, the variance of v under p (>= 0).
// It equals the squared Fisher-Rao norm g_p(R_p v, R_p v) of the velocity R_p v.
Tensor replicatorQuadratic(const Tensor& p, const Tensor& v);

// Fisher-Rao metric g_p(u, v) = sum_j u_j v_j / p_j (tangent vectors u, v at p).
Tensor fisherRaoInner(const Tensor& p, const Tensor& u, const Tensor& v);

// Lifting map exp_p(v) = p e^v / <p, e^v>, computed as softmax(log p + v).
Tensor lift(const Tensor& p, const Tensor& v);
Tensor liftLog(const Tensor& logP, const Tensor& v);  // log exp_p(v)

// Logit coordinates V = P0(log W): the inverse of the lifting map at the barycenter,
// W = softmax(V). Takes log W so that points near the boundary stay exact.
Tensor logitCoordinates(const Tensor& logW);

// Barycenter 1_W of the given shape (every entry 1/c).
Tensor barycenter(torch::IntArrayRef shape, const torch::TensorOptions& options = {});

// Three geodesics between p and q at time t (t broadcasts against the leading dims).
// e-geodesic: p^(1-t) q^t / sum(...), evaluated in log space from log p, log q.
Tensor eGeodesicLog(const Tensor& logP, const Tensor& logQ, const Tensor& t);
Tensor eGeodesic(const Tensor& p, const Tensor& q, const Tensor& t);
// d/dt g_e(t) = R_{g_e(t)}(log q - log p).
Tensor eGeodesicVelocity(const Tensor& p, const Tensor& q, const Tensor& t);
// m-geodesic: (1 - t) p + t q.
Tensor mGeodesic(const Tensor& p, const Tensor& q, const Tensor& t);
// Fisher-Rao geodesic: the great circle between sqrt(p) and sqrt(q), squared.
Tensor fisherRaoGeodesic(const Tensor& p, const Tensor& q, const Tensor& t);
// d(p, q) = 2 arccos(sum_j sqrt(p_j q_j)), over the last dimension.
Tensor fisherRaoDistance(const Tensor& p, const Tensor& q);

// Segre map T(W)_a = prod_i W_{i, a_i}: [..., n, c] -> [..., c^n], labelings a in
// row-major order (a_1 slowest). segreLog works on log W and returns log T(W).
Tensor segre(const Tensor& w);
Tensor segreLog(const Tensor& logW);

}  // namespace efm::geometry

// Every identity of docs/METHOD.md sections 1, 2 and 5, on random points, in double precision.
#include "efm/geometry/geometry.h"
#include "efm/geometry/geometry_exact.h"
#include "tensor_checks.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

using namespace efm;
namespace g = efm::geometry;
using torch::Tensor;

namespace {

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

// Random interior points [batch, n, c], some of them close to the boundary.
Tensor randomPoints(int64_t batch, int64_t n, int64_t c, uint64_t seed, double spread = 3.0) {
  auto gen = at::detail::createCPUGenerator(seed);
  return torch::softmax(spread * torch::randn({batch, n, c}, gen, kDouble), -1);
}

Tensor randomVectors(int64_t batch, int64_t n, int64_t c, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  return torch::randn({batch, n, c}, gen, kDouble);
}

using efm_test::maxAbs;

exact::Vector toEigen(const Tensor& t) {
  const Tensor c = t.contiguous();
  return Eigen::Map<const exact::Vector>(c.data_ptr<double>(), c.numel());
}

}  // namespace

TEST_CASE("P0 projects onto the tangent space and is idempotent", "[math][geometry]") {
  const Tensor v = randomVectors(16, 3, 5, 1);
  const Tensor p0 = g::projectTangent(v);
  CHECK(maxAbs(p0.sum(-1)) < 1e-12);
  CHECK(maxAbs(g::projectTangent(p0) - p0) < 1e-12);
}

TEST_CASE("Replicator: R_p 1 = 0, R_p P0 = R_p, tangent output", "[math][geometry]") {
  const Tensor p = randomPoints(16, 3, 5, 2);
  const Tensor v = randomVectors(16, 3, 5, 3);
  CHECK(maxAbs(g::replicator(p, torch::ones_like(p))) < 1e-14);
  CHECK(maxAbs(g::replicator(p, g::projectTangent(v)) - g::replicator(p, v)) < 1e-12);
  CHECK(maxAbs(g::replicator(p, v).sum(-1)) < 1e-12);
}

TEST_CASE("Fisher-Rao metric: g_p(R_p a, R_p b) = <a, R_p b>", "[math][geometry]") {
  const Tensor p = randomPoints(32, 2, 6, 4);
  const Tensor a = randomVectors(32, 2, 6, 5), b = randomVectors(32, 2, 6, 6);
  const Tensor lhs = g::fisherRaoInner(p, g::replicator(p, a), g::replicator(p, b));
  const Tensor rhs = (a * g::replicator(p, b)).sum(-1);
  CHECK(maxAbs(lhs - rhs) < 1e-10);
  // And the replicator's quadratic form is the squared norm of R_p a.
  CHECK(maxAbs(g::replicatorQuadratic(p, a) -
               g::fisherRaoInner(p, g::replicator(p, a), g::replicator(p, a))) < 1e-10);
  CHECK(g::replicatorQuadratic(p, a).min().item<double>() >= 0);
}

TEST_CASE("Lifting map: barycenter gives softmax, round trip through logit coordinates",
          "[math][geometry]") {
  const Tensor v = randomVectors(8, 4, 7, 7);
  const Tensor bary = g::barycenter({8, 4, 7}, kDouble);
  CHECK(maxAbs(g::lift(bary, v) - torch::softmax(v, -1)) < 1e-14);
  // W -> V = P0(log W) -> softmax(V) = W.
  const Tensor w = randomPoints(8, 4, 7, 8, 6.0);
  const Tensor V = g::logitCoordinates(w.log());
  CHECK(maxAbs(torch::softmax(V, -1) - w) < 1e-14);
  CHECK(maxAbs(V.sum(-1)) < 1e-12);
  // V -> W -> V for tangent V.
  const Tensor vt = g::projectTangent(v);
  CHECK(maxAbs(g::logitCoordinates(torch::log_softmax(vt, -1)) - vt) < 1e-12);
  // exp_p(u + v) = exp_{exp_p(u)}(v): the lifting map composes.
  const Tensor u = randomVectors(8, 4, 7, 9);
  CHECK(maxAbs(g::lift(w, u + v) - g::lift(g::lift(w, u), v)) < 1e-12);
  // liftLog agrees and stays finite far out where exp would underflow.
  CHECK(maxAbs(g::liftLog(w.log(), v).exp() - g::lift(w, v)) < 1e-12);
  CHECK(torch::isfinite(g::liftLog(w.log(), 2000 * v)).all().item<bool>());
}

TEST_CASE("e-geodesic: end points, lift form, velocity by finite differences", "[math][geometry]") {
  const Tensor p = randomPoints(8, 1, 5, 10), q = randomPoints(8, 1, 5, 11);
  CHECK(maxAbs(g::eGeodesic(p, q, torch::tensor(0.0, kDouble)) - p) < 1e-13);
  CHECK(maxAbs(g::eGeodesic(p, q, torch::tensor(1.0, kDouble)) - q) < 1e-13);
  for (double t : {0.1, 0.5, 0.8}) {
    const Tensor tt = torch::tensor(t, kDouble);
    // g_e(t) = exp_p(t P0(log q - log p)).
    CHECK(maxAbs(g::eGeodesic(p, q, tt) - g::lift(p, t * g::projectTangent(q.log() - p.log()))) <
          1e-12);
    const double h = 1e-5;
    const Tensor fd = (g::eGeodesic(p, q, torch::tensor(t + h, kDouble)) -
                       g::eGeodesic(p, q, torch::tensor(t - h, kDouble))) /
                      (2 * h);
    CHECK(maxAbs(fd - g::eGeodesicVelocity(p, q, tt)) < 1e-8);
  }
  // A batch of times broadcasts per sample.
  const Tensor ts = torch::linspace(0, 1, 8, kDouble);
  const Tensor batch = g::eGeodesic(p, q, ts);
  CHECK(maxAbs(batch[3] - g::eGeodesic(p[3], q[3], ts[3])) < 1e-14);
}

TEST_CASE("m- and Fisher-Rao geodesics: end points, simplex, exact agreement", "[math][geometry]") {
  const Tensor p = randomPoints(8, 1, 4, 12), q = randomPoints(8, 1, 4, 13);
  for (double t : {0.0, 0.3, 1.0}) {
    const Tensor tt = torch::tensor(t, kDouble);
    const Tensor m = g::mGeodesic(p, q, tt), fr = g::fisherRaoGeodesic(p, q, tt);
    CHECK(maxAbs(m.sum(-1) - 1) < 1e-13);
    CHECK(maxAbs(fr.sum(-1) - 1) < 1e-13);
    CHECK(fr.min().item<double>() >= 0);
    for (int k = 0; k < 8; ++k) {
      const exact::Vector pe = toEigen(p[k][0]), qe = toEigen(q[k][0]);
      CHECK((exact::fisherRaoGeodesic(pe, qe, t) - toEigen(fr[k][0])).cwiseAbs().maxCoeff() <
            1e-12);
      CHECK((exact::eGeodesic(pe, qe, t) - toEigen(g::eGeodesic(p, q, tt)[k][0]))
                .cwiseAbs()
                .maxCoeff() < 1e-12);
    }
  }
  CHECK(maxAbs(g::fisherRaoGeodesic(p, q, torch::tensor(0.0, kDouble)) - p) < 1e-12);
  CHECK(maxAbs(g::fisherRaoGeodesic(p, q, torch::tensor(1.0, kDouble)) - q) < 1e-12);
  // Degenerate case p = q stays put.
  CHECK(maxAbs(g::fisherRaoGeodesic(p, p, torch::tensor(0.4, kDouble)) - p) < 1e-12);
}

TEST_CASE("Fisher-Rao distance equals the numerically integrated length of the geodesic",
          "[math][geometry]") {
  const Tensor p = randomPoints(6, 1, 5, 14), q = randomPoints(6, 1, 5, 15);
  const Tensor d = g::fisherRaoDistance(p, q);
  for (int k = 0; k < 6; ++k) {
    const exact::Vector pe = toEigen(p[k][0]), qe = toEigen(q[k][0]);
    const int steps = 4000;
    Eigen::MatrixXd fr(pe.size(), steps + 1), e(pe.size(), steps + 1), m(pe.size(), steps + 1);
    for (int s = 0; s <= steps; ++s) {
      fr.col(s) = exact::fisherRaoGeodesic(pe, qe, double(s) / steps);
      e.col(s) = exact::eGeodesic(pe, qe, double(s) / steps);
      m.col(s) = exact::mGeodesic(pe, qe, double(s) / steps);
    }
    const double length = exact::fisherRaoLength(fr);
    CHECK(d[k][0].item<double>() == Approx(length).epsilon(1e-6));
    CHECK(exact::fisherRaoDistance(pe, qe) == Approx(length).epsilon(1e-6));
    // The Fisher-Rao geodesic is the shortest: the e- and m-geodesics are not shorter.
    CHECK(exact::fisherRaoLength(e) >= length * (1 - 1e-9));
    CHECK(exact::fisherRaoLength(m) >= length * (1 - 1e-9));
  }
  // Closed form between two vertices-adjacent points of S_2: d = 2 arccos(sum sqrt(pq)).
  const Tensor a = torch::tensor({0.9, 0.1}, kDouble), b = torch::tensor({0.2, 0.8}, kDouble);
  CHECK(g::fisherRaoDistance(a, b).item<double>() ==
        Approx(2 * std::acos(std::sqrt(0.18) + std::sqrt(0.08))).epsilon(1e-12));
  CHECK(g::fisherRaoDistance(a, a).item<double>() == Approx(0.0).margin(1e-15));
}

TEST_CASE("Segre map sums to one, factorizes, matches the exact version", "[math][geometry]") {
  const Tensor w = randomPoints(5, 3, 4, 16);
  const Tensor joint = g::segre(w);  // [5, 64]
  REQUIRE(joint.sizes() == torch::IntArrayRef({5, 64}));
  CHECK(maxAbs(joint.sum(-1) - 1) < 1e-13);
  // Factorizes: reshaped to [c, c, c] it is the outer product of the rows; marginals = rows.
  const Tensor cube = joint[2].view({4, 4, 4});
  CHECK(maxAbs(cube.sum(torch::IntArrayRef{1, 2}) - w[2][0]) < 1e-13);
  CHECK(maxAbs(cube.sum(torch::IntArrayRef{0, 2}) - w[2][1]) < 1e-13);
  CHECK(maxAbs(cube.sum(torch::IntArrayRef{0, 1}) - w[2][2]) < 1e-13);
  CHECK(cube[1][3][2].item<double>() ==
        Approx((w[2][0][1] * w[2][1][3] * w[2][2][2]).item<double>()).epsilon(1e-12));
  // Log version and the Eigen version agree.
  CHECK(maxAbs(g::segreLog(w.log()).exp() - joint) < 1e-13);
  Eigen::MatrixXd we(3, 4);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) we(i, j) = w[2][i][j].item<double>();
  CHECK((exact::segre(we) - toEigen(joint[2])).cwiseAbs().maxCoeff() < 1e-13);
  // Independence surface (n = c = 2): p00 p11 = p01 p10.
  const Tensor two = g::segre(randomPoints(10, 2, 2, 17));
  CHECK(maxAbs(two.select(-1, 0) * two.select(-1, 3) - two.select(-1, 1) * two.select(-1, 2)) <
        1e-14);
}

TEST_CASE("Exact geometry: replicator and lifting agree with the batched version",
          "[math][geometry]") {
  const Tensor p = randomPoints(1, 1, 6, 18)[0][0];
  const Tensor v = randomVectors(1, 1, 6, 19)[0][0];
  const exact::Vector pe = toEigen(p), ve = toEigen(v);
  CHECK((exact::replicator(pe, ve) - toEigen(g::replicator(p, v))).cwiseAbs().maxCoeff() < 1e-14);
  CHECK((exact::lift(pe, ve) - toEigen(g::lift(p, v))).cwiseAbs().maxCoeff() < 1e-14);
  CHECK(exact::projectTangent(ve).sum() == Approx(0).margin(1e-14));
  CHECK((exact::eGeodesicVelocity(pe, pe, 0.3)).norm() < 1e-14);
}

// The peers' probability paths (docs/METHOD.md section 7): each conditional path hits its end
// points, its velocity matches finite differences of the path, its loss matches a hand
// computation; the Dirichlet velocity factor against finite differences of the regularized
// incomplete beta function, without NaN at any K.
#include "paths/dirichlet_velocity.h"

#include "efm/base/errors.h"
#include "efm/geometry/geometry.h"
#include "efm/paths/path_registry.h"
#include "efm/paths/probability_path.h"
#include "tensor_checks.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>

using namespace efm;
using torch::Tensor;

namespace {

using efm_test::maxAbs;

std::shared_ptr<const ProbabilityPath> path(const std::string& kind) {
  PathOptions options;
  options.kind = kind;
  return makeProbabilityPath(options);
}

// A denoiser that is certain of class k at every node: softmax(F) = e_k to float precision.
struct Oracle : VectorFieldImpl {
  int64_t k;
  explicit Oracle(int64_t label) : k(label) {}
  Tensor forward(const Tensor& w, const Tensor&) override {
    return 80 *
           torch::one_hot(torch::full(w.sizes().slice(0, w.dim() - 1), k, torch::kLong), w.size(-1))
               .to(w.dtype());
  }
  double multiplyAddsPerSample() const override { return 0; }  // no layers
};

// E[x_i] under Beta(a, b) and its variance.
double betaMean(double a, double b) { return a / (a + b); }
double betaVariance(double a, double b) { return a * b / ((a + b) * (a + b) * (a + b + 1)); }

}  // namespace

TEST_CASE("Every path name builds, unknown names are refused", "[paths]") {
  for (const std::string& name : pathNames()) CHECK(path(name)->name() == name);
  CHECK(isEGeodesicPath("ray"));
  CHECK(isEGeodesicPath("bridge"));
  CHECK_FALSE(isEGeodesicPath("dirichlet"));
  CHECK_THROWS_AS(path("sphere"), InputError);
}

TEST_CASE("Linear path: straight lines from Dir(1) to the one-hot point", "[math][paths]") {
  const auto linear = path("linear");
  CHECK(linear->timeStart() == 0);
  CHECK(linear->timeEnd() == 1);
  auto gen = at::detail::createCPUGenerator(1);
  const int64_t B = 40000, n = 2, c = 4;
  const Tensor labels = torch::randint(c, {B, n}, gen, torch::kInt64);
  const PathBatch batch = linear->sample(labels, c, gen);
  CHECK(torch::equal(batch.target, labels));
  const Tensor t = batch.time.view({-1, 1, 1});
  const Tensor onehot = torch::one_hot(labels, c).to(torch::kFloat32);
  // Recovered start points x0 = (x_t - t e) / (1 - t) are Dir(1): on the simplex, mean 1/c,
  // variance (c - 1) / (c^2 (c + 1)).
  const Tensor keep = (batch.time < 0.9).view({-1, 1, 1}).expand({B, n, c});
  const Tensor x0 = ((batch.point - t * onehot) / (1 - t)).masked_select(keep).view({-1, n, c});
  CHECK(x0.min().item<double>() > -1e-5);
  CHECK(maxAbs(x0.sum(-1) - 1) < 1e-4);
  CHECK(x0.mean().item<double>() == Approx(0.25).margin(2e-3));
  CHECK(x0.var().item<double>() == Approx(3.0 / 80).epsilon(0.03));
  // The oracle's velocity (e - x)/(1 - t) is the path's derivative: one Euler step from
  // x_t by h lands on x_{t+h} of the same line, and the last step lands on e.
  Oracle oracle(2);
  const Tensor x = torch::tensor({0.1f, 0.2f, 0.3f, 0.4f}).view({1, 1, 4});
  const Tensor e = torch::tensor({0.0f, 0.0f, 1.0f, 0.0f}).view({1, 1, 4});
  const double s = 0.3, h = 1e-3;
  const Tensor xs = (1 - s) * x + s * e;
  const Tensor difference =
      ((1 - s - h) * x + (s + h) * e - ((1 - s + h) * x + (s - h) * e)) / (2 * h);
  CHECK(maxAbs(linear->velocity(oracle, xs, s) - difference) < 1e-3);
  CHECK(maxAbs(linear->retract(xs, (1 - s) * linear->velocity(oracle, xs, s)) - e) < 1e-6);
  // Cross-entropy of the denoiser, summed over nodes: F = 0 gives n log c per sample.
  CHECK(linear->loss(torch::zeros({B, n, c}), batch).item<double>() ==
        Approx(n * std::log(4.0)).epsilon(1e-5));
}

TEST_CASE("Linear path refuses solvers that evaluate t = 1", "[paths]") {
  const auto linear = path("linear");
  CHECK(linear->defaultSolver().kind == SolverKind::Euler);
  CHECK(linear->defaultSolver().step == Approx(1.0 / 300));
  CHECK_NOTHROW(linear->checkSampling(linear->defaultSolver(), 0));
  SolverOptions rk4;
  CHECK_THROWS_WITH(linear->checkSampling(rk4, 0), Catch::Contains("singular at t = 1"));
  CHECK_THROWS_WITH(linear->checkSampling(linear->defaultSolver(), 2.0),
                    Catch::Contains("ends at t = 1"));
}

TEST_CASE("Fisher-Rao path: great circles of the sphere from sqrt(Dir(1)) to the vertex",
          "[math][paths]") {
  const auto fisher = path("fisher");
  auto gen = at::detail::createCPUGenerator(2);
  const int64_t B = 20000, n = 2, c = 5;
  const Tensor labels = torch::randint(c, {B, n}, gen, torch::kInt64);
  const PathBatch batch = fisher->sample(labels, c, gen);
  const Tensor s = batch.point.sqrt();
  CHECK(maxAbs(batch.point.sum(-1) - 1) < 1e-5);
  // The target is tangent to the sphere at s_t, of constant speed: the angle a to the vertex
  // covered in unit time, so the remaining angle is (1 - t) a.
  CHECK(maxAbs((batch.target * s).sum(-1)) < 1e-5);
  const Tensor e = torch::one_hot(labels, c).to(torch::kFloat32);
  const Tensor speed = batch.target.norm(2, -1);
  const Tensor remaining = (s * e).sum(-1).clamp(-1, 1).acos();
  const Tensor t = batch.time.view({-1, 1});
  CHECK(maxAbs(remaining - (1 - t) * speed) < 2e-3);
  // Moving along the great circle (the retraction) by the target for 1 - t hits the
  // vertex; moving back by t recovers s0, whose square is Dir(1), and the path is the
  // Fisher-Rao geodesic of geometry.h between x0 and the vertex.
  const Tensor end = fisher->retract(s, (1 - t).unsqueeze(-1) * batch.target);
  CHECK(maxAbs(end - e) < 2e-3);
  const Tensor s0 = fisher->retract(s, -t.unsqueeze(-1) * batch.target);
  const Tensor x0 = s0 * s0;
  CHECK(x0.mean().item<double>() == Approx(0.2).margin(2e-3));
  CHECK(x0.var().item<double>() == Approx(4.0 / 150).epsilon(0.04));
  const Tensor middle = (batch.time > 0.05) & (batch.time < 0.95);
  const Tensor geodesic = geometry::fisherRaoGeodesic(x0.clamp_min(1e-12), e.clamp_min(1e-12),
                                                      batch.time.view({-1, 1, 1}));
  CHECK(maxAbs((geodesic - batch.point).index({middle})) < 2e-3);
  // Finite differences of the path along the target: the angle to the vertex shrinks at
  // the speed of the target.
  const double h = 1e-2;
  const Tensor ahead = fisher->retract(s, h * batch.target);
  const Tensor shrink = remaining - (ahead * e).sum(-1).clamp(-1, 1).acos();
  CHECK(maxAbs((shrink / h - speed).index({batch.time < 0.9})) < 2e-2);
  // The loss ignores components normal to the sphere and vanishes at the target.
  CHECK(fisher->loss(batch.target + 3 * s, batch).item<double>() < 1e-8);
  CHECK(fisher->loss(torch::zeros_like(s), batch).item<double>() ==
        Approx(speed.pow(2).sum(-1).mean().item<double>()).epsilon(1e-5));
}

TEST_CASE("Fisher-Rao sampling steps stay on the sphere", "[paths]") {
  const auto fisher = path("fisher");
  auto gen = at::detail::createCPUGenerator(3);
  const Tensor s0 = fisher->initialState(50, 3, 6, gen, torch::kFloat32);
  CHECK(maxAbs(s0.norm(2, -1) - 1) < 1e-5);
  CHECK(s0.min().item<double>() >= 0);
  Oracle oracle(4);
  Tensor state = s0;
  for (int k = 0; k < 20; ++k)
    state = fisher->retract(state, 0.05 * fisher->velocity(oracle, state, 0.05 * k));
  CHECK(maxAbs(state.norm(2, -1) - 1) < 1e-5);
  CHECK(maxAbs(fisher->probabilities(state).sum(-1) - 1) < 1e-5);
}

TEST_CASE("digamma and the regularized incomplete beta function", "[math][paths]") {
  using efm::detail::digamma;
  using efm::detail::regularizedIncompleteBeta;
  const double euler = 0.57721566490153286;
  CHECK(digamma(1) == Approx(-euler).epsilon(1e-12));
  CHECK(digamma(0.5) == Approx(-euler - 2 * std::log(2.0)).epsilon(1e-12));
  for (double x : {0.3, 1.7, 7.5, 40.0, 900.0})
    CHECK(digamma(x + 1) - digamma(x) == Approx(1 / x).epsilon(1e-10));
  for (double z : {0.01, 0.3, 0.8, 0.999}) {
    for (double b : {1.0, 4.0, 159.0})
      CHECK(regularizedIncompleteBeta(z, 1, b) == Approx(1 - std::pow(1 - z, b)).margin(1e-12));
    for (double a : {1.0, 2.5, 8.0})
      CHECK(regularizedIncompleteBeta(z, a, 1) == Approx(std::pow(z, a)).margin(1e-12));
    CHECK(regularizedIncompleteBeta(z, 3, 5) + regularizedIncompleteBeta(1 - z, 5, 3) ==
          Approx(1).epsilon(1e-12));
  }
}

TEST_CASE("Dirichlet velocity factor matches finite differences of I_z(alpha, K - 1)",
          "[math][paths]") {
  using efm::detail::dirichletFlowFactor;
  using efm::detail::regularizedIncompleteBeta;
  // C(z, a) = -dI_z(a, b)/da * B(a, b) / (z^(a-1) (1 - z)^b), b = K - 1, which makes the
  // mass below z(alpha) constant along the flow dz/dalpha = C (1 - z).
  for (int64_t K : {2, 5, 40, 160}) {
    const double b = double(K - 1);
    for (double a : {1.0, 1.5, 3.0, 8.0}) {
      const double mean = a / (a + b), sd = std::sqrt(betaVariance(a, b));
      for (double q : {-1.5, -0.5, 0.0, 1.0, 3.0}) {
        const double z = std::clamp(mean + q * sd, 1e-3, 0.99);
        const double h = 1e-4;
        const double dIda =
            (regularizedIncompleteBeta(z, a + h, b) - regularizedIncompleteBeta(z, a - h, b)) /
            (2 * h);
        const double logBeta = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
        const double expected =
            -dIda * std::exp(logBeta - (a - 1) * std::log(z) - b * std::log1p(-z));
        INFO("K " << K << " a " << a << " z " << z);
        CHECK(dirichletFlowFactor(z, a, K) == Approx(expected).epsilon(1e-5).margin(1e-9));
      }
    }
  }
}

TEST_CASE("Dirichlet velocity factor is finite and non-negative at every K", "[math][paths]") {
  using efm::detail::dirichletFlowFactor;
  for (int64_t K : {2, 160, 1000, 20000})
    for (double a : {1.0, 1.001, 4.0, 8.0, 50.0})
      for (int k = 0; k <= 200; ++k) {
        const double z = double(k) / 200;
        const double C = dirichletFlowFactor(z, a, K);
        INFO("K " << K << " a " << a << " z " << z);
        REQUIRE(std::isfinite(C));
        CHECK(C >= -1e-12);
      }
  // The interpolated table agrees with the direct quadrature.
  efm::detail::DirichletFlowTable table(160);
  const Tensor z = torch::linspace(0, 1, 997, torch::kFloat64).pow(2);
  for (double a : {1.0, 2.7, 8.0}) {
    const Tensor interpolated = table.factors(z, a);
    Tensor direct = torch::empty_like(z);
    for (int64_t k = 0; k < z.size(0); ++k)
      direct[k] = dirichletFlowFactor(z[k].item<double>(), a, 160);
    CHECK(maxAbs(interpolated - direct) < 1e-4 * (1 + maxAbs(direct)));
  }
}

TEST_CASE("Dirichlet path: Dir(1 + (alpha - 1) e) samples, transported by the velocity",
          "[math][paths]") {
  const auto dirichlet = path("dirichlet");
  CHECK(dirichlet->timeStart() == 1);
  CHECK(dirichlet->timeEnd() == 8);
  auto gen = at::detail::createCPUGenerator(4);
  const int64_t B = 40000, c = 5;
  const Tensor labels = torch::randint(c, {B, 1}, gen, torch::kInt64);
  const PathBatch batch = dirichlet->sample(labels, c, gen);
  CHECK(batch.time.min().item<double>() >= 1);
  CHECK(batch.time.max().item<double>() <= 8);
  CHECK(maxAbs(batch.point.sum(-1) - 1) < 1e-5);
  // x at the label is Beta(alpha, K - 1): centred on alpha / (alpha + K - 1), sample by
  // sample, with the matching variance.
  const Tensor alpha = batch.time.to(torch::kFloat64);
  const Tensor atLabel =
      batch.point.gather(-1, labels.unsqueeze(-1)).view({-1}).to(torch::kFloat64);
  const Tensor mean = alpha / (alpha + c - 1);
  const Tensor variance = alpha * (c - 1) / ((alpha + c - 1).pow(2) * (alpha + c));
  CHECK((atLabel - mean).mean().item<double>() == Approx(0).margin(2e-3));
  CHECK(((atLabel - mean).pow(2) / variance).mean().item<double>() == Approx(1).epsilon(0.03));
  // Transport: particles drawn from Dir(1) at alpha = 1 and moved by the oracle's velocity
  // reach Beta(4, K - 1) at the oracle's class by alpha = 4 (mean 0.5, variance 1/36 for
  // K = 5), while the other coordinates keep their Dir(1) proportions.
  Oracle oracle(1);
  Tensor x = dirichlet->initialState(20000, 1, c, gen, torch::kFloat32);
  const int steps = 200;
  for (int k = 0; k < steps; ++k) {
    const double a = 1 + 3.0 * k / steps;
    x = dirichlet->retract(x, (3.0 / steps) * dirichlet->velocity(oracle, x, a));
  }
  const Tensor xi = x.select(-1, 1).to(torch::kFloat64);
  CHECK(xi.mean().item<double>() == Approx(betaMean(4, 4)).margin(4e-3));
  CHECK(xi.var().item<double>() == Approx(betaVariance(4, 4)).epsilon(0.05));
  const Tensor rest = x.index_select(-1, torch::tensor({0, 2, 3, 4})).to(torch::kFloat64);
  const Tensor shares = rest / rest.sum(-1, true);
  CHECK(shares.mean().item<double>() == Approx(0.25).margin(3e-3));
  CHECK(shares.var().item<double>() == Approx(3.0 / 80).epsilon(0.05));
  // At alpha_max the readout is the denoiser's distribution, not the diffuse point.
  CHECK(maxAbs(dirichlet->endProbabilities(oracle, x, 8.0).select(-1, 1) - 1) < 1e-6);
}

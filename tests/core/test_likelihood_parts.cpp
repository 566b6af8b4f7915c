// Likelihood's parts (docs/METHOD.md section 6): the orthonormal basis, the proposal's scale,
// the divergence (against finite differences and Hutchinson's estimator), and the summary
// of log weights.
#include "input_errors.h"
#include "likelihood_fixtures.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/geometry/geometry.h"
#include "efm/models/network_registry.h"
#include "efm/models/vector_field.h"
#include "efm/paths/path_registry.h"
#include "efm/paths/probability_path.h"
#include "efm/sampling/likelihood.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace efm;
using efm_test::normalCdf;
using torch::Tensor;

namespace {

VectorFieldPtr smallMlp(int64_t n, int64_t c, int64_t hidden, uint64_t seed) {
  torch::manual_seed(seed);
  NetworkOptions options;
  options.hidden = hidden;
  return makeVectorField(n, c, options);
}

// Coordinates' basis vectors as states [D, n, c].
Tensor basisStates(int64_t n, int64_t c) {
  const Tensor q = tangentBasis(c);
  Tensor out = torch::zeros({n * (c - 1), n, c}, torch::kFloat64);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c - 1; ++j) out[i * (c - 1) + j][i] = q.select(1, j);
  return out;
}

}  // namespace

TEST_CASE("Tangent basis: orthonormal columns orthogonal to the ones vector", "[likelihood]") {
  for (int64_t c : {2, 3, 5, 10}) {
    const Tensor q = tangentBasis(c);
    REQUIRE(q.sizes() == torch::IntArrayRef({c, c - 1}));
    CHECK(torch::allclose(q.t().mm(q), torch::eye(c - 1, torch::kFloat64), 0, 1e-14));
    CHECK(q.sum(0).abs().max().item<double>() < 1e-14);
    // Q Q^T is the projection P0.
    const Tensor p0 = torch::eye(c, torch::kFloat64) - 1.0 / static_cast<double>(c);
    CHECK(torch::allclose(q.mm(q.t()), p0, 0, 1e-14));
  }
}

TEST_CASE("Proposal scale: closed form for c = 2, Monte Carlo mass in the cone", "[likelihood]") {
  const double eps = 0.01;
  // c = 2: the label wins iff Delta + s (z_a - z_b) > 0, z_a - z_b ~ N(0, 2).
  const double delta2 = std::log((1 - eps + eps / 2) / (eps / 2));
  for (double s : {0.5, 2.0, 5.0, 20.0})
    CHECK(proposalConeMass(2, eps, s) ==
          Approx(normalCdf(delta2 / (s * std::sqrt(2.0)))).epsilon(1e-10));
  const double s2 = proposalScale(2, eps, 0.8);
  CHECK(normalCdf(delta2 / (s2 * std::sqrt(2.0))) == Approx(0.8).epsilon(1e-9));
  // Masses close to 1 (many nodes) keep their precision.
  const double sBig = proposalScale(2, eps, std::pow(0.5, 1.0 / 4096));
  CHECK(1 - normalCdf(delta2 / (sBig * std::sqrt(2.0))) ==
        Approx(-std::expm1(std::log(0.5) / 4096)).epsilon(1e-6));

  // n = 2, c = 3, M = 0.5: the whole labeling lies in its cone with probability M, each node
  // with M^(1/2); drawn exactly as the estimator draws its proposals.
  const int64_t n = 2, c = 3, draws = 200000;
  const double mass = 0.5, node = std::sqrt(mass);
  const double s = proposalScale(c, eps, node);
  const double delta = std::log((1 - eps + eps / c) / (eps / c));
  const Tensor label = torch::tensor({2, 0}, torch::kLong);
  const Tensor mean = delta * (torch::one_hot(label, c).to(torch::kFloat64) - 1.0 / c);
  at::Generator g = makeGenerator(torch::kCPU, 5);
  const Tensor z = torch::randn({draws, n, c - 1}, g, torch::kFloat64);
  const Tensor v = mean + s * torch::matmul(z, tangentBasis(c).t());
  const Tensor hits = v.argmax(-1) == label.unsqueeze(0);
  const double joint = hits.all(1).to(torch::kFloat64).mean().item<double>();
  const double first = hits.select(1, 0).to(torch::kFloat64).mean().item<double>();
  const double se = std::sqrt(mass * (1 - mass) / draws);
  CHECK(std::abs(joint - mass) < 4 * se);
  CHECK(std::abs(first - node) < 4 * std::sqrt(node * (1 - node) / draws));

  // The cone of a holds 1/c at s -> infinity: a smaller mass is impossible.
  CHECK_THAT(inputErrorMessage([] { proposalScale(3, 0.01, 0.3); }),
             Catch::Contains("choose a larger --mass"));
}

TEST_CASE("Exact divergence equals the trace of a finite-difference Jacobian", "[likelihood]") {
  const int64_t n = 3, c = 3;
  VectorFieldPtr net = smallMlp(n, c, 32, 1);
  net->to(torch::kFloat64);
  PathOptions pathOptions;
  const ProbabilityPathPtr path = makeProbabilityPath(pathOptions);
  torch::manual_seed(2);
  const Tensor v = geometry::projectTangent(2 * torch::randn({4, n, c}, torch::kFloat64));
  const double t = 1.7;
  const FieldDivergence exact = velocityAndDivergence(*net, *path, v, t, DivergenceKind::Exact);
  torch::NoGradGuard noGrad;
  CHECK(torch::allclose(exact.velocity, path->velocity(*net, v, t), 1e-12, 1e-12));
  const Tensor basis = basisStates(n, c);
  const double h = 1e-5;
  Tensor trace = torch::zeros({4}, torch::kFloat64);
  for (int64_t k = 0; k < basis.size(0); ++k) {
    const Tensor e = basis[k].unsqueeze(0);
    const Tensor difference =
        (path->velocity(*net, v + h * e, t) - path->velocity(*net, v - h * e, t)) / (2 * h);
    trace += (difference * e).sum({1, 2});
  }
  INFO("exact " << exact.divergence << " finite differences " << trace);
  CHECK(torch::allclose(exact.divergence, trace, 1e-6, 1e-7));
  CHECK(trace.abs().max().item<double>() > 1e-3);  // not trivially zero
}

TEST_CASE("Hutchinson's divergence agrees with the exact one in expectation", "[likelihood]") {
  const int64_t n = 3, c = 3, states = 3, probes = 4000;
  VectorFieldPtr net = smallMlp(n, c, 32, 3);
  net->to(torch::kFloat64);
  const ProbabilityPathPtr path = makeProbabilityPath(PathOptions{});
  torch::manual_seed(4);
  const Tensor v = geometry::projectTangent(2 * torch::randn({states, n, c}, torch::kFloat64));
  const double t = 0.8;
  const Tensor exact = velocityAndDivergence(*net, *path, v, t, DivergenceKind::Exact).divergence;
  const Tensor repeated = v.repeat_interleave(probes, 0);
  at::Generator g = makeGenerator(torch::kCPU, 8);
  Tensor spread[2];
  for (ProbeKind kind : {ProbeKind::Gaussian, ProbeKind::Rademacher}) {
    const Tensor probe = hutchinsonProbes(states * probes, n, c, kind, g);
    // Probes lie in T0 and, in the coordinates, have identity covariance.
    CHECK(probe.sum(-1).abs().max().item<double>() < 1e-12);
    const Tensor draws =
        velocityAndDivergence(*net, *path, repeated, t, DivergenceKind::Hutchinson, probe)
            .divergence.view({states, probes});
    const Tensor mean = draws.mean(1);
    const Tensor se = draws.std(1) / std::sqrt(static_cast<double>(probes));
    spread[kind == ProbeKind::Rademacher] = draws.std(1);
    for (int64_t s = 0; s < states; ++s) {
      INFO(probeName(kind) << " state " << s << ": exact " << exact[s].item<double>()
                           << ", Hutchinson " << mean[s].item<double>() << " +- "
                           << se[s].item<double>());
      CHECK(std::abs(mean[s].item<double>() - exact[s].item<double>()) < 4 * se[s].item<double>());
      CHECK(se[s].item<double>() > 0);
    }
  }
  // Rademacher drops the diagonal's share of the variance.
  INFO("sd Gaussian " << spread[0] << "\nsd Rademacher " << spread[1]);
  CHECK((spread[1] < spread[0]).all().item<bool>());
}

TEST_CASE("logmeanexp with the delta-method standard error, stable in log space", "[likelihood]") {
  const Tensor w = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kFloat64);
  for (double shift : {0.0, -2000.0, 700.0}) {
    const LabelingLikelihood r = summarizeLogWeights(torch::log(w) + shift, 3);
    CHECK(r.logLikelihood == Approx(std::log(2.5) + shift).epsilon(1e-12));
    CHECK(r.standardError == Approx(std::sqrt(5.0 / 3.0) / (2 * 2.5)).epsilon(1e-12));
    CHECK(r.effectiveSamples == Approx(100.0 / 30.0).epsilon(1e-12));
    CHECK(r.bitsPerDimension == Approx(-r.logLikelihood / (3 * std::log(2.0))).epsilon(1e-12));
    CHECK(r.nonzeroWeights == 4);
  }
  const double inf = std::numeric_limits<double>::infinity();
  const LabelingLikelihood zero = summarizeLogWeights(torch::full({5}, -inf, torch::kFloat64), 2);
  CHECK(zero.logLikelihood == -inf);
  CHECK(zero.nonzeroWeights == 0);
  const LabelingLikelihood some =
      summarizeLogWeights(torch::tensor({-inf, 0.0, -inf, 0.0}, torch::kFloat64), 2);
  CHECK(some.logLikelihood == Approx(std::log(0.5)));
  CHECK(some.nonzeroWeights == 2);
}

// Probability paths of e-geodesic flow matching: the loss against a hand computation and
// the sampled points against their closed forms (docs/METHOD.md section 4).
#include "efm/geometry/geometry.h"
#include "efm/paths/path_registry.h"
#include "efm/paths/probability_path.h"
#include "tensor_checks.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

using namespace efm;
using torch::Tensor;

namespace {
using efm_test::maxAbs;

// P0(log w1) for smoothed one-hot labels, computed the long way.
Tensor smoothedLogits(const Tensor& labels, int64_t c, double eps) {
  const Tensor w1 = (1 - eps) * torch::one_hot(labels, c).to(torch::kFloat32) + eps / c;
  return geometry::projectTangent(w1.log());
}
}  // namespace

TEST_CASE("Fisher-Rao regression loss equals a hand-computed value", "[math][paths]") {
  // One sample, one node, c = 2: W = (1/4, 3/4), F = (1, 0), target = (0, 1/2).
  // d = F - target = (1, -1/2); <d, R_W d> = sum W d^2 - (sum W d)^2
  //   = 1/4 + 3/16 - (1/4 - 3/8)^2 = 0.421875.
  PathBatch batch;
  batch.point = torch::tensor({0.25f, 0.75f}).view({1, 1, 2});
  batch.time = torch::zeros({1});
  batch.target = torch::tensor({0.0f, 0.5f}).view({1, 1, 2});
  const Tensor F = torch::tensor({1.0f, 0.0f}).view({1, 1, 2});
  CHECK(fisherRaoRegressionLoss(F, batch).item<double>() == Approx(0.421875).epsilon(1e-6));
  // Sum over nodes, mean over the batch: two samples with two equal nodes each -> 2x.
  PathBatch two;
  two.point = batch.point.expand({2, 2, 2}).contiguous();
  two.time = torch::zeros({2});
  two.target = batch.target.expand({2, 2, 2}).contiguous();
  CHECK(fisherRaoRegressionLoss(F.expand({2, 2, 2}), two).item<double>() ==
        Approx(2 * 0.421875).epsilon(1e-6));
  // Adding a constant to F changes nothing (only P0 F matters).
  CHECK(fisherRaoRegressionLoss(F + 3.0f, batch).item<double>() == Approx(0.421875).epsilon(1e-6));
}

TEST_CASE("Ray path: target m vhat, Gamma times, points on the ray", "[math][paths]") {
  PathOptions options;  // reference: eps 0.01, m 0.5, Gamma(1, 0.25)
  const auto path = makeProbabilityPath(options);
  REQUIRE(path->name() == "ray");
  CHECK(path->timeEnd() == 15.0);
  auto gen = at::detail::createCPUGenerator(3);
  const int64_t B = 20000, n = 3, c = 5;
  const Tensor labels = torch::randint(c, {B, n}, gen, torch::kInt64);
  const PathBatch batch = path->sample(labels, c, gen);
  // Target: m * P0(log w1) / |P0(log w1)|, tangent, of norm m, pointing at the label.
  const Tensor v = smoothedLogits(labels, c, 0.01);
  CHECK(maxAbs(batch.target - 0.5 * v / v.norm(2, -1, true)) < 1e-5);
  CHECK(maxAbs(batch.target.norm(2, -1) - 0.5) < 1e-5);
  CHECK((batch.target.argmax(-1) == labels).all().item<bool>());
  // t ~ Gamma(1, rate 0.25): mean 4, variance 16, all positive.
  CHECK(batch.time.min().item<double>() > 0);
  CHECK(batch.time.mean().item<double>() == Approx(4.0).epsilon(0.03));
  CHECK(batch.time.var().item<double>() == Approx(16.0).epsilon(0.08));
  // Points: P0 log W_t - t m vhat = P0 z is standard normal noise on T0 (variance (c-1)/c).
  const Tensor noise =
      geometry::logitCoordinates(batch.point.log()) - batch.time.view({-1, 1, 1}) * batch.target;
  CHECK(maxAbs(noise.sum(-1)) < 1e-4);
  CHECK(noise.var().item<double>() == Approx(0.8).epsilon(0.03));
}

TEST_CASE("Bridge path: points on the e-geodesic from noise to the data", "[math][paths]") {
  PathOptions options;
  options.kind = "bridge";
  const auto path = makeProbabilityPath(options);
  CHECK(path->timeEnd() == 1.0);
  auto gen = at::detail::createCPUGenerator(4);
  const int64_t B = 4096, n = 2, c = 4;
  const Tensor labels = torch::randint(c, {B, n}, gen, torch::kInt64);
  const PathBatch batch = path->sample(labels, c, gen);
  CHECK(batch.time.min().item<double>() >= 0);
  CHECK(batch.time.max().item<double>() <= 1);
  CHECK(batch.time.mean().item<double>() == Approx(0.5).epsilon(0.05));
  // V_t = (1 - t) V0 + t V1 and target = V1 - V0  =>  V1 = V_t + (1 - t) target.
  const Tensor vt = geometry::logitCoordinates(batch.point.log());
  const Tensor v1 = vt + (1 - batch.time).view({-1, 1, 1}) * batch.target;
  CHECK(maxAbs(v1 - smoothedLogits(labels, c, 0.01)) < 2e-4);
}

TEST_CASE("Conditional laws: the ray's and the bridge's state at time t", "[math][paths]") {
  // What the likelihood's default proposal centres on. The ray path's noise P0(z) has unit
  // variance in every orthonormal tangent coordinate (entry variance (c-1)/c, checked above).
  auto gen = at::detail::createCPUGenerator(5);
  const int64_t n = 3, c = 4;
  const Tensor labels = torch::randint(c, {6, n}, gen, torch::kInt64);
  const Tensor v1 = smoothedLogits(labels, c, 0.01).to(torch::kFloat64);
  const auto ray = makeProbabilityPath(PathOptions{});
  const auto law = ray->conditionalLaw(labels, c, 15.0);
  REQUIRE(law);
  CHECK(law->spread == 1.0);
  CHECK(law->mean.scalar_type() == torch::kFloat64);
  CHECK(maxAbs(law->mean - 15.0 * 0.5 * v1 / v1.norm(2, -1, true)) < 1e-5);
  // The ray's sampled target is m vhat: the law's mean at t is t times it.
  const PathBatch batch = ray->sample(labels, c, gen);
  CHECK(maxAbs(ray->conditionalLaw(labels, c, 2.5)->mean - 2.5 * batch.target) < 1e-5);

  PathOptions bridgeOptions;
  bridgeOptions.kind = "bridge";
  const auto bridge = makeProbabilityPath(bridgeOptions);
  const auto end = bridge->conditionalLaw(labels, c, 1.0);
  REQUIRE(end);
  CHECK(end->spread == 0.0);  // the bridge ends at P0(log w1) itself
  CHECK(maxAbs(end->mean - v1) < 1e-5);
  const auto middle = bridge->conditionalLaw(labels, c, 0.25);
  CHECK(middle->spread == 0.75);
  CHECK(maxAbs(middle->mean - 0.25 * v1) < 1e-5);

  for (const char* peer : {"linear", "dirichlet", "fisher"}) {
    PathOptions options;
    options.kind = peer;
    CHECK_FALSE(makeProbabilityPath(options)->conditionalLaw(labels, c, 0.5));
  }
}

TEST_CASE("The generative ODE runs in logit coordinates", "[math][paths]") {
  const auto path = makeProbabilityPath(PathOptions{});
  auto gen = at::detail::createCPUGenerator(5);
  const Tensor v0 = path->initialState(1000, 3, 4, gen, torch::kFloat32);
  CHECK(maxAbs(v0.sum(-1)) < 1e-5);
  CHECK(maxAbs(path->probabilities(v0) - torch::softmax(v0, -1)) < 1e-7);
  // A network that returns a constant affinity a gives dV/dt = P0 a.
  struct Constant : VectorFieldImpl {
    Tensor forward(const Tensor& w, const Tensor&) override {
      return torch::arange(4, torch::kFloat32).expand_as(w);
    }
    double multiplyAddsPerSample() const override { return 0; }  // no layers
  } constant;
  const Tensor v = path->velocity(constant, v0, 1.0);
  CHECK(maxAbs(v - (torch::arange(4, torch::kFloat32) - 1.5)) < 1e-6);
}

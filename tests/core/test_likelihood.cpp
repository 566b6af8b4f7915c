// Likelihood by importance sampling with a continuous normalizing flow (docs/METHOD.md section 6):
// the whole estimator against closed forms on a linear field, the flow's log density, its
// errors, and against the sampler's own Monte Carlo joint on a trained model.
#include "input_errors.h"
#include "likelihood_fixtures.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/geometry/geometry.h"
#include "efm/models/vector_field.h"
#include "efm/paths/path_registry.h"
#include "efm/paths/probability_path.h"
#include "efm/sampling/likelihood.h"
#include "efm/sampling/sampler.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace efm;
using efm_test::LinearLogFieldImpl;
using efm_test::normalCdf;
using torch::Tensor;

namespace {

// P(argmax(mu + sigma z) = a) for z ~ N(0, I_c): integral phi(x) prod_{j != a}
// Phi(x + (mu_a - mu_j) / sigma) dx, by the trapezoidal rule (independent of the code
// under test, which solves the symmetric case by its own quadrature).
double argmaxProbability(const std::vector<double>& mu, double sigma, int64_t a) {
  const double h = 1.0 / 200;
  double sum = 0;
  for (double x = -12; x <= 12; x += h) {
    double term = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    for (std::size_t j = 0; j < mu.size(); ++j)
      if (static_cast<int64_t>(j) != a) term *= normalCdf(x + (mu[a] - mu[j]) / sigma);
    sum += term * h;
  }
  return sum;
}

// A path that is not e-geodesic, for the error message.
class FakePeerPath final : public ProbabilityPath {
 public:
  std::string name() const override { return "linear"; }
  PathBatch sample(const Tensor&, int64_t, at::Generator&) const override { return {}; }
  Tensor loss(const Tensor&, const PathBatch&) const override { return {}; }
  Tensor initialState(int64_t, int64_t, int64_t, at::Generator&,
                      const torch::TensorOptions&) const override {
    return {};
  }
  Tensor velocity(VectorFieldImpl&, const Tensor& state, double) const override { return state; }
  Tensor probabilities(const Tensor& state) const override { return state; }
  double timeEnd() const override { return 1; }
};

// Every labeling of n nodes with c classes, row-major: int64 [c^n, n].
Tensor allLabelings(int64_t n, int64_t c) {
  const auto count = static_cast<int64_t>(std::pow(c, n));
  return labelingsFromIndex(torch::arange(count, torch::kLong), n, c);
}

}  // namespace

TEST_CASE("Linear field: every labeling's probability matches the closed form", "[likelihood]") {
  // dV/dt = r V + P0 b to t_end = 15: V_end ~ N(mu, sigma^2 I) in the coordinates.
  const efm_test::LinearFlow flow = efm_test::linearFlow();
  const int64_t n = flow.n, c = flow.c;
  const double rate = flow.rate, tEnd = flow.tEnd, sigma = flow.sigma;
  const Tensor& mu = flow.mu;
  const auto& field = flow.field;
  const ProbabilityPathPtr path = makeProbabilityPath(PathOptions{});
  const Tensor labels = allLabelings(n, c);

  LikelihoodOptions options;
  options.classes = c;
  options.proposalSamples = 500;
  options.seed = 1;
  options.timeEnd = tEnd;
  options.solver.step = 0.5;  // RK4 is exact to about 1e-8 on this linear flow
  // This field is no trained ray flow (it ends near the origin, not at m t_end vhat): the
  // estimator is checked with docs/METHOD.md's proposal, centred on the labeling's cone (the
  // default; set here so that the test says so).
  options.proposal = ProposalKind::Reference;

  SECTION("rounding readout, exact divergence") {
    const LikelihoodResult r = estimateLikelihood(*field, *path, labels, options);
    double total = 0, totalVariance = 0;
    for (int64_t k = 0; k < labels.size(0); ++k) {
      double truth = 1;
      for (int64_t i = 0; i < n; ++i) {
        const Tensor m = mu[i];
        const std::vector<double> row(m.data_ptr<double>(), m.data_ptr<double>() + c);
        truth *= argmaxProbability(row, sigma, labels[k][i].item<int64_t>());
      }
      const LabelingLikelihood& e = r.items[static_cast<std::size_t>(k)];
      const double p = std::exp(e.logLikelihood), se = p * e.standardError;
      INFO("labeling " << k << ": estimate " << p << " +- " << se << ", closed form " << truth);
      CHECK(std::abs(p - truth) < 4 * se + 1e-3 * truth);
      CHECK(e.standardError < 0.2);
      total += p;
      totalVariance += se * se;
    }
    INFO("total " << total << " +- " << std::sqrt(totalVariance));
    CHECK(std::abs(total - 1) < 4 * std::sqrt(totalVariance) + 1e-3);
    CHECK(r.evaluations == 120);  // RK4, step 0.5 over [0, 15]
    CHECK(r.nodeMass == Approx(std::sqrt(0.5)));
  }

  SECTION("Hutchinson: the weights are biased by E[exp(noise)], as predicted") {
    // Here J = r I, so with Gaussian probes eps^T J eps integrated over [0, T] is
    // r T chi^2_D: the log weight is off by -r T (chi^2_D - D), whose exponential has mean
    // e^{rTD} (1 + 2rT)^{-D/2}. (Rademacher probes are exact on a diagonal J: below.)
    options.divergence = DivergenceKind::Hutchinson;
    options.probe = ProbeKind::Gaussian;
    const LikelihoodResult r = estimateLikelihood(*field, *path, labels, options);
    const double d = static_cast<double>(n * (c - 1));
    const double bias = std::exp(rate * tEnd * d) * std::pow(1 + 2 * rate * tEnd, -d / 2);
    double total = 0, totalVariance = 0;
    for (const LabelingLikelihood& e : r.items) {
      const double p = std::exp(e.logLikelihood), se = p * e.standardError;
      total += p;
      totalVariance += se * se;
    }
    INFO("sum of Hutchinson likelihoods " << total << " +- " << std::sqrt(totalVariance)
                                          << ", predicted " << bias);
    CHECK(std::abs(total - bias) < 4 * std::sqrt(totalVariance));
  }

  SECTION("factorized readout against a Monte Carlo expectation of the Segre map") {
    options.readout = Readout::Factorized;
    const LikelihoodResult r = estimateLikelihood(*field, *path, labels, options);
    // E[prod_i softmax(V_i)_{a_i}] over V ~ N(mu, sigma^2 I) in the coordinates.
    const auto [truth, truthSe] = efm_test::factorizedMonteCarlo(flow, 200000, 9);
    for (int64_t k = 0; k < labels.size(0); ++k) {
      const LabelingLikelihood& e = r.items[static_cast<std::size_t>(k)];
      const double p = std::exp(e.logLikelihood), se = p * e.standardError;
      const double t = truth[k].item<double>(), tse = truthSe[k].item<double>();
      INFO("labeling " << k << ": estimate " << p << " +- " << se << ", Monte Carlo " << t << " +- "
                       << tse);
      CHECK(std::abs(p - t) < 4 * std::sqrt(se * se + tse * tse));
    }
  }
}

TEST_CASE("Flow log density: closed form on a linear field, Hutchinson unbiased in log space",
          "[likelihood]") {
  const int64_t points = 6, probes = 500;
  const efm_test::LinearFlow flow = efm_test::linearFlow();
  const int64_t n = flow.n, c = flow.c;
  const double tEnd = flow.tEnd, sigma = flow.sigma;
  const Tensor& mu = flow.mu;
  const auto& field = flow.field;
  const ProbabilityPathPtr path = makeProbabilityPath(PathOptions{});
  at::Generator g = makeGenerator(torch::kCPU, 3);
  const Tensor v = mu + 1.5 * sigma *
                            torch::matmul(torch::randn({points, n, c - 1}, g, torch::kFloat64),
                                          tangentBasis(c).t());
  // N(mu, sigma^2 I_D) in the coordinates; |v - mu| is the same in T0 and in coordinates.
  const double d = static_cast<double>(n * (c - 1));
  const Tensor truth = -0.5 * d * std::log(2 * M_PI * sigma * sigma) -
                       (v - mu).pow(2).sum({1, 2}) / (2 * sigma * sigma);
  LikelihoodOptions options;
  options.classes = c;
  options.timeEnd = tEnd;
  const Tensor exact = flowLogDensity(*field, *path, v, options);
  INFO("exact " << exact << "\nclosed form " << truth);
  CHECK(torch::allclose(exact, truth, 0, 1e-6));

  options.divergence = DivergenceKind::Hutchinson;
  // Rademacher probes: eps^T (r I) eps = r D for every eps, so the estimate is exact here.
  CHECK(torch::allclose(flowLogDensity(*field, *path, v, options), truth, 0, 1e-6));
  options.probe = ProbeKind::Gaussian;
  const Tensor draws =
      flowLogDensity(*field, *path, v.repeat_interleave(probes, 0), options).view({points, probes});
  const Tensor mean = draws.mean(1), se = draws.std(1) / std::sqrt(double(probes));
  INFO("Hutchinson " << mean << " +- " << se);
  CHECK(((mean - truth).abs() < 4 * se).all().item<bool>());
  CHECK((se > 0.05).all().item<bool>());  // the estimator is noisy here: the test can fail
}

TEST_CASE("Likelihood needs an e-geodesic path and sensible options", "[likelihood]") {
  auto field = std::make_shared<LinearLogFieldImpl>(0.1, torch::zeros({2, 2}));
  const Tensor labels = torch::zeros({1, 2}, torch::kLong);
  LikelihoodOptions options;
  options.classes = 2;
  options.proposalSamples = 4;
  CHECK_THAT(
      inputErrorMessage([&] { estimateLikelihood(*field, FakePeerPath(), labels, options); }),
      Catch::Contains("'linear'") && Catch::Contains("e-geodesic"));
  const ProbabilityPathPtr ray = makeProbabilityPath(PathOptions{});
  options.mass = 1;
  CHECK_THAT(inputErrorMessage([&] { estimateLikelihood(*field, *ray, labels, options); }),
             Catch::Contains("mass"));
  options.mass = 0.5;
  options.proposalSamples = 0;
  CHECK_THAT(inputErrorMessage([&] { estimateLikelihood(*field, *ray, labels, options); }),
             Catch::Contains("proposal samples"));
  options.proposalSamples = 4;
  CHECK_THAT(inputErrorMessage([&] {
               estimateLikelihood(*field, *ray, torch::full({1, 2}, 2, torch::kLong), options);
             }),
             Catch::Contains("outside"));
  CHECK_THAT(inputErrorMessage([] { parseDivergence("trace"); }), Catch::Contains("'trace'"));
}

namespace {

// Trains a small MLP on `spec` and checks every labeling's likelihood against the joint that
// the sampler gives with the same solver, for both readouts.
void checkAgainstSampler(const std::string& spec, int64_t steps, int64_t proposals, int64_t samples,
                         const std::vector<Readout>& readouts, int64_t hidden, double step,
                         const std::vector<ProposalKind>& proposalKinds = {
                             ProposalKind::Reference}) {
  RunConfig config;
  config.data = spec;
  config.network.hidden = hidden;
  config.train.steps = steps;
  config.train.batch = 256;
  config.train.learningRate = 1e-3;
  config.train.seed = 0;
  resolveAndValidate(config);
  const DatasetPtr data = openDataset(config.data);
  Trainer trainer(config, data);
  for (int64_t k = 0; k < steps; ++k) trainer.step();
  const int64_t n = data->variables(), c = data->classes();
  const Tensor labels = allLabelings(n, c);
  SolverOptions solver;
  solver.step = step;  // RK4 to t_end 15: the same for sampling and likelihood

  for (Readout readout : readouts)
    for (ProposalKind proposal : proposalKinds) {
      SampleOptions sampling;
      sampling.count = samples;
      sampling.variables = n;
      sampling.classes = c;
      sampling.solver = solver;
      sampling.readout = readout;
      sampling.seed = 21;
      const SampleResult drawn = sampleLabelings(trainer.network(), trainer.path(), sampling);
      const Tensor index = labelingIndex(drawn.labels, c);
      const Tensor histogram =
          torch::bincount(index, {}, labels.size(0)).to(torch::kFloat64) / double(samples);

      LikelihoodOptions options;
      options.classes = c;
      options.proposalSamples = proposals;
      options.readout = readout;
      options.smoothing = config.path.smoothing;
      options.solver = solver;
      options.seed = 5;
      options.proposal = proposal;
      const LikelihoodResult r =
          estimateLikelihood(trainer.network(), trainer.path(), labels, options);
      const std::string what = spec + (readout == Readout::Argmax ? " argmax" : " factorized") +
                               ", proposal " + proposalName(proposal);
      double total = 0, variance = 0, worst = 0;
      for (int64_t k = 0; k < labels.size(0); ++k) {
        const LabelingLikelihood& e = r.items[static_cast<std::size_t>(k)];
        const double p = std::exp(e.logLikelihood), se = p * e.standardError;
        const double mc = histogram[k].item<double>();
        const double mcSe = std::sqrt(std::max(mc * (1 - mc), 1.0 / samples) / samples);
        const double z = std::abs(p - mc) / std::sqrt(se * se + mcSe * mcSe);
        worst = std::max(worst, z);
        INFO(what << ", labeling " << k << ": likelihood " << p << " +- " << se << ", sampler "
                  << mc << " +- " << mcSe);
        CHECK(z < 4);
        CHECK(e.standardError < 0.3);  // not degenerate (Dirichlet: up to 0.201 at K = 4000)
        total += p;
        variance += se * se;
      }
      INFO("sum of probabilities " << total << " +- " << std::sqrt(variance) << ", worst z "
                                   << worst);
      CHECK(std::abs(total - 1) < 4 * std::sqrt(variance) + 0.01);
      std::cout << what << ": sum of likelihoods " << total << " +- " << std::sqrt(variance)
                << ", largest |likelihood - sampler| / combined standard error " << worst
                << ", mean effective samples " << r.meanEffectiveSamples << " of " << proposals
                << "\n";
    }
}

}  // namespace

TEST_CASE("Trained coupled-binary: likelihoods agree with the sampler's joint", "[likelihood]") {
  // Importance weights are heavy-tailed for the rare labelings (p ~ 0.03): with K = 1000 one
  // seed gave z = 3.4 on a discrepancy that vanished at K = 16,000 (z < 1); hence K = 3000.
  // Both proposals are unbiased: each must agree with the sampler.
  checkAgainstSampler("toy:coupled-binary", 200, 3000, 20000, {Readout::Argmax}, 32, 0.5,
                      {ProposalKind::Reference, ProposalKind::PathEnd});
}

// (The coupled-binary table under both readouts agreed as well, z <= 1.8, but it repeated
// the argmax case above at twice the CI time; the Dirichlet table covers both readouts.)
TEST_CASE("Trained Dirichlet table n = 2, c = 3: both readouts agree with the sampler",
          "[likelihood][learning]") {
  checkAgainstSampler("toy:dirichlet?n=2&c=3&alpha=0.5&seed=0", 1500, 4000, 40000,
                      {Readout::Argmax, Readout::Factorized}, 64, 0.25);
}

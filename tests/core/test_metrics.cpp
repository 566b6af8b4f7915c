// Metrics: closed-form values, the conventions of metrics.h, shape validation.
#include "efm/eval/metrics.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace {

torch::Tensor f64(std::initializer_list<double> values) {
  return torch::tensor(std::vector<double>(values), torch::kDouble);
}

torch::Tensor labels(std::initializer_list<std::initializer_list<int64_t>> rows) {
  std::vector<torch::Tensor> out;
  for (const auto& row : rows)
    out.push_back(torch::tensor(std::vector<int64_t>(row), torch::kLong));
  return torch::stack(out);
}

}  // namespace

TEST_CASE("KL divergence: identity, closed form, conventions", "[metrics]") {
  const auto p = f64({0.3, 0.7});
  const auto q = f64({0.6, 0.4});
  CHECK(efm::klDivergence(p, p) == Approx(0.0).margin(1e-15));
  CHECK(efm::klDivergence(p, q) ==
        Approx(0.3 * std::log(0.3 / 0.6) + 0.7 * std::log(0.7 / 0.4)).epsilon(1e-12));
  CHECK(efm::klDivergence(q, p) ==
        Approx(0.6 * std::log(0.6 / 0.3) + 0.4 * std::log(0.4 / 0.7)).epsilon(1e-12));
  // 0 log 0 = 0: a zero in p costs nothing.
  CHECK(efm::klDivergence(f64({1.0, 0.0}), f64({0.5, 0.5})) == Approx(std::log(2.0)));
  // p > 0 where q = 0: +infinity.
  const double inf = efm::klDivergence(f64({0.5, 0.5}), f64({1.0, 0.0}));
  CHECK(std::isinf(inf));
  CHECK(inf > 0);
  // Float32 inputs are computed in float64 and give the same value.
  CHECK(efm::klDivergence(p.to(torch::kFloat), q.to(torch::kFloat)) ==
        Approx(efm::klDivergence(p, q)).epsilon(1e-6));
}

TEST_CASE("Total variation", "[metrics]") {
  CHECK(efm::totalVariation(f64({0.3, 0.7}), f64({0.6, 0.4})) == Approx(0.3));
  CHECK(efm::totalVariation(f64({1, 0, 0}), f64({0, 0, 1})) == Approx(1.0));
  CHECK(efm::totalVariation(f64({0.2, 0.8}), f64({0.2, 0.8})) == 0.0);
}

TEST_CASE("Metrics reject mismatched or invalid inputs", "[metrics]") {
  CHECK_THROWS_AS(efm::klDivergence(f64({0.5, 0.5}), f64({0.2, 0.3, 0.5})), std::invalid_argument);
  CHECK_THROWS_AS(efm::totalVariation(f64({0.5, 0.5}), f64({1.0})), std::invalid_argument);
  CHECK_THROWS_AS(efm::klDivergence(f64({-0.5, 1.5}), f64({0.5, 0.5})), std::invalid_argument);
  CHECK_THROWS_AS(efm::klDivergence(f64({std::nan(""), 1.0}), f64({0.5, 0.5})),
                  std::invalid_argument);
  const auto l = labels({{0, 1}, {1, 1}});
  CHECK_THROWS_AS(efm::compareJoint(f64({0.5, 0.5}), l, 2), std::invalid_argument);
  CHECK_THROWS_AS(efm::compareJoint(f64({0.25, 0.25, 0.25, 0.25}), l.to(torch::kInt), 2),
                  std::invalid_argument);
  CHECK_THROWS_AS(efm::empiricalJoint(labels({{0, 2}}), 2), std::invalid_argument);
  CHECK_THROWS_AS(efm::empiricalMarginals(labels({{0, -1}}), 2), std::invalid_argument);
  CHECK_THROWS_AS(efm::marginalKl(l, torch::full({3, 2}, 0.5, torch::kDouble)),
                  std::invalid_argument);
  CHECK_THROWS_AS(efm::marginalKl(l, torch::full({2}, 0.5, torch::kDouble)), std::invalid_argument);
}

TEST_CASE("Empirical joint and marginals", "[metrics]") {
  const auto l = labels({{0, 1}, {0, 1}, {2, 0}, {1, 2}});
  const auto joint = efm::empiricalJoint(l, 3);
  REQUIRE(joint.sizes() == torch::IntArrayRef({9}));
  CHECK(joint.scalar_type() == torch::kDouble);
  CHECK(joint[1].item<double>() == Approx(0.5));   // (0,1)
  CHECK(joint[6].item<double>() == Approx(0.25));  // (2,0)
  CHECK(joint[5].item<double>() == Approx(0.25));  // (1,2)
  CHECK(joint.sum().item<double>() == Approx(1.0));
  const auto marg = efm::empiricalMarginals(l, 3);
  REQUIRE(marg.sizes() == torch::IntArrayRef({2, 3}));
  CHECK(
      torch::allclose(marg, torch::tensor({{0.5, 0.25, 0.25}, {0.25, 0.5, 0.25}}, torch::kDouble)));
}

TEST_CASE("compareJoint applies the half-count floor to empty target cells", "[metrics]") {
  // Target over 2 binary nodes; 5 samples: (0,0) x3, (0,1) x2 -> counts [3, 2, 0, 0].
  const auto target = f64({0.4, 0.3, 0.2, 0.1});
  const auto l = labels({{0, 0}, {0, 0}, {0, 0}, {0, 1}, {0, 1}});
  const auto r = efm::compareJoint(target, l, 2);
  CHECK(r.samples == 5);
  CHECK(r.emptyModelCells == 2);
  CHECK(r.targetMassOnEmptyCells == Approx(0.3));
  CHECK(r.modelMassOutsideSupport == 0.0);
  // Floored model: [3, 2, 0.5, 0.5] / 6.
  const double klTm = 0.4 * std::log(0.4 / (3.0 / 6)) + 0.3 * std::log(0.3 / (2.0 / 6)) +
                      0.2 * std::log(0.2 / (0.5 / 6)) + 0.1 * std::log(0.1 / (0.5 / 6));
  CHECK(r.klTargetModel == Approx(klTm).epsilon(1e-12));
  CHECK(r.klModelTarget == Approx(0.6 * std::log(0.6 / 0.4) + 0.4 * std::log(0.4 / 0.3)));
  CHECK(r.totalVariation == Approx(0.3));
}

TEST_CASE("compareJoint reports model mass outside the target support", "[metrics]") {
  // Target zero on (1,0) and (1,1); one of four samples lands on (1,0).
  const auto target = f64({0.5, 0.5, 0.0, 0.0});
  const auto l = labels({{0, 0}, {0, 1}, {0, 1}, {1, 0}});
  const auto r = efm::compareJoint(target, l, 2);
  CHECK(r.emptyModelCells == 0);
  CHECK(r.targetMassOnEmptyCells == 0.0);
  CHECK(r.modelMassOutsideSupport == Approx(0.25));
  CHECK(std::isinf(r.klModelTarget));
  // No floor: the model estimate is [1, 2, 1, 0] / 4.
  CHECK(r.klTargetModel == Approx(0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.5)));
  CHECK(r.totalVariation == Approx(0.5 * (0.25 + 0.0 + 0.25)));
  // A perfect match.
  const auto exact = efm::compareJoint(f64({0.5, 0.5, 0.0, 0.0}), labels({{0, 0}, {0, 1}}), 2);
  CHECK(exact.klTargetModel == Approx(0.0).margin(1e-15));
  CHECK(exact.klModelTarget == Approx(0.0).margin(1e-15));
  CHECK(exact.totalVariation == Approx(0.0).margin(1e-15));
}

TEST_CASE("marginalKl averages KL(empirical || target) over nodes", "[metrics]") {
  const auto l = labels({{0, 1}, {0, 0}, {1, 1}, {0, 1}});
  const auto uniform = torch::full({2, 2}, 0.5, torch::kDouble);
  const double perNode = 0.75 * std::log(1.5) + 0.25 * std::log(0.5);
  CHECK(efm::marginalKl(l, uniform) == Approx(perNode).epsilon(1e-12));
  // Node 0 matches exactly, node 1 contributes KL((1/4, 3/4) || (0.5, 0.5)).
  const auto target = torch::tensor({{0.75, 0.25}, {0.5, 0.5}}, torch::kDouble);
  CHECK(efm::marginalKl(l, target) == Approx(perNode / 2).epsilon(1e-12));
  // A class the target forbids but the samples use: +infinity.
  const auto forbids = torch::tensor({{1.0, 0.0}, {0.5, 0.5}}, torch::kDouble);
  CHECK(std::isinf(efm::marginalKl(l, forbids)));
  // Classes never sampled cost nothing (0 log 0 = 0).
  const auto three = torch::tensor({{0.5, 0.25, 0.25}, {0.25, 0.5, 0.25}}, torch::kDouble);
  const double kl0 = 0.75 * std::log(0.75 / 0.5) + 0.25 * std::log(0.25 / 0.25);
  const double kl1 = 0.25 * std::log(0.25 / 0.25) + 0.75 * std::log(0.75 / 0.5);
  CHECK(efm::marginalKl(l, three) == Approx((kl0 + kl1) / 2).epsilon(1e-12));
}

#include "paths/dirichlet_velocity.h"

#include <torch/torch.h>

#include <array>
#include <cmath>
#include <stdexcept>

namespace efm::detail {

namespace {

constexpr int kNodes = 64;

// Gauss-Legendre nodes and weights on [0, 1] (Newton's method on P_n, from the classical
// cosine initial guesses).
struct GaussLegendre {
  std::array<double, kNodes> x{}, w{};
  GaussLegendre() {
    for (int i = 0; i < kNodes; ++i) {
      double z = std::cos(M_PI * (i + 0.75) / (kNodes + 0.5));
      double derivative = 0;
      for (int iteration = 0; iteration < 100; ++iteration) {
        double p0 = 1, p1 = 0;
        for (int k = 1; k <= kNodes; ++k) {
          const double p2 = p1;
          p1 = p0;
          p0 = ((2.0 * k - 1) * z * p1 - (k - 1.0) * p2) / k;
        }
        derivative = kNodes * (z * p0 - p1) / (z * z - 1);
        const double previous = z;
        z = previous - p0 / derivative;
        if (std::abs(z - previous) < 1e-15) break;
      }
      x[i] = (1 - z) / 2;
      w[i] = 1 / ((1 - z * z) * derivative * derivative);  // = 2/(...) on [-1,1], halved
    }
  }
};

const GaussLegendre& rule() {
  static const GaussLegendre instance;
  return instance;
}

// ∫_0^1 f(w, log w) dw with w = u^4 / (u^4 + (1 - u)^4): nodes cluster polynomially at
// both ends, which flattens the log w singularity at 0 and resolves the log t
// near-singularity that a small z puts next to w = 1 (64 nodes: relative error below 1e-8
// against arbitrary-precision quadrature over K in 5..160, alpha in 1..8, z in 1e-7..0.99).
template <typename F>
double integrateUnit(F f) {
  const GaussLegendre& r = rule();
  double sum = 0;
  for (int i = 0; i < kNodes; ++i) {
    const double u = r.x[i], v = 1 - u;
    const double u4 = u * u * u * u, v4 = v * v * v * v, d = u4 + v4;
    const double jacobian = 4 * u * u * u * v * v * v / (d * d);
    sum += r.w[i] * jacobian * f(u4 / d, 4 * std::log(u) - std::log(d));
  }
  return sum;
}

}  // namespace

double digamma(double x) {
  if (!(x > 0)) throw std::domain_error("digamma: argument must be positive");
  double shift = 0;
  while (x < 8) {
    shift -= 1 / x;
    x += 1;
  }
  const double r = 1 / (x * x);
  // Asymptotic series: ln x - 1/(2x) - sum B_2k / (2k x^2k).
  const double series =
      r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132)))));
  return shift + std::log(x) - 0.5 / x - series;
}

double regularizedIncompleteBeta(double z, double a, double b) {
  if (z <= 0) return 0;
  if (z >= 1) return 1;
  const double logBeta = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  // t = z s, s = w^(1/a): ∫_0^z t^(a-1) (1-t)^(b-1) dt = z^a / a ∫_0^1 (1 - z s)^(b-1) dw.
  const double integral = integrateUnit([&](double w, double logW) {
    const double s = std::exp(logW / a);
    (void)w;
    return std::exp((b - 1) * std::log1p(-z * s));
  });
  return std::exp(a * std::log(z) - std::log(a) - logBeta) * integral;
}

double dirichletFlowFactor(double z, double alpha, int64_t classes) {
  const double a = alpha, b = double(classes - 1);
  if (z <= 0) return 0;
  const double meanLog = digamma(a) - digamma(a + b);  // E[log t], t ~ Beta(a, b)
  if (z >= 1) return -meanLog / b;                     // the limit of the form from 1
  const double mode = (a - 1) / (a + b - 2 > 0 ? a + b - 2 : 1);
  if (z <= mode) {
    // From 0: C = z / (a (1 - z)) ∫_0^1 ((1 - z s) / (1 - z))^(b-1) (E - log(z s)) dw,
    // s = w^(1/a). Below the mode the integrand is positive and at most (1-z)^-(b-1).
    const double logZ = std::log(z), log1mZ = std::log1p(-z);
    const double integral = integrateUnit([&](double, double logW) {
      const double logS = logW / a;
      const double ratio = std::exp((b - 1) * (std::log1p(-z * std::exp(logS)) - log1mZ));
      return ratio * (meanLog - logZ - logS);
    });
    return z / (a * (1 - z)) * integral;
  }
  // From 1: C = -(1/b) ∫_0^1 (t/z)^(a-1) (E - log t) dw, t = z + (1 - z)(1 - w^(1/b)).
  const double integral = integrateUnit([&](double, double logW) {
    const double t = z + (1 - z) * -std::expm1(logW / b);
    return std::exp((a - 1) * std::log(t / z)) * (meanLog - std::log(t));
  });
  return -integral / b;
}

DirichletFlowTable::DirichletFlowTable(int64_t classes, int64_t points)
    : classes_(classes), points_(points) {
  if (classes < 2 || points < 2) throw std::invalid_argument("DirichletFlowTable: bad size");
}

torch::Tensor DirichletFlowTable::table(double alpha) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto found = cache_.find(alpha); found != cache_.end()) return found->second;
  // Sampling visits a few hundred alphas; a sweep of many step sizes should not grow the
  // cache without bound.
  if (cache_.size() >= 2048) cache_.clear();
  torch::Tensor values = torch::empty({points_}, torch::kFloat64);
  auto v = values.accessor<double, 1>();
  for (int64_t k = 0; k < points_; ++k) {
    const double r = double(k) / double(points_ - 1);
    v[k] = dirichletFlowFactor(r * r, alpha, classes_);
  }
  cache_.emplace(alpha, values);
  return values;
}

torch::Tensor DirichletFlowTable::factors(const torch::Tensor& x, double alpha) const {
  const torch::Tensor values = table(alpha).to(x.device(), x.scalar_type());
  // The grid is uniform in r = sqrt(z): fine where C changes fastest (z near 0, ~1/K).
  const torch::Tensor position = x.clamp(0, 1).sqrt() * double(points_ - 1);
  const torch::Tensor lower = position.floor().clamp(0, double(points_ - 2));
  const torch::Tensor fraction = position - lower;
  const torch::Tensor index = lower.to(torch::kLong);
  const torch::Tensor left = values.index_select(0, index.flatten()).view_as(x);
  const torch::Tensor right = values.index_select(0, (index + 1).flatten()).view_as(x);
  return left + fraction * (right - left);
}

}  // namespace efm::detail

#pragma once
// The Dirichlet flow's conditional velocity (Stark et al. 2024; docs/METHOD.md section 7), in
// double precision. The conditional path toward class i is x ~ Dir(1 + (alpha - 1) e_i);
// it moves every point along e_i - x, x_i being Beta(alpha, K - 1) distributed, with
//   u(x | e_i, alpha) = C(x_i, alpha) (e_i - x),
//   C(z, a) = -dI_z(a, b)/da * B(a, b) / (z^(a-1) (1 - z)^b),  b = K - 1,
// I the regularized incomplete beta function. Differentiating under the integral turns
// -dI/da * B into an integral of t^(a-1) (1-t)^(b-1) (E[log t] - log t) over [0, z], which
// vanishes over [0, 1]. We integrate it from the nearer end, divided by the denominator
// before integrating, so no ratio of tiny numbers is ever formed and no NaN can appear at
// any K (the peer implementation needed an escape hatch there).
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <mutex>

namespace efm::detail {

// psi(x) for x > 0.
double digamma(double x);

// I_z(a, b) for a, b >= 1, by Gauss-Legendre quadrature (for tests and checks).
double regularizedIncompleteBeta(double z, double a, double b);

// C(z, alpha) of the Dirichlet flow with `classes` classes, z in [0, 1], alpha >= 1.
double dirichletFlowFactor(double z, double alpha, int64_t classes);

// C(x, alpha) for a whole tensor of coordinates x, by linear interpolation in sqrt(x) on a
// table computed once per alpha (sampling steps over the same alphas for every chunk).
class DirichletFlowTable {
 public:
  explicit DirichletFlowTable(int64_t classes, int64_t points = 1025);
  torch::Tensor factors(const torch::Tensor& x, double alpha) const;
  int64_t classes() const { return classes_; }

 private:
  torch::Tensor table(double alpha) const;  // float64 [points], thread-safe

  int64_t classes_;
  int64_t points_;
  mutable std::mutex mutex_;
  mutable std::map<double, torch::Tensor> cache_;
};

}  // namespace efm::detail

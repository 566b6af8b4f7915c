#pragma once
// Shared pieces of the likelihood tests: the standard normal distribution function and a
// field whose flow is linear in logit coordinates.
#include "efm/base/random.h"
#include "efm/geometry/geometry.h"
#include "efm/models/vector_field.h"
#include "efm/sampling/likelihood.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <utility>

namespace efm_test {

inline double normalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// F(W, t) = r log W + b: in logit coordinates dV/dt = r V + P0 b, so V(T) is Gaussian,
// N(mu, sigma^2 I) in the coordinates, with sigma = e^{rT}, mu = (e^{rT} - 1) / r P0 b.
class LinearLogFieldImpl : public efm::VectorFieldImpl {
 public:
  LinearLogFieldImpl(double rate, const torch::Tensor& bias) {
    rate_ = register_parameter("rate", torch::full({1}, rate, torch::kFloat64));
    bias_ = register_buffer("bias", bias.to(torch::kFloat64));
  }
  torch::Tensor forward(const torch::Tensor& w, const torch::Tensor&) override {
    return rate_ * torch::log(w) + bias_;
  }
  double multiplyAddsPerSample() const override { return double(bias_.numel()); }

 private:
  torch::Tensor rate_, bias_;
};

// The linear test flow: n = 2 nodes, c = 3 classes, r = 0.1 to t_end = 15 and a fixed bias,
// so V_end ~ N(mu, sigma^2 I) in the coordinates.
struct LinearFlow {
  int64_t n = 2, c = 3;
  double rate = 0.1, tEnd = 15;
  double sigma = 0;
  torch::Tensor mu;  // [n, c]
  std::shared_ptr<LinearLogFieldImpl> field;
};

inline LinearFlow linearFlow() {
  LinearFlow flow;
  const torch::Tensor bias = torch::tensor({{0.2, 0.0, -0.1}, {-0.05, 0.0, 0.1}}, torch::kFloat64);
  flow.field = std::make_shared<LinearLogFieldImpl>(flow.rate, bias);
  flow.sigma = std::exp(flow.rate * flow.tEnd);
  flow.mu = (std::exp(flow.rate * flow.tEnd) - 1) / flow.rate * efm::geometry::projectTangent(bias);
  return flow;
}

// The factorized likelihood E[prod_i softmax(V_i)_{a_i}] of every labeling (row-major) by
// Monte Carlo over V ~ N(mu, sigma^2 I): its mean and standard error, float64 [c^n] each.
inline std::pair<torch::Tensor, torch::Tensor> factorizedMonteCarlo(const LinearFlow& flow,
                                                                    int64_t draws, uint64_t seed) {
  at::Generator g = efm::makeGenerator(torch::kCPU, seed);
  const torch::Tensor v =
      flow.mu +
      flow.sigma * torch::matmul(torch::randn({draws, flow.n, flow.c - 1}, g, torch::kFloat64),
                                 efm::tangentBasis(flow.c).t());
  const torch::Tensor joint = efm::geometry::segre(torch::softmax(v, -1));  // [draws, c^n]
  return {joint.mean(0), joint.std(0) / std::sqrt(static_cast<double>(draws))};
}

}  // namespace efm_test

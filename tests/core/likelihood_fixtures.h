#pragma once
// Shared pieces of the likelihood tests: the standard normal distribution function and a
// field whose flow is linear in logit coordinates.
#include "efm/models/vector_field.h"

#include <torch/torch.h>

#include <cmath>

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

}  // namespace efm_test

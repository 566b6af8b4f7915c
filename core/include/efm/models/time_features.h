#pragma once
// Deterministic Fourier features of the time t, the time input of the MLP and CNN fields.
#include <torch/nn/module.h>
#include <torch/types.h>

namespace efm {

using torch::Tensor;

// Fixed random-free Fourier features of t: [sin(2 pi f_k t), cos(2 pi f_k t)] with
// frequencies f_k spaced geometrically from maxFrequency / 2^(K-1) to maxFrequency, so
// that both the slow drift over t in [0, 15] and fine timing near t = 0 are resolved.
class TimeFeaturesImpl : public torch::nn::Module {
 public:
  TimeFeaturesImpl(int64_t features, double maxFrequency);
  Tensor forward(const Tensor& t);  // [B] -> [B, features]
  int64_t features() const { return features_; }

 private:
  int64_t features_;
  Tensor frequencies_;  // registered buffer
};
TORCH_MODULE(TimeFeatures);

}  // namespace efm

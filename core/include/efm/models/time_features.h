#pragma once
// Fourier features of the time t, the time input of the networks: three ways of choosing the
// frequencies, ours and the two the reference's networks use (docs/METHOD.md section 3).
#include <torch/nn/module.h>
#include <torch/types.h>

namespace efm {

using torch::Tensor;

enum class TimeSpacing {
  // Ours: f_k = maxFrequency / 2^(K-1-k) cycles per unit of t, k = 0..K-1, features
  // [sin, cos]: both the slow drift over t in [0, 15] and fine timing near t = 0 resolve.
  kOctaves,
  // Guided diffusion's timestep embedding (the reference U-Net): 10000^(-k/K) radians per
  // unit of t, features [cos, sin].
  kSinusoidal,
  // Random Fourier features (the reference CNN): f_k ~ N(0, scale^2) cycles per unit of t,
  // drawn once at construction from torch's generator and kept in the checkpoint; features
  // [sin, cos].
  kGaussian,
};

class TimeFeaturesImpl : public torch::nn::Module {
 public:
  // `features` (even) = 2 K; `scale` is maxFrequency for kOctaves and the standard deviation
  // for kGaussian, unused for kSinusoidal.
  TimeFeaturesImpl(int64_t features, double scale, TimeSpacing spacing = TimeSpacing::kOctaves);
  Tensor forward(const Tensor& t);  // [B] -> [B, features]
  int64_t features() const { return features_; }

 private:
  int64_t features_;
  bool cosineFirst_;
  Tensor frequencies_;  // registered buffer, radians per unit of t
};
TORCH_MODULE(TimeFeatures);

}  // namespace efm

#include "efm/models/time_features.h"

#include <torch/torch.h>

#include <cmath>

namespace efm {

namespace {

Tensor angularFrequencies(int64_t half, double scale, TimeSpacing spacing) {
  const Tensor k = torch::arange(half, torch::kFloat64);
  switch (spacing) {
    case TimeSpacing::kOctaves:
      return 2 * M_PI * scale * torch::pow(2.0, k - double(half - 1));
    case TimeSpacing::kSinusoidal:
      return torch::exp(-std::log(10000.0) * k / double(half));
    case TimeSpacing::kGaussian:
      return 2 * M_PI * scale * torch::randn({half}, torch::kFloat64);
  }
  return {};
}

}  // namespace

TimeFeaturesImpl::TimeFeaturesImpl(int64_t features, double scale, TimeSpacing spacing)
    : features_(features), cosineFirst_(spacing == TimeSpacing::kSinusoidal) {
  frequencies_ = register_buffer(
      "frequencies", angularFrequencies(features / 2, scale, spacing).to(torch::kFloat32));
}

Tensor TimeFeaturesImpl::forward(const Tensor& t) {
  const Tensor phase = t.to(frequencies_.dtype()).unsqueeze(-1) * frequencies_;
  if (cosineFirst_) return torch::cat({torch::cos(phase), torch::sin(phase)}, -1);
  return torch::cat({torch::sin(phase), torch::cos(phase)}, -1);
}

}  // namespace efm

#include "efm/models/time_features.h"

#include <torch/torch.h>

#include <cmath>

namespace efm {

TimeFeaturesImpl::TimeFeaturesImpl(int64_t features, double maxFrequency) : features_(features) {
  const int64_t half = features / 2;
  const double ratio = 2.0;
  auto f = torch::empty({half}, torch::kFloat32);
  for (int64_t k = 0; k < half; ++k)
    f[k] = 2 * M_PI * maxFrequency * std::pow(ratio, static_cast<double>(k - half + 1));
  frequencies_ = register_buffer("frequencies", f);
}

Tensor TimeFeaturesImpl::forward(const Tensor& t) {
  const Tensor phase = t.to(frequencies_.dtype()).unsqueeze(-1) * frequencies_;
  return torch::cat({torch::sin(phase), torch::cos(phase)}, -1);
}

}  // namespace efm

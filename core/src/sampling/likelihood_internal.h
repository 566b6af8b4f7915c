#pragma once
// Private pieces shared by the likelihood's sources: constants, the label's logit gap, the
// guard that leaves only the network's input differentiable, and the backward log density.
#include "efm/sampling/likelihood.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace efm::detail {

inline constexpr double kLog2Pi = 1.8378770664093454836;  // log(2 pi)
// Hutchinson's probes come from their own stream: the same proposals with either divergence.
inline constexpr uint64_t kProbeSeedOffset = 0x9E3779B97F4A7C15ULL;

// Gap between the label's and the other classes' logit of the smoothed one-hot point.
double labelGap(int64_t classes, double smoothing);

// Parameters' requires_grad switched off while the divergence is differentiated with
// respect to the input only; restored (with train mode) however the estimate ends.
class InputGradientsOnly {
 public:
  explicit InputGradientsOnly(VectorFieldImpl& network)
      : network_(network), wasTraining_(network.is_training()) {
    for (Tensor& p : network_.parameters()) {
      flags_.push_back(p.requires_grad());
      p.requires_grad_(false);
    }
    network_.eval();
  }
  ~InputGradientsOnly() {
    auto parameters = network_.parameters();
    for (std::size_t k = 0; k < parameters.size() && k < flags_.size(); ++k)
      parameters[k].requires_grad_(flags_[k]);
    if (wasTraining_) network_.train();
  }

 private:
  VectorFieldImpl& network_;
  bool wasTraining_;
  std::vector<bool> flags_;
};

// log nu at the end states [B, n, c] (float64, CPU): the flow integrated backward from tEnd to
// 0 with the divergence in an extra coordinate l (dl/dt = div, l(tEnd) = 0), then
// log nu = log N(u_0; 0, I_D) + l(0). `probes` [B, n, c] for Hutchinson, else undefined.
Tensor backwardLogDensity(VectorFieldImpl& network, const ProbabilityPath& path,
                          const Tensor& endStates, const Tensor& probes,
                          const LikelihoodOptions& options, double tEnd,
                          const std::function<bool()>& cancelled, int64_t& evaluations);

}  // namespace efm::detail

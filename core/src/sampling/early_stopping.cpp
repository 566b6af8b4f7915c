#include "efm/sampling/early_stopping.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <algorithm>

namespace efm {

Tensor topTwoGaps(const Tensor& state) {
  if (state.dim() != 3 || state.size(2) < 2)
    throw InputError("top-two gaps need states [B, n, c] with c >= 2");
  const Tensor top = std::get<0>(state.topk(2, -1));
  return top.select(-1, 0) - top.select(-1, 1);
}

DecisionMonitor::DecisionMonitor(double safety) : safety_(safety) {
  if (!(safety >= 1)) throw InputError("early stopping's safety factor must be at least 1");
}

void DecisionMonitor::observeVelocity(const Tensor& velocity) {
  if (velocity.numel() == 0) return;
  bound_ = std::max(bound_, velocity.abs().max().item<double>());
}

Tensor DecisionMonitor::decided(const Tensor& state, double remaining) const {
  if (bound_ < 0) return torch::zeros({state.size(0)}, state.options().dtype(torch::kBool));
  const double reach = 2 * safety_ * bound_ * std::max(remaining, 0.0);
  return (topTwoGaps(state) > reach).all(1);
}

}  // namespace efm

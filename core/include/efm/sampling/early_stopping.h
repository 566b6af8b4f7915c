#pragma once
// Early decision stopping (docs/METHOD.md §11): a labeling stops integrating once no node's
// read-out label can change any more. For a path whose read-out label is the argmax of its
// state (the e-geodesic paths: logits), a node's top-two gap m = V_(1) - V_(2) shrinks at
// most at 2 L while every velocity component stays within L in magnitude, so a node whose
// gap exceeds 2 L (t_end - t) keeps its argmax to t_end. L is not known in advance: the
// rule takes the largest velocity component seen so far in the chunk (every stage of every
// step, every labeling) times a safety factor, so it is a measured bound, and the tests
// check the labels it leaves against full integration.
#include <torch/types.h>

namespace efm {

using torch::Tensor;

// m = V_(1) - V_(2) per node of states [B, n, c] (c >= 2): [B, n].
Tensor topTwoGaps(const Tensor& state);

class DecisionMonitor {
 public:
  // safety >= 1 multiplies the measured bound on the velocity (1: the bound as measured).
  explicit DecisionMonitor(double safety = 1.0);
  // Every velocity the solver asks for ([rows, n, c]) raises the bound to its largest |v|.
  void observeVelocity(const Tensor& velocity);
  double bound() const { return bound_; }
  // Per labeling of `state` [B, n, c]: true where every node's gap exceeds
  // 2 safety L (remaining time); false for all while no velocity was seen.
  Tensor decided(const Tensor& state, double remaining) const;

 private:
  double safety_;
  double bound_ = -1;  // L; negative until a velocity was seen
};

}  // namespace efm

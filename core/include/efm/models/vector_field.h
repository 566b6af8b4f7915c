#pragma once
// Vector-field networks F_theta(W, t) (docs/METHOD.md section 3). The input is a batch of points
// W [B, n, c] of the assignment manifold and their times t [B], or t [1] for one time shared
// by the batch (what the ODE solvers pass: the time path is then computed once, not B
// times); the output is [B, n, c] (any real values: only P0 F enters the flow). Submodules are
// registered, so their names are the checkpoint keys. The kinds, and how to build one:
// efm/models/network_registry.h.
#include "efm/models/precision.h"

#include <torch/nn/module.h>

#include <memory>
#include <stdexcept>

namespace efm {

using torch::Tensor;

class VectorFieldImpl : public torch::nn::Module {
 public:
  virtual Tensor forward(const Tensor& w, const Tensor& t) = 0;
  // Multiply-adds of one sample's forward pass, every layer counted as it is defined (all
  // taps of a convolution, as FLOP counters count them): for FLOP rates and for comparing
  // networks with the reference's. 1 multiply-add = 2 FLOPs.
  virtual double multiplyAddsPerSample() const = 0;

  // Mixed bf16 (efm/models/precision.h): whether the network has that path, and the switch.
  // Networks without one run fp32 only. Choose with choosePrecision, which falls back.
  virtual bool hasBf16Path() const { return false; }
  virtual void setPrecision(Precision precision) {
    if (precision != Precision::kFloat32 && !hasBf16Path())
      throw std::logic_error("setPrecision: this network has no bf16 path");
    precision_ = precision;
  }
  Precision precision() const { return precision_; }

 private:
  Precision precision_ = Precision::kFloat32;
};
using VectorFieldPtr = std::shared_ptr<VectorFieldImpl>;

}  // namespace efm

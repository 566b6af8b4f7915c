#pragma once
// Vector-field networks F_theta(W, t) (METHOD.md section 3). The input is a batch of points
// W [B, n, c] of the assignment manifold and their times t [B], or t [1] for one time shared
// by the batch (what the ODE solvers pass: the time path is then computed once, not B
// times); the output is [B, n, c] (any real values: only P0 F enters the flow). Submodules are
// registered, so their names are the checkpoint keys.
#include "efm/config.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <memory>

namespace efm {

using torch::Tensor;

class VectorFieldImpl : public torch::nn::Module {
 public:
  virtual Tensor forward(const Tensor& w, const Tensor& t) = 0;
};
using VectorFieldPtr = std::shared_ptr<VectorFieldImpl>;

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

// MLP on the flattened W with the time features appended: for small n * c.
class MlpFieldImpl : public VectorFieldImpl {
 public:
  MlpFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options);
  Tensor forward(const Tensor& w, const Tensor& t) override;

 private:
  int64_t n_, c_;
  TimeFeatures time_{nullptr};
  // The first layer acting on [W, time features] is split into its two column blocks, so
  // that a time shared by the batch costs one row.
  torch::nn::Linear inputLayer_{nullptr}, timeLayer_{nullptr};
  torch::nn::ModuleList layers_;  // hidden layers after the first, and the output layer
};

// Dilated 1-D CNN over the n positions with c input channels (the peers' sequence model):
// a 1x1 embedding, residual blocks of [layer norm, + time embedding, dilated conv, ReLU],
// a 1x1 read-out. Taps of a dilated kernel that can only ever see the zero padding (those
// more than n - 1 positions from the centre) are skipped: the same output for less work,
// which matters for short sequences with wide dilations (n = 4 with dilation 64).
class DilatedCnnFieldImpl : public VectorFieldImpl {
 public:
  DilatedCnnFieldImpl(int64_t variables, int64_t classes, const NetworkOptions& options);
  Tensor forward(const Tensor& w, const Tensor& t) override;

 private:
  int64_t kernel_;
  std::vector<int64_t> dilations_;
  TimeFeatures time_{nullptr};
  torch::nn::Conv1d embed_{nullptr}, readout_{nullptr};
  torch::nn::ModuleList norms_, timeProjections_, convs_;
};

// Builds the network named by options.kind ("mlp", "cnn" or "unet"); throws InputError
// otherwise, and for a U-Net without an image layout whose pixels are the n variables.
VectorFieldPtr makeVectorField(int64_t variables, int64_t classes, const NetworkOptions& options,
                               const ImageLayout& image = {});

}  // namespace efm

#pragma once
// Time-conditioned U-Net vector field for image data (label maps of height x width pixels,
// each pixel a node with c classes): the input W [B, n, c] is read as a c-channel image.
// The layout follows the diffusion U-Nets the reference experiment uses: residual blocks
// with group norm and SiLU, the time added to every block through a shared embedding
// (sinusoidal features of t and a two-layer MLP), self-attention at chosen levels and at the
// bottleneck, skip connections between the two halves. As in the reference implementation's
// U-Net, attention "resolutions" are downsampling factors: 1 is the input's level, 2 the
// level after one halving; the reference's 16 lies beyond its four levels (factors 1 to 8),
// so there only the bottleneck attends.
#include "efm/models/network_options.h"
#include "efm/models/time_features.h"
#include "efm/models/vector_field.h"

#include <torch/nn/modules/container/sequential.h>

#include <vector>

namespace efm {

// GN - SiLU - conv3x3 - (+ time) - GN - SiLU - conv3x3, plus a 1x1 skip when the channel
// count changes. The second convolution starts at zero, so every block starts as identity.
class ResidualBlockImpl : public torch::nn::Module {
 public:
  ResidualBlockImpl(int64_t in, int64_t out, int64_t timeChannels, int64_t groups);
  // `bf16`: the convolutions take bf16 operands (efm/models/precision.h).
  Tensor forward(const Tensor& x, const Tensor& timeEmbedding, bool bf16 = false);

 private:
  torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
  torch::nn::Linear time_{nullptr};
};
TORCH_MODULE(ResidualBlock);

// Multi-head self-attention over the pixels of a feature map, with a residual connection
// (the output projection starts at zero).
class SpatialAttentionImpl : public torch::nn::Module {
 public:
  SpatialAttentionImpl(int64_t channels, int64_t heads, int64_t groups);
  Tensor forward(const Tensor& x, bool bf16 = false);

 private:
  int64_t heads_;
  torch::nn::GroupNorm norm_{nullptr};
  torch::nn::Conv2d qkv_{nullptr}, project_{nullptr};
};
TORCH_MODULE(SpatialAttention);

class UNetFieldImpl : public VectorFieldImpl {
 public:
  // Throws InputError when height and width are not divisible by 2^(levels - 1).
  // `timeSpacing`: kOctaves (ours: options.timeFeatures features up to options.maxFrequency)
  // or kSinusoidal (the reference's guided-diffusion embedding of `hidden` features).
  UNetFieldImpl(int64_t height, int64_t width, int64_t classes, const NetworkOptions& options,
                TimeSpacing timeSpacing = TimeSpacing::kOctaves);
  Tensor forward(const Tensor& w, const Tensor& t) override;

  // Multiply-adds of one forward pass for one image: convolutions and attention (the time
  // embedding's linear layers, once per image, are negligible and left out).
  double multiplyAddsPerSample() const override { return multiplyAdds_; }
  // Mixed bf16: every convolution (the bulk of the work) with bf16 operands.
  bool hasBf16Path() const override { return true; }
  // The activations' memory layout: contiguous NCHW (training: oneDNN's backward and group
  // norm copy channels-last activations) or channels-last (NHWC strides).
  void setChannelsLast(bool on) { channelsLast_ = on; }

 private:
  // One stage of either half: a residual block, optionally followed by attention.
  struct Stage {
    ResidualBlock block{nullptr};
    SpatialAttention attention{nullptr};  // null where the level has none
  };
  Tensor runStage(Stage& stage, const Tensor& x, const Tensor& timeEmbedding);

  int64_t height_, width_, classes_;
  double multiplyAdds_ = 0;
  bool channelsLast_ = false;
  TimeFeatures time_{nullptr};
  torch::nn::Sequential timeMlp_{nullptr};
  torch::nn::Conv2d input_{nullptr}, output_{nullptr};
  torch::nn::GroupNorm outputNorm_{nullptr};
  std::vector<Stage> down_, up_;
  std::vector<torch::nn::Conv2d> downsample_, upsample_;  // null entries: none at that level
  std::vector<int> downLevel_, upLevel_;                  // level index of each stage
  Stage middleFirst_, middleSecond_;
};

}  // namespace efm

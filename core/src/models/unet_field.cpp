#include "efm/models/unet_field.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace efm {

namespace nn = torch::nn;

namespace {

// GroupNorm with at most `groups` groups: the largest count that divides `channels`.
nn::GroupNorm groupNorm(int64_t groups, int64_t channels) {
  return nn::GroupNorm(nn::GroupNormOptions(std::gcd(groups, channels), channels));
}

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

// The convolution of `conv` in fp32, or with bf16 operands and an fp32 result. oneDNN sums
// bf16 products in fp32; the weights stay fp32 (training updates them), cast on each call.
// Every convolution here pads by half its kernel.
Tensor convolve(nn::Conv2d& conv, const Tensor& x, bool bf16) {
  if (!bf16) return conv->forward(x);
  const Tensor& weight = conv->weight;
  const int64_t stride = (*conv->options.stride())[0];
  const Tensor bias = conv->bias.defined() ? conv->bias.to(torch::kBFloat16) : Tensor();
  return torch::conv2d(x.to(torch::kBFloat16), weight.to(torch::kBFloat16), bias, stride,
                       weight.size(-1) / 2)
      .to(x.scalar_type());
}

void zeroInitialise(nn::Conv2d& conv) {
  torch::NoGradGuard noGrad;
  conv->weight.zero_();
  if (conv->bias.defined()) conv->bias.zero_();
}

}  // namespace

ResidualBlockImpl::ResidualBlockImpl(int64_t in, int64_t out, int64_t timeChannels,
                                     int64_t groups) {
  norm1_ = register_module("norm1", groupNorm(groups, in));
  conv1_ = register_module("conv1", conv3x3(in, out));
  time_ = register_module("time", nn::Linear(timeChannels, out));
  norm2_ = register_module("norm2", groupNorm(groups, out));
  conv2_ = register_module("conv2", conv3x3(out, out));
  zeroInitialise(conv2_);
  if (in != out) skip_ = register_module("skip", nn::Conv2d(nn::Conv2dOptions(in, out, 1)));
}

Tensor ResidualBlockImpl::forward(const Tensor& x, const Tensor& timeEmbedding, bool bf16) {
  Tensor h = convolve(conv1_, torch::silu(norm1_(x)), bf16);
  // [B or 1, out] -> [B or 1, out, 1, 1]: a time shared by the batch broadcasts.
  h = h + time_(timeEmbedding).unsqueeze(-1).unsqueeze(-1);
  h = convolve(conv2_, torch::silu(norm2_(h)), bf16);
  return (skip_ ? convolve(skip_, x, bf16) : x) + h;
}

SpatialAttentionImpl::SpatialAttentionImpl(int64_t channels, int64_t heads, int64_t groups)
    : heads_(heads) {
  norm_ = register_module("norm", groupNorm(groups, channels));
  qkv_ = register_module("qkv", nn::Conv2d(nn::Conv2dOptions(channels, 3 * channels, 1)));
  project_ = register_module("project", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
  zeroInitialise(project_);
}

Tensor SpatialAttentionImpl::forward(const Tensor& x, bool bf16) {
  const int64_t batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
  const int64_t pixels = height * width, headChannels = channels / heads_;
  // [B, 3C, H, W] -> three [B * heads, d, HW] blocks.
  const Tensor qkv =
      convolve(qkv_, norm_(x), bf16).reshape({batch, 3, heads_, headChannels, pixels});
  const Tensor q = qkv.select(1, 0).reshape({batch * heads_, headChannels, pixels});
  const Tensor k = qkv.select(1, 1).reshape({batch * heads_, headChannels, pixels});
  const Tensor v = qkv.select(1, 2).reshape({batch * heads_, headChannels, pixels});
  const double scale = 1.0 / std::sqrt(static_cast<double>(headChannels));
  const Tensor weights = torch::softmax(torch::bmm(q.transpose(1, 2), k) * scale, -1);
  // out[:, :, i] = sum_j v[:, :, j] weights[:, i, j]
  const Tensor out = torch::bmm(v, weights.transpose(1, 2));
  return x + convolve(project_, out.reshape({batch, channels, height, width}), bf16);
}

UNetFieldImpl::UNetFieldImpl(int64_t height, int64_t width, int64_t classes,
                             const NetworkOptions& options, TimeSpacing timeSpacing)
    : height_(height), width_(width), classes_(classes) {
  const auto& multipliers = options.channelMultipliers;
  const int64_t levels = static_cast<int64_t>(multipliers.size());
  const int64_t factor = int64_t{1} << (levels - 1);
  if (height % factor != 0 || width % factor != 0)
    throw InputError(
        "network 'unet' with " + std::to_string(levels) + " levels halves the image " +
        std::to_string(levels - 1) + " times, so height and width must be multiples of " +
        std::to_string(factor) + "; the data's label maps are " + std::to_string(height) + " x " +
        std::to_string(width) + " (choose another crop, or fewer network.channel_multipliers)");
  const int64_t base = options.hidden, groups = options.normGroups;
  const int64_t timeChannels = 4 * base;
  auto hasAttention = [&](int64_t level) {
    const int64_t factor = int64_t{1} << level;  // downsampling factor of the level
    const auto& at = options.attentionResolutions;
    return std::find(at.begin(), at.end(), factor) != at.end();
  };
  // Multiply-adds per image, accumulated as the layers are built.
  auto countConv = [&](int64_t level, int64_t in, int64_t out, int64_t taps) {
    multiplyAdds_ += double((height >> level) * (width >> level)) * in * out * taps;
  };
  auto makeStage = [&](const std::string& name, int64_t level, int64_t in, int64_t out,
                       bool attention) {
    Stage stage;
    stage.block = register_module(name, ResidualBlock(in, out, timeChannels, groups));
    countConv(level, in, out, 9);
    countConv(level, out, out, 9);
    if (in != out) countConv(level, in, out, 1);
    if (attention) {
      stage.attention = register_module(name + "_attention",
                                        SpatialAttention(out, options.attentionHeads, groups));
      const double pixels = double((height >> level) * (width >> level));
      multiplyAdds_ += pixels * out * out * 4 + 2 * pixels * pixels * out;
    }
    return stage;
  };

  const int64_t timeFeatures =
      timeSpacing == TimeSpacing::kSinusoidal ? 2 * (base / 2) : options.timeFeatures;
  time_ = register_module("time", TimeFeatures(timeFeatures, options.maxFrequency, timeSpacing));
  timeMlp_ =
      register_module("time_mlp", nn::Sequential(nn::Linear(timeFeatures, timeChannels), nn::SiLU(),
                                                 nn::Linear(timeChannels, timeChannels)));
  input_ = register_module("input", conv3x3(classes, base));
  countConv(0, classes, base, 9);

  // Encoder; skipChannels records what each skip connection carries, in order.
  std::vector<int64_t> skipChannels = {base};
  int64_t channels = base;
  for (int64_t level = 0; level < levels; ++level) {
    const int64_t out = base * multipliers[level];
    for (int64_t b = 0; b < options.residualBlocks; ++b) {
      down_.push_back(makeStage("down" + std::to_string(level) + "_" + std::to_string(b), level,
                                channels, out, hasAttention(level)));
      downLevel_.push_back(static_cast<int>(level));
      channels = out;
      skipChannels.push_back(channels);
    }
    if (level + 1 < levels) {
      downsample_.push_back(
          register_module("downsample" + std::to_string(level), conv3x3(channels, channels, 2)));
      countConv(level + 1, channels, channels, 9);
      skipChannels.push_back(channels);
    }
  }
  // The bottleneck always attends: there the whole map is a few hundred pixels at most.
  middleFirst_ = makeStage("middle0", levels - 1, channels, channels, true);
  middleSecond_ = makeStage("middle1", levels - 1, channels, channels, false);

  // Decoder: one more block per level than the encoder, each fed one skip connection.
  for (int64_t level = levels - 1; level >= 0; --level) {
    const int64_t out = base * multipliers[level];
    for (int64_t b = 0; b <= options.residualBlocks; ++b) {
      const int64_t in = channels + skipChannels.back();
      skipChannels.pop_back();
      up_.push_back(makeStage("up" + std::to_string(level) + "_" + std::to_string(b), level, in,
                              out, hasAttention(level)));
      upLevel_.push_back(static_cast<int>(level));
      channels = out;
    }
    if (level > 0) {
      upsample_.push_back(
          register_module("upsample" + std::to_string(level), conv3x3(channels, channels)));
      countConv(level - 1, channels, channels, 9);
    }
  }
  outputNorm_ = register_module("output_norm", groupNorm(groups, channels));
  output_ = register_module("output", conv3x3(channels, classes));
  countConv(0, channels, classes, 9);
  zeroInitialise(output_);
}

Tensor UNetFieldImpl::runStage(Stage& stage, const Tensor& x, const Tensor& timeEmbedding) {
  const bool bf16 = precision() == Precision::kBFloat16;
  Tensor y = stage.block->forward(x, timeEmbedding, bf16);
  return stage.attention ? stage.attention->forward(y, bf16) : y;
}

Tensor UNetFieldImpl::forward(const Tensor& w, const Tensor& t) {
  const int64_t batch = w.size(0);
  // [B, n, c] with n = H * W row-major -> [B, c, H, W].
  // Contiguous NCHW: with channels-last strides (what the permute gives) oneDNN's
  // convolutions and group norm's backward copy every activation (measured 1.3-2x slower).
  const Tensor image = w.view({batch, height_, width_, classes_})
                           .permute({0, 3, 1, 2})
                           .contiguous(channelsLast_ ? torch::MemoryFormat::ChannelsLast
                                                     : torch::MemoryFormat::Contiguous);
  // SiLU once here rather than in every block before its projection of the embedding.
  const Tensor timeEmbedding = torch::silu(timeMlp_->forward(time_(t)));

  std::vector<Tensor> skips;
  const bool bf16 = precision() == Precision::kBFloat16;
  Tensor x = convolve(input_, image, bf16);
  skips.push_back(x);
  size_t down = 0, downsample = 0;
  while (down < down_.size()) {
    const int level = downLevel_[down];
    x = runStage(down_[down++], x, timeEmbedding);
    skips.push_back(x);
    const bool levelEnds = down == down_.size() || downLevel_[down] != level;
    if (levelEnds && downsample < downsample_.size()) {
      x = convolve(downsample_[downsample++], x, bf16);
      skips.push_back(x);
    }
  }
  x = runStage(middleFirst_, x, timeEmbedding);
  x = runStage(middleSecond_, x, timeEmbedding);

  size_t upsample = 0;
  for (size_t up = 0; up < up_.size(); ++up) {
    x = runStage(up_[up], torch::cat({x, skips.back()}, 1), timeEmbedding);
    skips.pop_back();
    const bool levelEnds = up + 1 == up_.size() || upLevel_[up + 1] != upLevel_[up];
    if (levelEnds && upsample < upsample_.size()) {
      x = torch::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2});
      x = convolve(upsample_[upsample++], x, bf16);
    }
  }
  x = convolve(output_, torch::silu(outputNorm_(x)), bf16);  // [B, c, H, W]
  return x.permute({0, 2, 3, 1}).reshape({batch, height_ * width_, classes_});
}

}  // namespace efm

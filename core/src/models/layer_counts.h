#pragma once
// What the 1-D networks share: a dilated convolution that skips the taps lying wholly in the
// zero padding, and the multiply-add count of a network made of linear and 1-D conv layers.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

namespace efm {

// conv1d with "same" padding (the layer's padding must be dilation * (kernel / 2)) that drops
// the taps which, for this sequence length, can only see the padding: the same output for
// less work, which matters for short sequences with wide dilations (n = 4 with dilation 64).
torch::Tensor sameConv1d(torch::nn::Conv1dImpl& conv, const torch::Tensor& x);

// Multiply-adds of one sample's forward pass through every Linear (applied once) and Conv1d
// (applied at each of `positions`, every tap counted as the layer defines it) in `network`:
// the convention of a per-layer count from the definition, as FLOP counters report it.
double multiplyAddsOfLayers(const torch::nn::Module& network, int64_t positions);

}  // namespace efm

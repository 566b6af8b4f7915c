#include "models/layer_counts.h"

#include <torch/nn/modules/linear.h>
#include <torch/torch.h>

#include <algorithm>

namespace efm {

torch::Tensor sameConv1d(torch::nn::Conv1dImpl& conv, const torch::Tensor& x) {
  const int64_t kernel = conv.options.kernel_size()->front();
  const int64_t dilation = conv.options.dilation()->front();
  const int64_t length = x.size(-1);
  const int64_t half = kernel / 2;
  const int64_t reach = std::min(half, (length - 1) / dilation);  // taps that can see data
  if (reach == half) return conv.forward(x);
  const torch::Tensor weight = conv.weight.narrow(2, half - reach, 2 * reach + 1);
  return torch::conv1d(x, weight, conv.bias, /*stride=*/1, /*padding=*/reach * dilation, dilation);
}

double multiplyAddsOfLayers(const torch::nn::Module& network, int64_t positions) {
  double total = 0;
  for (const auto& module : network.modules(/*include_self=*/false)) {
    if (const auto* linear = module->as<torch::nn::LinearImpl>())
      total += double(linear->weight.numel());
    else if (const auto* conv = module->as<torch::nn::Conv1dImpl>())
      total += double(conv->weight.numel()) * double(positions);
  }
  return total;
}

}  // namespace efm

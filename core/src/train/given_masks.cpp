#include "efm/train/given_masks.h"

#include <torch/torch.h>

namespace efm {

namespace {

// The rows [y0, y1) x columns [x0, x1) of each label map, never empty: each pair of ends a
// uniform draw of two different values of 0..size: bool [batch, height * width].
torch::Tensor rectangles(int64_t batch, const ImageLayout& image, at::Generator& generator) {
  const auto span = [&](int64_t size) {
    const torch::Tensor a = torch::randint(0, size + 1, {batch, 1}, generator, torch::kLong);
    torch::Tensor b = torch::randint(0, size, {batch, 1}, generator, torch::kLong);
    b = b + (b >= a).to(torch::kLong);  // skips a: uniform over the other values
    return std::make_pair(torch::min(a, b), torch::max(a, b));
  };
  const auto [top, bottom] = span(image.height);
  const auto [left, right] = span(image.width);
  const torch::Tensor node = torch::arange(image.pixels(), torch::kLong).view({1, -1});
  const torch::Tensor row = node.div(image.width, "floor");
  const torch::Tensor column = node.remainder(image.width);
  return (row >= top) & (row < bottom) & (column >= left) & (column < right);
}

}  // namespace

torch::Tensor drawGivenMask(int64_t batch, int64_t variables, const ImageLayout& image,
                            at::Generator& generator) {
  const torch::Tensor kind = torch::rand({batch, 1}, generator);
  const torch::Tensor rate = torch::rand({batch, 1}, generator);
  torch::Tensor mask = torch::rand({batch, variables}, generator) < rate;
  if (image.isImage() && image.pixels() == variables) {
    const torch::Tensor outside = torch::rand({batch, 1}, generator) < 0.5;
    const torch::Tensor box = rectangles(batch, image, generator).logical_xor(outside);
    mask = torch::where(kind >= 0.625, box, mask);
  }
  return mask.logical_and(kind >= 0.25);
}

}  // namespace efm

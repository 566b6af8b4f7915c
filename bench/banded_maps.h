#pragma once
// A label-map dataset for the speed benchmarks, drawn without reading files (the cost of a
// U-Net step does not depend on the labels).
#include "efm/data/dataset.h"

#include <torch/torch.h>

#include <optional>
#include <string>

namespace efm::bench {

// Street-like maps without reading files: horizontal bands of classes with a random
// horizon and random boxes. The cost of a step does not depend on the labels.
class BandedMaps final : public efm::Dataset {
 public:
  BandedMaps(int64_t height, int64_t width) : height_(height), width_(width) {}
  int64_t variables() const override { return height_ * width_; }
  int64_t classes() const override { return 8; }
  Tensor sample(int64_t batch, at::Generator& generator) const override {
    const Tensor horizon =
        torch::randint(height_ / 4, height_ * 5 / 8, {batch, 1, 1}, generator, torch::kLong);
    const Tensor rows = torch::arange(height_, torch::kLong).view({1, height_, 1});
    Tensor maps = torch::where(rows < horizon, torch::full({1}, 5, torch::kLong),
                               torch::full({1}, 1, torch::kLong))
                      .expand({batch, height_, width_})
                      .clone();
    // Boxes of 8 x 8 pixels with random classes.
    const Tensor noise =
        torch::randint(0, 8, {batch, height_ / 8, width_ / 8}, generator, torch::kLong);
    const Tensor boxes = torch::rand({batch, height_ / 8, width_ / 8}, generator) < 0.2;
    auto up = [](const Tensor& x) { return x.repeat_interleave(8, 1).repeat_interleave(8, 2); };
    maps = torch::where(up(boxes), up(noise), maps);
    return maps.reshape({batch, height_ * width_});
  }
  std::optional<Tensor> jointTable() const override { return std::nullopt; }
  Tensor marginals() const override {
    return torch::full({height_ * width_, 8}, 0.125, torch::kFloat64);
  }
  std::string description() const override { return "banded maps, 8 classes"; }
  efm::ImageLayout imageLayout() const override { return {height_, width_, "categories"}; }

 private:
  int64_t height_, width_;
};

}  // namespace efm::bench

// Crops of label maps: sampling, exact marginals over every placement, small joint tables.
#include "image_crops_dataset.h"

#include "dataset_internal.h"

#include <torch/torch.h>

#include <stdexcept>
#include <utility>

namespace efm::detail {
namespace {

// Largest number of crop placements enumerated for an empirical joint table.
constexpr int64_t kMaxEnumeratedCrops = int64_t{1} << 22;

}  // namespace

const char* cropModeName(CropMode mode) {
  switch (mode) {
    case CropMode::kRandom:
      return "random";
    case CropMode::kCenter:
      return "center";
    case CropMode::kGrid:
      return "grid";
  }
  return "";
}

ImageCropsDataset::ImageCropsDataset(std::string description, Tensor images, int64_t classes,
                                     std::array<int64_t, 2> crop, CropMode mode,
                                     std::string classSet, ImageDataFacts facts)
    : description_(std::move(description)),
      images_(images.contiguous()),
      classes_(classes),
      cropHeight_(crop[0]),
      cropWidth_(crop[1]),
      mode_(mode),
      classSet_(std::move(classSet)),
      facts_(std::move(facts)) {
  if (images_.dim() != 3 || images_.scalar_type() != torch::kUInt8 || images_.size(0) < 1)
    throw std::invalid_argument("ImageCropsDataset: images must be uint8 [M, h, w], M >= 1");
  const int64_t h = images_.size(1), w = images_.size(2);
  if (cropHeight_ < 1 || cropWidth_ < 1 || cropHeight_ > h || cropWidth_ > w)
    throw std::invalid_argument("ImageCropsDataset: crop must fit in the images");
  if (classes_ < 1 || classes_ > 256)
    throw std::invalid_argument("ImageCropsDataset: 1 to 256 classes");
  if (mode_ == CropMode::kCenter) {
    offsets_.push_back({(h - cropHeight_) / 2, (w - cropWidth_) / 2});
  } else if (mode_ == CropMode::kGrid) {
    const int64_t rows = h / cropHeight_, columns = w / cropWidth_;
    const int64_t top = (h - rows * cropHeight_) / 2, left = (w - columns * cropWidth_) / 2;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < columns; ++c)
        offsets_.push_back({top + r * cropHeight_, left + c * cropWidth_});
  }
  marginals_ = computeMarginals();
}

int64_t ImageCropsDataset::placementsPerImage() const {
  if (mode_ != CropMode::kRandom) return static_cast<int64_t>(offsets_.size());
  return (images_.size(1) - cropHeight_ + 1) * (images_.size(2) - cropWidth_ + 1);
}

std::array<int64_t, 2> ImageCropsDataset::placement(int64_t index) const {
  if (mode_ != CropMode::kRandom) return offsets_[static_cast<std::size_t>(index)];
  const int64_t columns = images_.size(2) - cropWidth_ + 1;
  return {index / columns, index % columns};
}

void ImageCropsDataset::copyCrop(int64_t image, std::array<int64_t, 2> offset, int64_t* out) const {
  const int64_t h = images_.size(1), w = images_.size(2);
  const uint8_t* base = images_.data_ptr<uint8_t>() + image * h * w;
  for (int64_t r = 0; r < cropHeight_; ++r) {
    const uint8_t* row = base + (offset[0] + r) * w + offset[1];
    for (int64_t c = 0; c < cropWidth_; ++c) *out++ = row[c];
  }
}

Tensor ImageCropsDataset::sample(int64_t batch, at::Generator& generator) const {
  if (batch < 0) throw std::invalid_argument("Dataset::sample: negative batch size");
  Tensor out = torch::empty({batch, variables()}, torch::kLong);
  if (batch == 0) return out;
  const int64_t images = images_.size(0);
  // Random crops draw the image and the offset independently: uniform over placements.
  const int64_t perImage = placementsPerImage();
  const Tensor index = torch::randint(images * perImage, {batch}, generator, torch::kLong);
  const int64_t* drawn = index.data_ptr<int64_t>();
  int64_t* target = out.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch; ++b)
    copyCrop(drawn[b] / perImage, placement(drawn[b] % perImage), target + b * variables());
  return out;
}

std::optional<int64_t> ImageCropsDataset::count() const {
  if (mode_ == CropMode::kRandom) return images_.size(0);
  return images_.size(0) * placementsPerImage();
}

std::optional<Tensor> ImageCropsDataset::items(int64_t first, int64_t number) const {
  const int64_t available = *count();
  if (first < 0 || number < 0 || first + number > available)
    throw std::out_of_range("ImageCropsDataset::items: range outside the items");
  Tensor out = torch::empty({number, variables()}, torch::kLong);
  int64_t* target = out.data_ptr<int64_t>();
  const std::array<int64_t, 2> centre = {(images_.size(1) - cropHeight_) / 2,
                                         (images_.size(2) - cropWidth_) / 2};
  for (int64_t k = 0; k < number; ++k) {
    const int64_t index = first + k;
    if (mode_ == CropMode::kRandom) {
      copyCrop(index, centre, target + k * variables());
    } else {
      const int64_t perImage = static_cast<int64_t>(offsets_.size());
      copyCrop(index / perImage, offsets_[static_cast<std::size_t>(index % perImage)],
               target + k * variables());
    }
  }
  return out;
}

std::optional<Tensor> ImageCropsDataset::jointTable() const {
  const auto size = jointTableSize(variables(), classes_);
  const int64_t crops = images_.size(0) * placementsPerImage();
  if (!size || crops > kMaxEnumeratedCrops) return std::nullopt;
  Tensor table = torch::zeros({*size}, torch::kDouble);
  double* cells = table.data_ptr<double>();
  std::vector<int64_t> crop(static_cast<std::size_t>(variables()));
  for (int64_t i = 0; i < crops; ++i) {
    copyCrop(i / placementsPerImage(), placement(i % placementsPerImage()), crop.data());
    int64_t cell = 0;
    for (int64_t label : crop) cell = cell * classes_ + label;
    cells[cell] += 1;
  }
  return table / static_cast<double>(crops);
}

Tensor ImageCropsDataset::computeMarginals() const {
  const int64_t images = images_.size(0), h = images_.size(1), w = images_.size(2);
  const int64_t c = classes_, n = variables();
  const uint8_t* pixels = images_.data_ptr<uint8_t>();
  Tensor marginals = torch::zeros({n, c}, torch::kDouble);
  double* m = marginals.data_ptr<double>();
  const auto placements = static_cast<double>(images * placementsPerImage());
  if (mode_ != CropMode::kRandom) {
    std::vector<int64_t> counts(static_cast<std::size_t>(n * c), 0);
    for (int64_t image = 0; image < images; ++image)
      for (const auto& offset : offsets_)
        for (int64_t r = 0; r < cropHeight_; ++r) {
          const uint8_t* row = pixels + (image * h + offset[0] + r) * w + offset[1];
          for (int64_t col = 0; col < cropWidth_; ++col)
            ++counts[static_cast<std::size_t>((r * cropWidth_ + col) * c + row[col])];
        }
    for (int64_t i = 0; i < n * c; ++i) m[i] = static_cast<double>(counts[i]) / placements;
    return marginals;
  }
  // Random crops: crop pixel (r, col) sees image pixel (r + dy, col + dx) for every offset, so
  // its class frequency is a box sum over the per-pixel class counts of all images, taken
  // from a summed-area table (exact, O(c h w)).
  std::vector<int64_t> area(static_cast<std::size_t>(c * (h + 1) * (w + 1)), 0);
  auto at = [&](int64_t k, int64_t y, int64_t x) -> int64_t& {
    return area[static_cast<std::size_t>((k * (h + 1) + y) * (w + 1) + x)];
  };
  for (int64_t image = 0; image < images; ++image)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) ++at(pixels[(image * h + y) * w + x], y + 1, x + 1);
  for (int64_t k = 0; k < c; ++k)
    for (int64_t y = 1; y <= h; ++y)
      for (int64_t x = 1; x <= w; ++x)
        at(k, y, x) += at(k, y - 1, x) + at(k, y, x - 1) - at(k, y - 1, x - 1);
  const int64_t spanY = h - cropHeight_ + 1, spanX = w - cropWidth_ + 1;
  for (int64_t r = 0; r < cropHeight_; ++r)
    for (int64_t col = 0; col < cropWidth_; ++col)
      for (int64_t k = 0; k < c; ++k) {
        const int64_t box = at(k, r + spanY, col + spanX) - at(k, r, col + spanX) -
                            at(k, r + spanY, col) + at(k, r, col);
        m[(r * cropWidth_ + col) * c + k] = static_cast<double>(box) / placements;
      }
  return marginals;
}

}  // namespace efm::detail

// Crops of label maps: sampling, exact marginals over every placement, small joint tables.
#include "data/images/image_crops_dataset.h"

#include "data/dataset_internal.h"

#include <torch/torch.h>

#include <stdexcept>
#include <utility>

namespace efm::detail {

ImageCropsDataset::ImageCropsDataset(std::string description, Tensor images, int64_t classes,
                                     std::array<int64_t, 2> crop, CropMode mode,
                                     std::string classSet, ImageDataFacts facts)
    : description_(std::move(description)),
      images_(images.contiguous()),
      classes_(classes),
      classSet_(std::move(classSet)),
      facts_(std::move(facts)) {
  if (images_.dim() != 3 || images_.scalar_type() != torch::kUInt8 || images_.size(0) < 1)
    throw std::invalid_argument("ImageCropsDataset: images must be uint8 [M, h, w], M >= 1");
  geometry_ = {images_.size(1), images_.size(2), crop[0], crop[1], mode};
  geometry_.check();
  if (classes_ < 1 || classes_ > 256)
    throw std::invalid_argument("ImageCropsDataset: 1 to 256 classes");
  CropStatistics statistics(geometry_, classes_, /*perNode=*/true);
  const int64_t pixels = geometry_.height * geometry_.width;
  for (int64_t image = 0; image < images_.size(0); ++image)
    statistics.add(images_.data_ptr<uint8_t>() + image * pixels);
  marginals_ = statistics.marginals();
}

void ImageCropsDataset::copyCrop(int64_t image, std::array<int64_t, 2> offset, int64_t* out) const {
  const int64_t h = geometry_.height, w = geometry_.width;
  const uint8_t* base = images_.data_ptr<uint8_t>() + image * h * w;
  for (int64_t r = 0; r < geometry_.cropHeight; ++r) {
    const uint8_t* row = base + (offset[0] + r) * w + offset[1];
    for (int64_t c = 0; c < geometry_.cropWidth; ++c) *out++ = row[c];
  }
}

void ImageCropsDataset::setImageClasses(Tensor imageClasses, int64_t labelClasses) {
  if (imageClasses.dim() != 1 || imageClasses.size(0) != images_.size(0) || labelClasses < 1)
    throw std::invalid_argument("ImageCropsDataset: one class label per image");
  imageClasses_ = imageClasses.to(torch::kLong).contiguous();
  labelClasses_ = labelClasses;
}

Tensor ImageCropsDataset::sample(int64_t batch, at::Generator& generator) const {
  return draw(batch, generator, nullptr);
}

Tensor ImageCropsDataset::sampleLabelled(int64_t batch, at::Generator& generator,
                                         Tensor& classes) const {
  if (labelClasses_ == 0) return Dataset::sampleLabelled(batch, generator, classes);
  Tensor drawnImages;
  Tensor out = draw(batch, generator, &drawnImages);
  classes = imageClasses_.index_select(0, drawnImages);
  return out;
}

Tensor ImageCropsDataset::draw(int64_t batch, at::Generator& generator, Tensor* drawnImages) const {
  if (batch < 0) throw std::invalid_argument("Dataset::sample: negative batch size");
  Tensor out = torch::empty({batch, variables()}, torch::kLong);
  if (drawnImages) *drawnImages = torch::zeros({batch}, torch::kLong);
  if (batch == 0) return out;
  const int64_t images = images_.size(0);
  // Random crops draw the image and the offset independently: uniform over placements.
  const int64_t perImage = geometry_.placementsPerMap();
  const Tensor index = torch::randint(images * perImage, {batch}, generator, torch::kLong);
  const int64_t* drawn = index.data_ptr<int64_t>();
  int64_t* target = out.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch; ++b)
    copyCrop(drawn[b] / perImage, geometry_.placement(drawn[b] % perImage),
             target + b * variables());
  if (drawnImages) *drawnImages = index.div(perImage, "floor");
  return out;
}

std::optional<int64_t> ImageCropsDataset::count() const {
  if (geometry_.mode == CropMode::kRandom) return images_.size(0);
  return images_.size(0) * geometry_.placementsPerMap();
}

std::optional<Tensor> ImageCropsDataset::items(int64_t first, int64_t number) const {
  const int64_t available = *count();
  if (first < 0 || number < 0 || first + number > available)
    throw std::out_of_range("ImageCropsDataset::items: range outside the items");
  Tensor out = torch::empty({number, variables()}, torch::kLong);
  int64_t* target = out.data_ptr<int64_t>();
  const std::array<int64_t, 2> centre = {(geometry_.height - geometry_.cropHeight) / 2,
                                         (geometry_.width - geometry_.cropWidth) / 2};
  for (int64_t k = 0; k < number; ++k) {
    const int64_t index = first + k;
    if (geometry_.mode == CropMode::kRandom) {
      copyCrop(index, centre, target + k * variables());
    } else {
      const int64_t perImage = geometry_.placementsPerMap();
      copyCrop(index / perImage, geometry_.placement(index % perImage), target + k * variables());
    }
  }
  return out;
}

std::optional<Tensor> ImageCropsDataset::jointTable() const {
  const auto size = jointTableSize(variables(), classes_);
  const int64_t perImage = geometry_.placementsPerMap();
  const int64_t crops = images_.size(0) * perImage;
  if (!size || crops > kMaxEnumeratedCrops) return std::nullopt;
  Tensor table = torch::zeros({*size}, torch::kDouble);
  double* cells = table.data_ptr<double>();
  std::vector<int64_t> crop(static_cast<std::size_t>(variables()));
  for (int64_t i = 0; i < crops; ++i) {
    copyCrop(i / perImage, geometry_.placement(i % perImage), crop.data());
    int64_t cell = 0;
    for (int64_t label : crop) cell = cell * classes_ + label;
    cells[cell] += 1;
  }
  return table / static_cast<double>(crops);
}

}  // namespace efm::detail

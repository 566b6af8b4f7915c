// The three kinds of dataset: weighted support, product of marginals, list of items.
#include "data/dataset_internal.h"

#include "efm/data/labelings.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <utility>

namespace efm::detail {
namespace {

void checkBatch(int64_t batch) {
  if (batch < 0) throw std::invalid_argument("Dataset::sample: negative batch size");
}

Tensor emptyBatch(int64_t variables) { return torch::empty({0, variables}, torch::kLong); }

}  // namespace

std::optional<int64_t> jointTableSize(int64_t variables, int64_t classes) {
  int64_t size = 1;
  for (int64_t i = 0; i < variables; ++i) {
    if (size > kMaxJointTableSize / classes) return std::nullopt;
    size *= classes;
  }
  return size;
}

// ---- WeightedSupportDataset ------------------------------------------------------------

WeightedSupportDataset::WeightedSupportDataset(std::string description, int64_t variables,
                                               int64_t classes, std::optional<Tensor> support,
                                               Tensor probabilities)
    : description_(std::move(description)),
      variables_(variables),
      classes_(classes),
      support_(std::move(support)),
      probabilities_(probabilities.to(torch::kDouble).contiguous()) {
  if (probabilities_.dim() != 1)
    throw std::invalid_argument("WeightedSupportDataset: probabilities must be 1-D");
  const double total = probabilities_.sum().item<double>();
  if (probabilities_.size(0) == 0 || !(total > 0) || !std::isfinite(total) ||
      (probabilities_ < 0).any().item<bool>())
    throw std::invalid_argument("WeightedSupportDataset: probabilities must be >= 0, sum > 0");
  probabilities_ = probabilities_ / total;
  cumulative_ = probabilities_.cumsum(0);
  lastPositive_ = (probabilities_ > 0).nonzero().max().item<int64_t>();
  if (support_) {
    *support_ = support_->to(torch::kLong).contiguous();
    if (support_->dim() != 2 || support_->size(0) != probabilities_.size(0) ||
        support_->size(1) != variables_)
      throw std::invalid_argument("WeightedSupportDataset: support must be [S, n]");
    marginals_ = torch::zeros({variables_, classes_}, torch::kDouble);
    for (int64_t i = 0; i < variables_; ++i)
      marginals_[i].index_add_(0, support_->select(1, i), probabilities_);
  } else {
    const auto size = jointTableSize(variables_, classes_);
    if (!size || *size != probabilities_.size(0))
      throw std::invalid_argument("WeightedSupportDataset: dense table must have c^n entries");
    const Tensor table = probabilities_.view(std::vector<int64_t>(variables_, classes_));
    std::vector<Tensor> rows;
    for (int64_t i = 0; i < variables_; ++i) {
      std::vector<int64_t> others;
      for (int64_t j = 0; j < variables_; ++j)
        if (j != i) others.push_back(j);
      rows.push_back(others.empty() ? table : table.sum(others));
    }
    marginals_ = torch::stack(rows);
  }
}

Tensor WeightedSupportDataset::sample(int64_t batch, at::Generator& generator) const {
  checkBatch(batch);
  if (batch == 0) return emptyBatch(variables_);
  // First index whose cumulative probability exceeds u: cells of probability 0 are never
  // chosen; rounding at the top end is clamped onto the last cell with mass.
  const Tensor u =
      torch::rand({batch}, generator, torch::kDouble) * cumulative_[cumulative_.size(0) - 1];
  const Tensor index = torch::searchsorted(cumulative_, u, /*out_int32=*/false, /*right=*/true)
                           .clamp_max(lastPositive_);
  if (support_) return support_->index_select(0, index);
  return labelingsFromIndex(index, variables_, classes_);
}

std::optional<Tensor> WeightedSupportDataset::jointTable() const {
  if (!support_) return probabilities_.clone();
  const auto size = jointTableSize(variables_, classes_);
  if (!size) return std::nullopt;
  return torch::zeros({*size}, torch::kDouble)
      .index_add_(0, labelingIndex(*support_, classes_), probabilities_);
}

// ---- ProductDataset --------------------------------------------------------------------

ProductDataset::ProductDataset(std::string description, Tensor probabilities)
    : description_(std::move(description)),
      probabilities_(probabilities.to(torch::kDouble).contiguous()) {
  if (probabilities_.dim() != 2)
    throw std::invalid_argument("ProductDataset: probabilities must be [n, c]");
  probabilities_ = probabilities_ / probabilities_.sum(1, /*keepdim=*/true);
}

Tensor ProductDataset::sample(int64_t batch, at::Generator& generator) const {
  checkBatch(batch);
  if (batch == 0) return emptyBatch(variables());
  // One row of draws per node: [n, batch] -> [batch, n].
  return torch::multinomial(probabilities_, batch, /*replacement=*/true, generator)
      .t()
      .contiguous();
}

std::optional<Tensor> ProductDataset::jointTable() const {
  if (!jointTableSize(variables(), classes())) return std::nullopt;
  Tensor table = probabilities_[0].clone();
  for (int64_t i = 1; i < variables(); ++i)
    table = (table.unsqueeze(1) * probabilities_[i].unsqueeze(0)).reshape({-1});
  return table.contiguous();
}

// ---- ItemsDataset ----------------------------------------------------------------------

ItemsDataset::ItemsDataset(std::string description, Tensor items, int64_t classes)
    : description_(std::move(description)),
      items_(items.to(torch::kLong).contiguous()),
      classes_(classes) {
  if (items_.dim() != 2 || items_.size(0) == 0)
    throw std::invalid_argument("ItemsDataset: items must be a non-empty [M, n] tensor");
}

Tensor ItemsDataset::sample(int64_t batch, at::Generator& generator) const {
  checkBatch(batch);
  if (batch == 0) return emptyBatch(variables());
  const Tensor index = torch::randint(items_.size(0), {batch}, generator, torch::kLong);
  return items_.index_select(0, index);
}

std::optional<Tensor> ItemsDataset::jointTable() const {
  if (!jointTableSize(variables(), classes_)) return std::nullopt;
  return empiricalJoint(items_, classes_);
}

Tensor ItemsDataset::marginals() const { return empiricalMarginals(items_, classes_); }

std::optional<Tensor> ItemsDataset::items(int64_t first, int64_t number) const {
  if (first < 0 || number < 0 || first + number > items_.size(0))
    throw std::out_of_range("ItemsDataset::items: range outside the items");
  return items_.narrow(0, first, number).clone();
}

}  // namespace efm::detail

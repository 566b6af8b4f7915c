// Labelings as row-major indices, and their empirical distributions.
#include "efm/data/labelings.h"

#include <torch/torch.h>

#include <limits>
#include <stdexcept>
#include <string>

namespace efm {
namespace {

void checkIndexable(int64_t variables, int64_t classes, const char* where) {
  if (variables < 1 || classes < 1)
    throw std::invalid_argument(std::string(where) + ": need n >= 1 and c >= 1");
  int64_t size = 1;
  for (int64_t i = 0; i < variables; ++i) {
    if (size > std::numeric_limits<int64_t>::max() / classes)
      throw std::invalid_argument(std::string(where) + ": c^n does not fit in int64");
    size *= classes;
  }
}

void checkLabels(const Tensor& labels, int64_t classes, const char* where) {
  if (labels.dim() != 2 || labels.scalar_type() != torch::kLong)
    throw std::invalid_argument(std::string(where) + ": labels must be int64 [S, n]");
  if (labels.size(0) == 0 || labels.size(1) == 0)
    throw std::invalid_argument(std::string(where) + ": need at least one sample and one node");
  if (classes < 1) throw std::invalid_argument(std::string(where) + ": classes must be >= 1");
}

int64_t tableSize(int64_t variables, int64_t classes, const char* where) {
  int64_t size = 1;
  for (int64_t i = 0; i < variables; ++i) {
    if (size > kMaxJointTableSize / classes)
      throw std::invalid_argument(std::string(where) + ": c^n exceeds kMaxJointTableSize");
    size *= classes;
  }
  return size;
}

Tensor countsChecked(const Tensor& labels, int64_t classes, const char* where) {
  checkLabels(labels, classes, where);
  const int64_t size = tableSize(labels.size(1), classes, where);
  return torch::bincount(labelingIndex(labels, classes), {}, size).to(torch::kDouble);
}

}  // namespace

Tensor labelingIndex(const Tensor& labels, int64_t classes) {
  if (labels.dim() != 2 || labels.scalar_type() != torch::kLong)
    throw std::invalid_argument("labelingIndex: labels must be int64 [B, n]");
  checkIndexable(labels.size(1), classes, "labelingIndex");
  if (labels.numel() > 0 &&
      (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= classes))
    throw std::invalid_argument("labelingIndex: labels outside [0, " + std::to_string(classes) +
                                ")");
  Tensor index = labels.select(1, 0).clone();
  for (int64_t i = 1; i < labels.size(1); ++i) index = index * classes + labels.select(1, i);
  return index.contiguous();
}

Tensor labelingsFromIndex(const Tensor& index, int64_t variables, int64_t classes) {
  if (index.dim() != 1 || index.scalar_type() != torch::kLong)
    throw std::invalid_argument("labelingsFromIndex: index must be int64 [B]");
  checkIndexable(variables, classes, "labelingsFromIndex");
  if (index.numel() > 0 && index.min().item<int64_t>() < 0)
    throw std::invalid_argument("labelingsFromIndex: negative index");
  Tensor labels = torch::empty({index.size(0), variables}, torch::kLong);
  Tensor rest = index;
  for (int64_t i = variables - 1; i >= 0; --i) {
    labels.select(1, i).copy_(torch::remainder(rest, classes));
    rest = torch::div(rest, classes, "floor");
  }
  if (index.numel() > 0 && rest.max().item<int64_t>() != 0)
    throw std::invalid_argument("labelingsFromIndex: index >= c^n");
  return labels;
}

Tensor labelingCounts(const Tensor& labels, int64_t classes) {
  return countsChecked(labels, classes, "labelingCounts");
}

Tensor empiricalJoint(const Tensor& labels, int64_t classes) {
  const Tensor counts = countsChecked(labels, classes, "empiricalJoint");
  return counts / static_cast<double>(labels.size(0));
}

Tensor empiricalMarginals(const Tensor& labels, int64_t classes) {
  checkLabels(labels, classes, "empiricalMarginals");
  if (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= classes)
    throw std::invalid_argument("empiricalMarginals: labels outside [0, " +
                                std::to_string(classes) + ")");
  const int64_t variables = labels.size(1);
  const Tensor offset = torch::arange(variables, torch::kLong).unsqueeze(0) * classes;
  const Tensor counts = torch::bincount((labels + offset).reshape({-1}), {}, variables * classes);
  return counts.to(torch::kDouble).view({variables, classes}) / static_cast<double>(labels.size(0));
}

}  // namespace efm

// openDataset(): dispatch on the SPEC scheme; row-major labeling indices.
#include "efm/dataset.h"

#include "data_spec.h"
#include "dataset_internal.h"
#include "efm/errors.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <stdexcept>

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

}  // namespace

DatasetPtr openDataset(const std::string& spec) { return openDataset(spec, DataProgress()); }

DatasetPtr openDataset(const std::string& spec, const DataProgress& progress) {
  const detail::DataSpec parsed = detail::parseDataSpec(spec);
  if (parsed.scheme == "toy") return detail::openToyDataset(parsed);
  if (parsed.scheme == "csv") return detail::openCsvDataset(parsed);
  if (parsed.scheme == "pmf") return detail::openPmfDataset(parsed);
  if (parsed.scheme == "cityscapes") return detail::openCityscapesDataset(parsed, progress);
  if (parsed.scheme == "idx") return detail::openIdxDataset(parsed, progress);
  throw InputError(detail::specError(
      spec, "unknown scheme '" + parsed.scheme + "' (known: toy, csv, pmf, cityscapes, idx)"));
}

bool sameDataSpec(const std::string& first, const std::string& second) {
  if (first == second) return true;
  detail::DataSpec a, b;
  try {
    a = detail::parseDataSpec(first);
    b = detail::parseDataSpec(second);
  } catch (const InputError&) {
    return false;
  }
  std::sort(a.params.begin(), a.params.end());
  std::sort(b.params.begin(), b.params.end());
  if (a.scheme != b.scheme || a.params != b.params) return false;
  if (a.target == b.target) return true;
  if (a.scheme == "toy") return false;
  // Files and folders: the same object through two paths (relative and absolute, links).
  std::error_code error;
  const bool same = std::filesystem::equivalent(a.target, b.target, error);
  return !error && same;
}

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

}  // namespace efm

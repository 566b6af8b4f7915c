// openDataset(): dispatch on the SPEC scheme; sameDataSpec().
#include "efm/data/dataset.h"

#include "data/data_spec.h"
#include "data/dataset_internal.h"
#include "efm/base/errors.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace efm {

Tensor Dataset::sampleLabelled(int64_t batch, at::Generator& generator, Tensor& classes) const {
  (void)batch;
  (void)generator;
  (void)classes;
  throw std::logic_error("Dataset::sampleLabelled: " + description() + " has no class labels");
}

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

}  // namespace efm

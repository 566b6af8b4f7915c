#pragma once
// Private: the three kinds of dataset behind openDataset() and the builders that parse
// toy, file and image SPECs into them (images: image_crops_dataset.h).
#include "data/data_spec.h"
#include "efm/data/data_summary.h"
#include "efm/data/dataset.h"

#include <optional>
#include <string>

namespace efm::detail {

// A distribution given by probabilities on a list of labelings. `support` int64 [S, n]
// lists the labelings; without it the support is every labeling in row-major order
// (a dense table of c^n probabilities). Used for coupled-binary, the 2-D densities,
// dirichlet and pmf files. Sampling inverts the cumulative distribution, computed once
// (what torch::multinomial with replacement does, without its O(S) set-up per call).
class WeightedSupportDataset final : public Dataset {
 public:
  WeightedSupportDataset(std::string description, int64_t variables, int64_t classes,
                         std::optional<Tensor> support, Tensor probabilities);

  int64_t variables() const override { return variables_; }
  int64_t classes() const override { return classes_; }
  Tensor sample(int64_t batch, at::Generator& generator) const override;
  std::optional<Tensor> jointTable() const override;
  Tensor marginals() const override { return marginals_.clone(); }
  std::string description() const override { return description_; }

 private:
  std::string description_;
  int64_t variables_;
  int64_t classes_;
  std::optional<Tensor> support_;  // int64 [S, n], or nullopt for the dense table
  Tensor probabilities_;           // float64 [S], sums to 1
  Tensor cumulative_;              // float64 [S], running sum of probabilities_
  int64_t lastPositive_ = 0;       // last index with a positive probability
  Tensor marginals_;               // float64 [n, c]
};

// Independent nodes: node i has class distribution probabilities[i] (float64 [n, c]).
// Used for the class-scaling toy.
class ProductDataset final : public Dataset {
 public:
  ProductDataset(std::string description, Tensor probabilities);

  int64_t variables() const override { return probabilities_.size(0); }
  int64_t classes() const override { return probabilities_.size(1); }
  Tensor sample(int64_t batch, at::Generator& generator) const override;
  std::optional<Tensor> jointTable() const override;
  Tensor marginals() const override { return probabilities_.clone(); }
  std::string description() const override { return description_; }

 private:
  std::string description_;
  Tensor probabilities_;
};

// A finite list of labelings (int64 [M, n]), sampled uniformly with replacement.
class ItemsDataset final : public Dataset {
 public:
  ItemsDataset(std::string description, Tensor items, int64_t classes);

  int64_t variables() const override { return items_.size(1); }
  int64_t classes() const override { return classes_; }
  Tensor sample(int64_t batch, at::Generator& generator) const override;
  std::optional<Tensor> jointTable() const override;
  Tensor marginals() const override;
  std::optional<int64_t> count() const override { return items_.size(0); }
  std::optional<Tensor> items(int64_t first, int64_t number) const override;
  std::string description() const override { return description_; }

 private:
  std::string description_;
  Tensor items_;
  int64_t classes_;
};

// Largest class count and node count accepted from SPECs and files.
inline constexpr int64_t kMaxClasses = 65536;
inline constexpr int64_t kMaxVariables = 65536;

// c^n, or nullopt when it exceeds kMaxJointTableSize.
std::optional<int64_t> jointTableSize(int64_t variables, int64_t classes);

// Largest number of image crops enumerated for an empirical joint table.
inline constexpr int64_t kMaxEnumeratedCrops = int64_t{1} << 22;

// Builders; they throw InputError naming the SPEC or the file.
DatasetPtr openToyDataset(const DataSpec& spec);
DatasetPtr openCsvDataset(const DataSpec& spec);
DatasetPtr openPmfDataset(const DataSpec& spec);
// Image data (dataset_cityscapes.cpp, dataset_idx.cpp); progress may be empty.
DatasetPtr openCityscapesDataset(const DataSpec& spec, const DataProgress& progress);
DatasetPtr openIdxDataset(const DataSpec& spec, const DataProgress& progress);

// The summary of a built dataset (data_summary.cpp).
DataSummary summarizeDataset(const Dataset& data, const SummaryOptions& options);
// Cityscapes: from the dataset where it may be built, else by streaming the label maps.
DataSummary summarizeCityscapes(const DataSpec& spec, const DataProgress& progress,
                                const SummaryOptions& options);

// Dense tables of the toys, float64 [c^n] in row-major order (exposed for the builders).
Tensor coupledBinaryTable();
Tensor pinwheelTable(int64_t classes);
Tensor eightGaussiansTable(int64_t classes);
Tensor checkerboardTable(int64_t classes);

}  // namespace efm::detail

// Joint tables as pmf files (efm/io/table_files.h).
#include "efm/io/table_files.h"

#include "efm/base/errors.h"
#include "efm/data/labelings.h"
#include "efm/io/checkpoint_io.h"

#include <torch/torch.h>

#include <cmath>
#include <iomanip>
#include <sstream>

namespace efm {

namespace {

// More lines than this is not a table anyone edits; pmf files of samples are written as CSV.
constexpr int64_t kMaxTableLines = int64_t{1} << 20;

}  // namespace

void writePmfTable(const std::string& file, const torch::Tensor& weights, int64_t variables,
                   int64_t classes) {
  if (variables < 1 || classes < 2)
    throw InputError("pmf table '" + file + "': needs n >= 1 variables and c >= 2 classes");
  const double cells = std::pow(static_cast<double>(classes), static_cast<double>(variables));
  if (cells > static_cast<double>(kMaxTableLines))
    throw InputError("pmf table '" + file + "': " + std::to_string(classes) + "^" +
                     std::to_string(variables) + " labelings are too many to list");
  const Tensor w = weights.to(torch::kCPU, torch::kFloat64).contiguous().view({-1});
  if (w.numel() != static_cast<int64_t>(cells))
    throw InputError("pmf table '" + file + "': " + std::to_string(w.numel()) + " weights for " +
                     std::to_string(static_cast<int64_t>(cells)) + " labelings");
  if (!torch::isfinite(w).all().item<bool>() || (w < 0).any().item<bool>())
    throw InputError("pmf table '" + file + "': weights must be finite and non-negative");
  if (!(w.sum().item<double>() > 0))
    throw InputError("pmf table '" + file + "': the weights sum to zero");

  const Tensor labels =
      labelingsFromIndex(torch::arange(w.numel(), torch::kLong), variables, classes);
  const auto* label = labels.data_ptr<int64_t>();
  const auto* weight = w.data_ptr<double>();
  std::ostringstream out;
  out << "# joint table: n=" << variables << " c=" << classes
      << "; each line: n labels, then a weight (normalised on load)\n"
      << std::setprecision(17);
  for (int64_t row = 0; row < w.numel(); ++row) {
    for (int64_t i = 0; i < variables; ++i) out << label[row * variables + i] << ' ';
    out << weight[row] << '\n';
  }
  try {
    writeFileAtomically(file, out.str());
  } catch (const std::runtime_error& e) {
    throw InputError(std::string("pmf table: ") + e.what());
  }
}

}  // namespace efm

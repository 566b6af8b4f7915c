// summarizeData(): a Dataset's facts, or Cityscapes label maps streamed through CropStatistics.
#include "efm/data/data_summary.h"

#include "data/data_spec.h"
#include "data/dataset_internal.h"

#include <torch/torch.h>

namespace efm {

namespace detail {

DataSummary summarizeDataset(const Dataset& data, const SummaryOptions& options) {
  DataSummary summary;
  summary.description = data.description();
  summary.variables = data.variables();
  summary.classes = data.classes();
  summary.count = data.count();
  summary.jointTableKnown = data.jointTable().has_value();
  const Tensor marginals = data.marginals();
  summary.classFrequencies = marginals.mean(0);
  if (marginals.numel() <= options.maxMarginalEntries) summary.marginals = marginals;
  summary.image = data.imageLayout();
  summary.imageFacts = data.imageFacts();
  return summary;
}

}  // namespace detail

DataSummary summarizeData(const std::string& spec, const DataProgress& progress,
                          const SummaryOptions& options) {
  const detail::DataSpec parsed = detail::parseDataSpec(spec);
  if (parsed.scheme == "cityscapes") return detail::summarizeCityscapes(parsed, progress, options);
  return detail::summarizeDataset(*openDataset(spec, progress), options);
}

}  // namespace efm

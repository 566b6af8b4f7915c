#include "engine/sample_export.h"

#include <torch/torch.h>

#include "efm/io/sample_files.h"

namespace efm::ui {

void exportLabelings(const SampleSet& samples, const std::string& file) {
  const torch::Tensor labels = torch::from_blob(const_cast<int64_t*>(samples.labels.data()),
                                                {samples.count, samples.variables}, torch::kInt64);
  writeLabelingsCsv(file, labels);
}

}  // namespace efm::ui

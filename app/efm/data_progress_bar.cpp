#include "data_progress_bar.h"

namespace efm::cli {

DatasetPtr openDatasetWithProgress(const std::string& spec) {
  DataProgressBar bar;
  DatasetPtr data = openDataset(spec, bar.callback());
  bar.finish();
  return data;
}

}  // namespace efm::cli

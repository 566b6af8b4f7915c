// The CSV readers: csv:FILE (one labeling per line) and pmf:FILE (labels and a weight). The
// first byte picks the reader, the rest is the file.
#include "fuzz_input_file.h"

#include "efm/data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool weighted = data[0] & 1;
  const std::string& file = efm::fuzz::writeInput(data + 1, size - 1);
  efm::fuzz::expectOnlyInputErrors("fuzz_csv", [&] {
    const efm::DatasetPtr table = efm::openDataset((weighted ? "pmf:" : "csv:") + file);
    if (table->count() && *table->count() > 0) table->items(0, 1);
  });
  return 0;
}

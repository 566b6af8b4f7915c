// The IDX image reader (MNIST and Fashion-MNIST files, plain or gzip) behind idx:FILE.
#include "fuzz_input_file.h"

#include "efm/data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& file = efm::fuzz::writeInput(data, size);
  efm::fuzz::expectOnlyInputErrors("fuzz_idx", [&] {
    const efm::DatasetPtr images = efm::openDataset("idx:" + file + "?levels=2&pad=0");
    if (images->count() && *images->count() > 0) images->items(0, 1);
  });
  return 0;
}

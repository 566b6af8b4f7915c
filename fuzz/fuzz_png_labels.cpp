// The label-map PNG reader (grey and palette PNGs, as Cityscapes ships them).
#include "fuzz_input_file.h"

#include "efm/data/images/png_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& file = efm::fuzz::writeInput(data, size);
  efm::fuzz::expectOnlyInputErrors("fuzz_png_labels", [&] {
    const auto size = efm::readPngSize(file);
    const torch::Tensor labels = efm::readLabelPng(file);
    if (labels.size(0) != size[0] || labels.size(1) != size[1]) std::abort();
  });
  return 0;
}

// The JSON run configuration (--config FILE.json, RUN_DIR/config.json), parsed and
// validated as `efm train` does.
#include "fuzz_input_file.h"

#include "efm/config/run_config.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  efm::fuzz::expectOnlyInputErrors("fuzz_config", [&] {
    efm::RunConfig config = efm::configFromJsonString(text, "fuzz.json");
    efm::resolveAndValidate(config);
  });
  return 0;
}

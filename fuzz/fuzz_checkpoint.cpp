// The checkpoint loader (RUN_DIR/checkpoint.pt): its header, then the network and the
// optimizer of the seed's architecture (scripts/fuzz.sh seeds it with a real checkpoint of
// a 2-layer MLP of width 8 on toy:coupled-binary).
#include "fuzz_input_file.h"

#include "efm/config/run_config.h"
#include "efm/io/checkpoint_io.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const efm::RunConfig config = [] {
    efm::RunConfig c;
    c.network.hidden = 8;
    efm::resolveAndValidate(c);
    return c;
  }();
  const std::string& file = efm::fuzz::writeInput(data, size);
  efm::fuzz::expectOnlyInputErrors("fuzz_checkpoint", [&] {
    const efm::CheckpointInfo info = efm::readCheckpointInfo(file);
    (void)info;
    efm::Trainer trainer(config, efm::openDataset(config.data));
    trainer.loadCheckpoint(file);
  });
  return 0;
}

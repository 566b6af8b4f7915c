#pragma once
// The worker thread's side of TrainingController (LibTorch): the Trainer and its data.

#include <cstdint>
#include <memory>
#include <string>

#include "efm/data/dataset.h"
#include "efm/train/trainer.h"
#include "efm/train/training_run.h"
#include "engine/studio_data.h"

namespace efm::ui {

// Joint tables up to this many cells are sent to the views (heat maps, KL curve).
constexpr int64_t kMaxViewJoint = int64_t{1} << 16;

class TrainerHost {
 public:
  std::unique_ptr<Trainer> trainer;  // null until a model exists or when its data is missing
  RunDirectory run;
  SnapshotPtr loadedOnly;  // a loaded model whose data could not be opened
  DatasetPtr data;         // the trainer's data (snapshots share it)
  // The last data opened and its SPEC: Start after picking image data does not decode the
  // files a second time.
  std::string openedSpec;
  DatasetPtr opened;
};

}  // namespace efm::ui

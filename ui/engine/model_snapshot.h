#pragma once
// A frozen copy of the trained network, safe to run on another thread while the trainer
// keeps updating its own (docs/STACK.md, item 7). Engine-internal: includes LibTorch.

#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/models/vector_field.h"
#include "efm/paths/probability_path.h"

#include "engine/studio_data.h"

namespace efm::ui {

struct ModelSnapshot {
  RunConfig config;
  int64_t step = 0;
  VectorFieldPtr network;  // eval mode, never trained
  ProbabilityPathPtr path;
  DatasetPtr data;  // null when the data of a loaded checkpoint cannot be opened
  torch::Device device = torch::kCPU;
};

// Copies the parameters and buffers of `network` into a new network of the same
// architecture (the live one keeps training).
SnapshotPtr makeSnapshot(const RunConfig& config, int64_t step, VectorFieldImpl& network,
                         ProbabilityPathPtr path, DatasetPtr data, torch::Device device);

// What the views need to know about a dataset (joint table only up to `maxJoint` cells).
DataSummary summarizeData(const Dataset& data, const std::string& spec, int64_t maxJoint);

// The label-map shape and class names and colours of image data (efm/label_palette.h);
// empty for data that are not images.
ImageInfo imageInfo(const ImageLayout& layout, int64_t classes);

}  // namespace efm::ui

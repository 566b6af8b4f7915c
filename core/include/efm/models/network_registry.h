#pragma once
// The one table of vector-field networks: each kind's name, what it is for, its default
// width, whether it needs image data, the checks of its own settings and its factory. The
// command line's choices, the studio's list, the configuration's validation and the docs all
// read this table.
#include "efm/base/image_layout.h"
#include "efm/models/network_options.h"
#include "efm/models/vector_field.h"

#include <string>
#include <vector>

namespace efm {

// What train.batch = 0, train.lr = 0 and train.schedule = "" stand for with a network: the
// settings its measurements chose (docs/RESULTS.md, "Defaults").
struct TrainingDefaults {
  int64_t batch;
  double learningRate;
  const char* schedule;
};

struct NetworkKind {
  std::string name;         // "mlp", the value of network.kind and --model
  std::string description;  // one line for --help, tooltips and the docs
  int64_t defaultHidden;    // what network.hidden = 0 stands for
  bool imageOnly;           // reads W as a label map: image data only
  int64_t minBatch;         // training batch at least (2 where batch normalisation needs it)
  TrainingDefaults training;
  // Throws InputError naming the setting when `options` (hidden resolved) do not suit this
  // kind beyond the shared Limits (efm/models/network_options.h).
  void (*check)(const NetworkOptions& options);
  VectorFieldPtr (*make)(int64_t variables, int64_t classes, const NetworkOptions& options,
                         const ImageLayout& image);
};

// Every kind, the default ("mlp") first.
const std::vector<NetworkKind>& networkKinds();
std::vector<std::string> networkNames();
// The kind called `name`; InputError listing the names otherwise.
const NetworkKind& networkKind(const std::string& name);

// Replaces hidden = 0 and the MLP's empty variant settings (time_input, activation, input,
// norm) by the kind's defaults, then checks every network setting against its
// Limits and the kind's own check; throws InputError naming the setting.
void resolveNetworkOptions(NetworkOptions& options);

// Builds the network named by options.kind; throws InputError for an unknown name, and for
// an image-only kind without an image layout whose pixels are the n variables.
// The training batch a network needs at least: 2 where it normalises over the batch.
int64_t minimumBatch(const NetworkOptions& options);

VectorFieldPtr makeVectorField(int64_t variables, int64_t classes, const NetworkOptions& options,
                               const ImageLayout& image = {});

}  // namespace efm

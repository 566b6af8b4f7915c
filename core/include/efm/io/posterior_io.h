#pragma once
// The likelihood bound's trained posterior (efm/sampling/likelihood_bound.h), kept beside a
// run as RUN_DIR/posterior.pt so that scoring again does not train it again. One
// torch::serialize archive: format_version, key (what it was trained for: the model's step
// and the training settings, as text), posterior/... ; written atomically like checkpoints.
#include "efm/config/run_config.h"
#include "efm/sampling/likelihood_bound.h"

#include <cstdint>
#include <string>

namespace torch::nn {
class Module;
}

namespace efm {

void writePosterior(const std::string& file, torch::nn::Module& posterior, const std::string& key);
// Loads `file` into `posterior` and returns true when it exists and was written for `key`;
// false when it is missing or was trained for something else. InputError naming the file when
// it is unreadable or its tensors do not fit `posterior`.
bool readPosteriorFor(const std::string& file, torch::nn::Module& posterior,
                      const std::string& key);

// The key of a posterior trained for the model of `config` at `modelStep`, with these bound
// and training settings on the labelings of `data`: one line of text that changes whenever
// any of them does. `efm likelihood` and the likelihood benchmark both use it, so either one
// reuses the other's RUN_DIR/posterior.pt.
std::string posteriorKey(const RunConfig& config, int64_t modelStep, const BoundOptions& options,
                         const PosteriorTrainingOptions& training, const std::string& data);

}  // namespace efm

#pragma once
// The checkpoint file: one torch::serialize archive holding
//   format_version (int), config (JSON text), step (int), network/..., optimizer/...,
//   rng/data, rng/noise (generator states).
// Written to FILE.tmp, flushed to disk, then renamed over FILE, so a crash at any moment
// leaves either the old or the new checkpoint, never a torn one.
#include "efm/config/run_config.h"

#include <torch/types.h>

#include <string>

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Optimizer;
}

namespace efm {

inline constexpr int64_t kCheckpointFormatVersion = 1;

struct CheckpointContents {
  RunConfig config;
  int64_t step = 0;
  int64_t formatVersion = kCheckpointFormatVersion;
  torch::nn::Module* network = nullptr;  // saved from / loaded into, if set
  torch::optim::Optimizer* optimizer = nullptr;
  torch::Tensor dataGeneratorState;
  torch::Tensor noiseGeneratorState;
};

void writeCheckpoint(const std::string& file, const CheckpointContents& contents);
// The bytes writeCheckpoint puts in the file (to send a trainer's state to other ranks).
std::string checkpointBytes(const CheckpointContents& contents);
// Fills config, step, the generator states and (when the pointers are set) the network
// and optimizer. InputError naming the file for a missing, unreadable, truncated, newer or
// architecturally different checkpoint.
void readCheckpoint(const std::string& file, CheckpointContents& contents);
// The same from checkpointBytes' output; `name` stands for the file in messages.
void readCheckpointBytes(const std::string& bytes, const std::string& name,
                         CheckpointContents& contents);

// Writes `bytes` to `file` atomically (temporary file, fsync, rename, fsync of the folder).
void writeFileAtomically(const std::string& file, const std::string& bytes);

}  // namespace efm

#pragma once
// Resuming a run with the command line that started it (`efm train ... --resume`). The
// configuration a command asks for is compared with the one the run was trained with:
// settings that decide what is learned must be equal; settings that decide only how long
// and how safely the run goes may change.
#include "efm/config/run_config.h"

#include <string>
#include <vector>

namespace efm {

// The recorded configuration as the run started: automatic rollbacks lowered train.lr and
// spent train.rollbacks (train.rollbacks_done counts them); this undoes both, so that the
// command line that started a run still describes it after a rollback.
RunConfig configAsStarted(const RunConfig& recorded);

// A setting whose requested value differs from the run's. `key` is the JSON path
// ("train.batch"), the values are JSON texts ("512", "\"cosine\"").
struct SettingChange {
  std::string key;
  std::string recorded;
  std::string requested;
};

// Whether a resumed run may take a new value of this setting: train.steps and the
// settings that only decide how a run is protected and logged (checkpoint_every,
// checkpoint_seconds, rollbacks, log_every). Not rollback_factor: the rate the run started
// with is recovered through it.
bool mayChangeOnResume(const std::string& key);

// The settings other than those that may change whose values differ between `asStarted`
// (configAsStarted of the run) and `requested`: data first, then by group (data_shape, image,
// path, network, train) and key name. Numbers
// are equal within a relative 1e-12 (undoing a rollback divides the rate); data SPECs are
// compared with sameDataSpec.
std::vector<SettingChange> conflictingSettings(const RunConfig& asStarted,
                                               const RunConfig& requested);

// What a resumed run continues with: the recorded configuration with the requested data
// SPEC text (the same data, perhaps by another path), length, and protection settings.
// Rollbacks already taken count against the requested train.rollbacks.
RunConfig resumedConfig(const RunConfig& recorded, const RunConfig& requested);

}  // namespace efm

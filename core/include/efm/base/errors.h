#pragma once
// Error kinds that cross the library boundary. The command line maps InputError to
// exit code 2 ("bad usage or bad input") and everything else to exit code 1.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace efm {

// Something the user gave us is wrong: a data SPEC, a file, an option value.
// The message names the offending argument or file and the problem.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The check of a configuration value: InputError("configuration: " + what) unless `ok`.
inline void requireSetting(bool ok, const std::string& what) {
  if (!ok) throw InputError("configuration: " + what);
}

// A training step produced a NaN or infinite loss or gradient; thrown before the parameters
// change. The command line exits 1 ("failure"): the input was valid, the optimisation was not.
class TrainingDiverged : public std::runtime_error {
 public:
  TrainingDiverged(const std::string& message, int64_t step)
      : std::runtime_error(message), step_(step) {}
  int64_t step() const { return step_; }  // the step that diverged (1-based)

 private:
  int64_t step_;
};

// Long work (training, sampling) was stopped on request; partial results are discarded by
// the caller, saved state stays valid.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace efm

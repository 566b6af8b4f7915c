#pragma once
// Ctrl-C (SIGINT) and SIGTERM during long work: the first one sets a flag that the work
// polls between steps (it saves and stops); a second one terminates at once.
//
// A rank started by `efm train --nproc` also names its parent-death signal: that one only
// ever sets the flag. The kernel sends it again each time the child passes from one of
// the dying launcher's threads to the next, so a second one means nothing.
#include <atomic>

namespace efm::cli {

class InterruptGuard {
 public:
  // Installs the handlers; `parentDeathSignal` (0: none) is handled as a stop request.
  explicit InterruptGuard(int parentDeathSignal = 0);
  ~InterruptGuard();  // restores the previous ones
  const std::atomic<bool>& flag() const;
  bool interrupted() const { return flag().load(); }
};

}  // namespace efm::cli

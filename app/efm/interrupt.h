#pragma once
// Ctrl-C (SIGINT) and SIGTERM during long work: the first one sets a flag that the work
// polls between steps (it saves and stops); a second one terminates at once.
#include <atomic>

namespace efm::cli {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers
  ~InterruptGuard();  // restores the previous ones
  const std::atomic<bool>& flag() const;
  bool interrupted() const { return flag().load(); }
};

}  // namespace efm::cli

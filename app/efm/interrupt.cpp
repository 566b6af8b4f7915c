#include "interrupt.h"

#include <csignal>

namespace efm::cli {

namespace {
std::atomic<bool> gInterrupted{false};
struct sigaction gPreviousInt, gPreviousTerm;

extern "C" void onInterrupt(int signal) {
  gInterrupted.store(true);
  // The next signal of this kind gets the default action (terminate).
  std::signal(signal, SIG_DFL);
}
}  // namespace

InterruptGuard::InterruptGuard() {
  gInterrupted.store(false);
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &gPreviousInt);
  sigaction(SIGTERM, &action, &gPreviousTerm);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &gPreviousInt, nullptr);
  sigaction(SIGTERM, &gPreviousTerm, nullptr);
}

const std::atomic<bool>& InterruptGuard::flag() const { return gInterrupted; }

}  // namespace efm::cli

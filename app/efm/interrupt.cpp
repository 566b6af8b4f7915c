#include "interrupt.h"

#include <csignal>

namespace efm::cli {

namespace {
std::atomic<bool> gInterrupted{false};
struct sigaction gPreviousInt, gPreviousTerm, gPreviousParentDeath;
int gParentDeathSignal = 0;

extern "C" void onInterrupt(int signal) {
  gInterrupted.store(true);
  // The next signal of this kind gets the default action (terminate).
  std::signal(signal, SIG_DFL);
}

extern "C" void onParentDeath(int) { gInterrupted.store(true); }
}  // namespace

InterruptGuard::InterruptGuard(int parentDeathSignal) {
  gInterrupted.store(false);
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &gPreviousInt);
  sigaction(SIGTERM, &action, &gPreviousTerm);
  gParentDeathSignal = parentDeathSignal;
  if (gParentDeathSignal != 0) {
    action.sa_handler = onParentDeath;
    sigaction(gParentDeathSignal, &action, &gPreviousParentDeath);
  }
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &gPreviousInt, nullptr);
  sigaction(SIGTERM, &gPreviousTerm, nullptr);
  if (gParentDeathSignal != 0) sigaction(gParentDeathSignal, &gPreviousParentDeath, nullptr);
}

const std::atomic<bool>& InterruptGuard::flag() const { return gInterrupted; }

}  // namespace efm::cli

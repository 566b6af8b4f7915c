#pragma once
// Engine threads run at a lower scheduling priority than the GUI thread, so that on a
// machine whose cores are all busy training, the event loop still gets the CPU when it
// needs it (issue 3: no event delayed by more than 50 ms). Threads that LibTorch's
// OpenMP creates from an engine thread inherit its priority (Linux: per-thread nice).

namespace efm::ui {

// Lowers the calling thread's priority by `niceness` (Linux); does nothing elsewhere.
void lowerCurrentThreadPriority(int niceness = 10);

}  // namespace efm::ui

#pragma once
// Engine threads (training, sampling, likelihood, comparison) run below the GUI thread, so
// that on a machine whose cores are all busy training the event loop still gets the CPU the
// moment it needs it (issue 21: no event-loop stall over 50 ms). Threads that LibTorch's
// OpenMP creates from an engine thread inherit its policy and nice value (Linux).

#include <optional>
#include <string>

namespace efm::ui {

enum class EnginePriority {
  Low,  // the default: nice +10, about a tenth of a core against a busy program
  // Linux SCHED_IDLE: the engine takes only CPU time no other thread wants. Frames drawn
  // while training toys measured slightly faster (median 21 against 23 ms), but a woken
  // idle-class thread never preempts another, so LibTorch's OpenMP threads of training and
  // sampling, four on two cores, hand over slowly: the U-Net's first preview came after
  // 7-9 s instead of 2-3 s (docs/PERFORMANCE.md, "The studio").
  Idle,
  Normal,  // unchanged: as the GUI thread
};

// For the engine threads started from now on (default Low); efm-studio --engine-priority.
void setEnginePriority(EnginePriority priority);
EnginePriority enginePriority();
// "idle", "low" or "normal"; nullopt for anything else.
std::optional<EnginePriority> parseEnginePriority(const std::string& name);

// Applies enginePriority() to the calling thread (Linux; elsewhere it does nothing).
// Best effort: when the system refuses, the thread keeps running as it was.
void lowerCurrentThreadPriority();

}  // namespace efm::ui

#include "engine/thread_priority.h"

#include <atomic>

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace efm::ui {

namespace {
std::atomic<EnginePriority> chosenPriority{EnginePriority::Low};
constexpr int kLowNiceness = 10;
}  // namespace

void setEnginePriority(EnginePriority priority) { chosenPriority = priority; }

EnginePriority enginePriority() { return chosenPriority; }

std::optional<EnginePriority> parseEnginePriority(const std::string& name) {
  if (name == "idle") return EnginePriority::Idle;
  if (name == "low") return EnginePriority::Low;
  if (name == "normal") return EnginePriority::Normal;
  return std::nullopt;
}

void lowerCurrentThreadPriority() {
#if defined(__linux__)
  const EnginePriority priority = chosenPriority;
  if (priority == EnginePriority::Normal) return;
  // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone. The nice
  // value is lowered for Idle too: it is what counts if SCHED_IDLE is refused.
  const auto thread = static_cast<id_t>(syscall(SYS_gettid));
  const int current = getpriority(PRIO_PROCESS, thread);
  setpriority(PRIO_PROCESS, thread, current + kLowNiceness);
  if (priority == EnginePriority::Idle) {
    sched_param none{};
    sched_setscheduler(0, SCHED_IDLE, &none);  // pid 0: the calling thread
  }
#endif
}

}  // namespace efm::ui

#include "engine/thread_priority.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace efm::ui {

void lowerCurrentThreadPriority(int niceness) {
#if defined(__linux__)
  // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone.
  const auto thread = static_cast<id_t>(syscall(SYS_gettid));
  const int current = getpriority(PRIO_PROCESS, thread);
  setpriority(PRIO_PROCESS, thread, current + niceness);  // best effort: failure is harmless
#else
  (void)niceness;
#endif
}

}  // namespace efm::ui

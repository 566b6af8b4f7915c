// Engine threads give way to the GUI thread: the three priorities of efm-studio
// --engine-priority, applied to a fresh thread as each engine thread applies them.
#include <algorithm>
#include <thread>

#include "engine/thread_priority.h"

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <catch2/catch.hpp>

using namespace efm::ui;

namespace {
struct Scheduling {
  int policy = -1;
  int niceBefore = 0, niceAfter = 0;
};

// Runs lowerCurrentThreadPriority on a new thread and reports what it did to that thread.
Scheduling applyOnNewThread(EnginePriority priority) {
  setEnginePriority(priority);
  Scheduling seen;
  std::thread worker([&seen] {
#if defined(__linux__)
    const auto self = static_cast<id_t>(syscall(SYS_gettid));
    seen.niceBefore = getpriority(PRIO_PROCESS, self);
    lowerCurrentThreadPriority();
    seen.niceAfter = getpriority(PRIO_PROCESS, self);
    seen.policy = sched_getscheduler(0);
#endif
  });
  worker.join();
  setEnginePriority(EnginePriority::Low);
  return seen;
}
}  // namespace

TEST_CASE("engine priority names parse, anything else is refused", "[engine]") {
  CHECK(parseEnginePriority("idle") == EnginePriority::Idle);
  CHECK(parseEnginePriority("low") == EnginePriority::Low);
  CHECK(parseEnginePriority("normal") == EnginePriority::Normal);
  CHECK_FALSE(parseEnginePriority("Idle").has_value());
  CHECK_FALSE(parseEnginePriority("").has_value());
  CHECK(enginePriority() == EnginePriority::Low);  // the default
}

#if defined(__linux__)
TEST_CASE("engine threads run in the idle class, at nice +10 or unchanged", "[engine]") {
  const Scheduling idle = applyOnNewThread(EnginePriority::Idle);
  CHECK(idle.policy == SCHED_IDLE);
  const Scheduling low = applyOnNewThread(EnginePriority::Low);
  CHECK(low.policy == SCHED_OTHER);
  CHECK(low.niceAfter == std::min(19, low.niceBefore + 10));
  const Scheduling normal = applyOnNewThread(EnginePriority::Normal);
  CHECK(normal.policy == SCHED_OTHER);
  CHECK(normal.niceAfter == normal.niceBefore);
  // The GUI thread (this one) is never touched.
  CHECK(sched_getscheduler(0) == SCHED_OTHER);
}
#endif

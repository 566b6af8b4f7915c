// A small pool for image work: an atomic index hands out items, the caller waits and reports.
#include "data/parallel_work.h"

#include "efm/base/errors.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace efm::detail {

void runParallel(int64_t count, const std::string& stage, const DataProgress& progress,
                 const std::function<void(int64_t)>& work) {
  if (count <= 0) return;
  const auto cores = static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  const int64_t threads = std::min<int64_t>({cores, 8, count});
  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable changed;
  int64_t done = 0;
  int64_t running = threads;
  std::exception_ptr failure;
  auto worker = [&] {
    while (!stop.load()) {
      const int64_t i = next.fetch_add(1);
      if (i >= count) break;
      try {
        work(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
      std::lock_guard<std::mutex> lock(mutex);
      ++done;
      changed.notify_one();
    }
    std::lock_guard<std::mutex> lock(mutex);
    --running;
    changed.notify_one();
  };
  std::vector<std::thread> pool;
  for (int64_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  bool cancelled = false;
  {
    std::unique_lock<std::mutex> lock(mutex);
    int64_t reported = 0;
    // The latest count is reported after changes, the final one too, even when the workers
    // finish before this thread first looks.
    while (true) {
      changed.wait(lock, [&] { return running == 0 || done != reported; });
      if (done == reported || !progress || stop) {
        reported = done;
        if (running == 0) break;
        continue;
      }
      reported = done;
      // The callback runs unlocked: it may take long (a GUI) without holding the workers.
      lock.unlock();
      bool goOn = false;
      std::exception_ptr thrown;
      try {
        goOn = progress(reported, count, stage);
      } catch (...) {
        thrown = std::current_exception();
      }
      lock.lock();
      if (thrown && !failure) failure = thrown;
      if (!goOn) {
        cancelled = !thrown;
        stop = true;
      }
    }
  }
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  if (cancelled) throw Cancelled();
}

}  // namespace efm::detail

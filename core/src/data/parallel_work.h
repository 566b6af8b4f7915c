#pragma once
// Private: runs independent pieces of work (decoding or writing one image each) on a few
// threads while the calling thread reports progress, so a DataProgress callback is only ever
// called on the caller's thread (a GUI may update widgets from it).
#include "efm/data/dataset.h"

#include <cstdint>
#include <functional>
#include <string>

namespace efm::detail {

// Calls work(i) for every i in [0, count), on up to min(cores, 8) threads. progress (if set)
// gets (done, count, stage) after each finished item; when it returns false the remaining
// items are skipped and Cancelled is thrown. The first exception thrown by work() stops the
// rest and is rethrown here, after every thread has ended.
void runParallel(int64_t count, const std::string& stage, const DataProgress& progress,
                 const std::function<void(int64_t)>& work);

}  // namespace efm::detail

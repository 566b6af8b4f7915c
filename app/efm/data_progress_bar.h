#pragma once
// Progress of decoding or writing image data on stderr, one bar per stage; Ctrl-C cancels
// (the core then throws efm::Cancelled). Used by every command that opens data.
#include "interrupt.h"
#include "terminal_progress.h"

#include "efm/data/dataset.h"

#include <chrono>
#include <memory>
#include <string>

namespace efm::cli {

class DataProgressBar {
 public:
  DataProgress callback() {
    return [this](int64_t done, int64_t total, const std::string& stage) {
      if (!bar_ || stage != stage_) {
        if (bar_) bar_->finish();
        bar_ = std::make_unique<TerminalProgress>(stage);
        stage_ = stage;
        start_ = std::chrono::steady_clock::now();
      }
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      bar_->update(done, total, done > 0 ? elapsed / done * (total - done) : -1.0, "");
      return !interrupt_.interrupted();
    };
  }
  void finish() {
    if (bar_) bar_->finish();
  }

 private:
  InterruptGuard interrupt_;
  std::unique_ptr<TerminalProgress> bar_;
  std::string stage_;
  std::chrono::steady_clock::time_point start_;
};

// openDataset with a progress bar while image files are decoded.
DatasetPtr openDatasetWithProgress(const std::string& spec);

}  // namespace efm::cli

#pragma once
// Progress on stderr: a single redrawn bar on a terminal, plain lines (at most one every
// few seconds) when stderr is a file or pipe, so logs stay readable.
#include <chrono>
#include <string>

namespace efm::cli {

class TerminalProgress {
 public:
  explicit TerminalProgress(std::string label);
  // `detail` is appended, e.g. "loss 0.0123  412.3 steps/s".
  void update(int64_t done, int64_t total, double etaSeconds, const std::string& detail);
  // Ends the bar's line (terminal) or prints a last line.
  void finish();

 private:
  std::string label_;
  bool terminal_;
  std::chrono::steady_clock::time_point lastPrint_{};
  bool printed_ = false;
};

std::string formatDuration(double seconds);

}  // namespace efm::cli

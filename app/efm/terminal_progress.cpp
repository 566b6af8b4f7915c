#include "terminal_progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace efm::cli {

TerminalProgress::TerminalProgress(std::string label)
    : label_(std::move(label)), terminal_(::isatty(STDERR_FILENO) == 1) {}

std::string formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buffer[32];
  if (s >= 3600)
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
  return buffer;
}

void TerminalProgress::update(int64_t done, int64_t total, double etaSeconds,
                              const std::string& detail) {
  const auto now = std::chrono::steady_clock::now();
  const double sinceLast = std::chrono::duration<double>(now - lastPrint_).count();
  const bool last = done >= total;
  if (!last && printed_ && sinceLast < (terminal_ ? 0.1 : 5.0)) return;
  lastPrint_ = now;
  printed_ = true;
  const double fraction = total > 0 ? static_cast<double>(done) / total : 1.0;
  std::ostringstream line;
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    line << '\r' << label_ << " [" << std::string(filled, '#') << std::string(kWidth - filled, '.')
         << "] " << done << '/' << total << "  " << detail << "  ETA " << formatDuration(etaSeconds)
         << "\033[K";
    std::cerr << line.str() << std::flush;
  } else {
    line << label_ << ' ' << done << '/' << total << " (" << std::lround(100 * fraction) << "%) "
         << detail << " ETA " << formatDuration(etaSeconds) << '\n';
    std::cerr << line.str() << std::flush;
  }
}

void TerminalProgress::finish() {
  if (terminal_ && printed_) std::cerr << '\n' << std::flush;
}

}  // namespace efm::cli

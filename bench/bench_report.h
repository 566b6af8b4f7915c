#pragma once
// What every benchmark prints: wall time since a point, and one row comparing a figure with
// its reference (speed-up > 1 is better, whichever way the figure runs).
#include <chrono>
#include <functional>
#include <iomanip>
#include <iostream>
#include <string>

namespace efm::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The rate in GFLOP/s of `work`, one call of which does `flops` floating-point operations:
// one untimed call first (allocation, oneDNN's kernel choice), then `reps` timed calls. It is
// the ceiling a benchmark states its network's rate against.
inline double gflopsOf(const std::function<void()>& work, double flops, int reps = 20) {
  work();
  const Clock::time_point start = Clock::now();
  for (int k = 0; k < reps; ++k) work();
  return flops * reps / seconds(start) / 1e9;
}

inline void row(const std::string& name, double value, const std::string& unit, double reference,
                bool higherIsBetter) {
  const double speedup = higherIsBetter ? value / reference : reference / value;
  std::cout << std::left << std::setw(44) << name << std::right << std::setw(10) << std::fixed
            << std::setprecision(2) << value << ' ' << std::setw(8) << std::left << unit
            << std::right << " reference " << std::setw(7) << reference << "  speed-up "
            << std::setprecision(2) << speedup << "x\n";
}

}  // namespace efm::bench

#pragma once
// What every benchmark prints: wall time since a point, and one row comparing a figure with
// its reference (speed-up > 1 is better, whichever way the figure runs).
#include <chrono>
#include <iomanip>
#include <iostream>
#include <string>

namespace efm::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
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

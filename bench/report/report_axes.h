#pragma once
// Axis scales and ticks for the benchmark plots: a linear axis gets 1-2-5 steps, a
// logarithmic one ticks at the decades. No Qt: unit-tested in tests/core/test_bench_report.cpp.
#include <string>
#include <vector>

namespace efm::bench {

struct Tick {
  double value;
  std::string label;
};

struct Axis {
  double lo = 0;  // the drawn range (data units; for log axes the values themselves)
  double hi = 1;
  bool log = false;
  std::vector<Tick> ticks;

  // Position of `value` in [0, 1] along the axis (log axes: in log10 units).
  double fraction(double value) const;
};

// The range of `values` (non-finite ones ignored; for log axes also non-positive ones),
// widened to whole ticks: a linear axis to multiples of a 1-2-5 step chosen so that there are
// at most `maxTicks` ticks, a log axis to whole decades. An empty or single-valued range is
// widened around its value.
Axis linearAxis(const std::vector<double>& values, int maxTicks = 8);
Axis logAxis(const std::vector<double>& values);
// Log scale when every finite value is positive and they span at least `decades` decades.
bool spansDecades(const std::vector<double>& values, double decades = 1.5);

// The step 1, 2 or 5 times a power of ten that is the smallest >= range / maxTicks.
double niceStep(double range, int maxTicks);

// Tick labels: "0.25", "1e-3" for decades below 0.01 or above 10^4, "100" otherwise.
std::string tickLabel(double value, double step);
std::string decadeLabel(int exponent);
// The shortest form with at most 4 significant digits (printf %g): 5, 160, 0.25, 1e-5.
std::string shortNumber(double value);

}  // namespace efm::bench

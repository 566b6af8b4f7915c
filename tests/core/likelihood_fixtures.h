#pragma once
// Shared pieces of the likelihood tests: the standard normal distribution function.
#include <cmath>

namespace efm_test {

inline double normalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace efm_test

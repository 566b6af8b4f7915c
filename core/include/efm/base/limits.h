#pragma once
// The range of one setting, written once and read by every face: the core's validation, the
// command line's validators and the studio's spin boxes use the same constant, so a value
// one of them accepts is never refused by another.
#include <sstream>
#include <string>

namespace efm {

template <typename T>
struct Limits {
  T min;
  T max;
  constexpr bool contains(T value) const { return value >= min && value <= max; }
  // "[1, 65536]"
  std::string text() const {
    std::ostringstream out;
    out << "[" << min << ", " << max << "]";
    return out.str();
  }
};

}  // namespace efm

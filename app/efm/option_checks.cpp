// Number checks for options. CLI11's PositiveNumber, NonNegativeNumber and Range let NaN
// through (every comparison with NaN is false) and accept infinity; these demand a finite
// number, and WithinLimits the range the core validates (efm/base/limits.h).
#include "commands.h"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace efm::cli {

namespace {

CLI::Validator finiteNumber(bool allowZero) {
  return CLI::Validator(
      [allowZero](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end == text.c_str() || *end != '\0')
          return "'" + text + "' is not a number";
        if (!std::isfinite(value)) return "'" + text + "' is not a finite number";
        if (value < 0 || (!allowZero && value == 0))
          return "'" + text + "' must be " + (allowZero ? ">= 0" : "> 0");
        return {};
      },
      allowZero ? "NONNEGATIVE" : "POSITIVE");
}

}  // namespace

// CLI11 reads "-1" into an unsigned seed as 2^64 - 1 and "" as 0; a seed is written out.
const CLI::Validator SeedNumber(
    [](std::string& text) -> std::string {
      if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return "'" + text + "' is not a seed (a whole number >= 0)";
      if (text.size() > 20 || (text.size() == 20 && text > "18446744073709551615"))
        return "'" + text + "' is larger than the largest seed, 2^64 - 1";
      return {};
    },
    "SEED");

const CLI::Validator NonEmptyText(
    [](std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; },
    "TEXT");

CLI::Validator WithinLimits(const Limits<double>& limits) {
  return CLI::Validator(
      [limits](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end == text.c_str() || *end != '\0')
          return "'" + text + "' is not a number";
        if (!std::isfinite(value) || !limits.contains(value))
          return "'" + text + "' must be a number in " + limits.text();
        return {};
      },
      "NUMBER in " + limits.text());
}

CLI::Validator WithinLimits(const Limits<int64_t>& limits) {
  return CLI::Validator(
      [limits](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long long value = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || end == text.c_str() || *end != '\0')
          return "'" + text + "' is not a whole number";
        if (errno == ERANGE || !limits.contains(value))
          return "'" + text + "' must be a whole number in " + limits.text();
        return {};
      },
      "INT in " + limits.text());
}

const CLI::Validator PositiveFinite = finiteNumber(false);
const CLI::Validator NonNegativeFinite = finiteNumber(true);

}  // namespace efm::cli

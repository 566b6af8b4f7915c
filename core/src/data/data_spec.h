#pragma once
// Private: parsing of data SPECs ("scheme:target?key=value&key=value") and validation of
// their parameter values. Every problem becomes an efm::InputError naming the SPEC.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace efm::detail {

struct DataSpec {
  std::string text;                                         // the SPEC as given
  std::string scheme;                                       // "toy", "csv", "pmf", ...
  std::string target;                                       // toy name or file path
  std::vector<std::pair<std::string, std::string>> params;  // in the order given
};

// Splits a SPEC; throws InputError on a malformed one (no scheme, empty target, a
// parameter that is not key=value, a duplicate key). The query starts at the last '?'.
DataSpec parseDataSpec(const std::string& spec);

// Typed, range-checked access to the parameters of one SPEC.
class SpecParams {
 public:
  // Throws InputError when the SPEC has a key outside `allowed`.
  SpecParams(const DataSpec& spec, const std::vector<std::string>& allowed);

  int64_t integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) const;
  std::optional<int64_t> optionalInteger(const std::string& key, int64_t min, int64_t max) const;
  // Finite real in (0, max].
  double positiveReal(const std::string& key, double fallback, double max) const;
  // Finite real in [min, max].
  double real(const std::string& key, double fallback, double min, double max) const;
  uint64_t seed(const std::string& key) const;  // non-negative integer, default 0
  bool has(const std::string& key) const { return find(key) != nullptr; }
  // One of `options` (the message lists them), or the fallback when the key is absent.
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& options) const;
  // "HxW" with 1 <= H, W <= max, e.g. crop=64x128.
  std::optional<std::array<int64_t, 2>> optionalSize(const std::string& key, int64_t max) const;

  [[noreturn]] void fail(const std::string& problem) const;

 private:
  const std::string* find(const std::string& key) const;
  const DataSpec& spec_;
};

// "data SPEC 'toy:x?c=1': problem"
std::string specError(const std::string& spec, const std::string& problem);

// Strict number parsing shared with the file readers (no locale, whole token consumed).
std::optional<int64_t> parseInt64(const std::string& token);
std::optional<double> parseFiniteDouble(const std::string& token);

}  // namespace efm::detail

// Parsing of data SPECs and validation of their parameter values.
#include "data/data_spec.h"

#include "efm/base/errors.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <locale>
#include <sstream>

namespace efm::detail {
namespace {

bool looksLikeInteger(const std::string& token) {
  std::size_t start = (!token.empty() && (token[0] == '-' || token[0] == '+')) ? 1 : 0;
  return token.size() > start &&
         std::all_of(token.begin() + static_cast<std::ptrdiff_t>(start), token.end(),
                     [](char ch) { return ch >= '0' && ch <= '9'; });
}

std::string quoted(const std::string& value) {
  constexpr std::size_t kShown = 64;
  if (value.size() <= kShown) return "'" + value + "'";
  return "'" + value.substr(0, kShown) + "...'";
}

}  // namespace

std::string specError(const std::string& spec, const std::string& problem) {
  return "data SPEC " + quoted(spec) + ": " + problem;
}

std::optional<int64_t> parseInt64(const std::string& token) {
  int64_t value = 0;
  const char* begin = token.data();
  const char* end = begin + token.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || token.empty()) return std::nullopt;
  return value;
}

std::optional<double> parseFiniteDouble(const std::string& token) {
  if (token.empty() || std::isspace(static_cast<unsigned char>(token[0]))) return std::nullopt;
  std::istringstream stream(token);
  stream.imbue(std::locale::classic());
  double value = 0;
  stream >> value;
  if (stream.fail() || stream.peek() != std::char_traits<char>::eof()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

DataSpec parseDataSpec(const std::string& spec) {
  DataSpec out;
  out.text = spec;
  const auto colon = spec.find(':');
  if (colon == std::string::npos || colon == 0)
    throw InputError(specError(spec, "expected scheme:target, e.g. toy:pinwheel or csv:FILE"));
  out.scheme = spec.substr(0, colon);
  std::string rest = spec.substr(colon + 1);
  const auto question = rest.rfind('?');
  std::string query;
  if (question != std::string::npos) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  if (rest.empty()) throw InputError(specError(spec, "nothing after '" + out.scheme + ":'"));
  out.target = rest;
  if (question == std::string::npos) return out;
  if (query.empty()) throw InputError(specError(spec, "empty parameter list after '?'"));
  std::size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    const std::string item = query.substr(start, amp - start);
    const auto eq = item.find('=');
    if (item.empty()) throw InputError(specError(spec, "empty parameter (stray '&')"));
    if (eq == std::string::npos || eq == 0)
      throw InputError(specError(spec, "expected key=value, got " + quoted(item)));
    std::string key = item.substr(0, eq);
    for (const auto& [existing, value] : out.params)
      if (existing == key) throw InputError(specError(spec, "duplicate key '" + key + "'"));
    out.params.emplace_back(std::move(key), item.substr(eq + 1));
    start = amp + 1;
  }
  return out;
}

SpecParams::SpecParams(const DataSpec& spec, const std::vector<std::string>& allowed)
    : spec_(spec) {
  for (const auto& [key, value] : spec.params) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string known;
    for (const auto& name : allowed) known += (known.empty() ? "" : ", ") + name;
    fail("unknown key '" + key + "'" +
         (known.empty() ? std::string(" (this source takes no parameters)")
                        : " (known: " + known + ")"));
  }
}

void SpecParams::fail(const std::string& problem) const {
  throw InputError(specError(spec_.text, problem));
}

const std::string* SpecParams::find(const std::string& key) const {
  for (const auto& [name, value] : spec_.params)
    if (name == key) return &value;
  return nullptr;
}

std::optional<int64_t> SpecParams::optionalInteger(const std::string& key, int64_t min,
                                                   int64_t max) const {
  const std::string* text = find(key);
  if (!text) return std::nullopt;
  const std::string range = key + " must be between " + std::to_string(min) + " and " +
                            std::to_string(max) + ", got " + quoted(*text);
  const auto value = parseInt64(*text);
  if (!value) {
    if (looksLikeInteger(*text)) fail(range);
    fail(key + " must be an integer, got " + quoted(*text));
  }
  if (*value < min || *value > max) fail(range);
  return value;
}

int64_t SpecParams::integer(const std::string& key, int64_t fallback, int64_t min,
                            int64_t max) const {
  return optionalInteger(key, min, max).value_or(fallback);
}

double SpecParams::positiveReal(const std::string& key, double fallback, double max) const {
  const std::string* text = find(key);
  if (!text) return fallback;
  const auto value = parseFiniteDouble(*text);
  if (!value) fail(key + " must be a finite number, got " + quoted(*text));
  if (!(*value > 0) || *value > max) {
    std::ostringstream bound;
    bound.imbue(std::locale::classic());
    bound << max;
    fail(key + " must be > 0 and <= " + bound.str() + ", got " + quoted(*text));
  }
  return *value;
}

double SpecParams::real(const std::string& key, double fallback, double min, double max) const {
  const std::string* text = find(key);
  if (!text) return fallback;
  const auto value = parseFiniteDouble(*text);
  if (!value) fail(key + " must be a finite number, got " + quoted(*text));
  if (!(*value >= min && *value <= max)) {
    std::ostringstream bound;
    bound.imbue(std::locale::classic());
    bound << "between " << min << " and " << max;
    fail(key + " must be " + bound.str() + ", got " + quoted(*text));
  }
  return *value;
}

uint64_t SpecParams::seed(const std::string& key) const {
  return static_cast<uint64_t>(integer(key, 0, 0, INT64_MAX));
}

std::string SpecParams::choice(const std::string& key, const std::string& fallback,
                               const std::vector<std::string>& options) const {
  const std::string* text = find(key);
  if (!text) return fallback;
  if (std::find(options.begin(), options.end(), *text) != options.end()) return *text;
  std::string known;
  for (const auto& option : options) known += (known.empty() ? "" : ", ") + option;
  fail(key + " must be one of " + known + ", got " + quoted(*text));
}

std::optional<std::array<int64_t, 2>> SpecParams::optionalSize(const std::string& key,
                                                               int64_t max) const {
  const std::string* text = find(key);
  if (!text) return std::nullopt;
  const auto x = text->find('x');
  const auto height = x == std::string::npos ? std::nullopt : parseInt64(text->substr(0, x));
  const auto width = x == std::string::npos ? std::nullopt : parseInt64(text->substr(x + 1));
  if (!height || !width)
    fail(key + " must be HEIGHTxWIDTH in pixels, e.g. 64x128, got " + quoted(*text));
  if (*height < 1 || *width < 1 || *height > max || *width > max)
    fail(key + " sides must be between 1 and " + std::to_string(max) + ", got " + quoted(*text));
  return std::array<int64_t, 2>{*height, *width};
}

}  // namespace efm::detail

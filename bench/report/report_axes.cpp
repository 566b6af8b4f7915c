#include "report_axes.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <locale>
#include <sstream>

namespace efm::bench {
namespace {

std::vector<double> usable(const std::vector<double>& values, bool positiveOnly) {
  std::vector<double> out;
  for (double v : values)
    if (std::isfinite(v) && (!positiveOnly || v > 0)) out.push_back(v);
  return out;
}

}  // namespace

double Axis::fraction(double value) const {
  if (log) return (std::log10(value) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
  return (value - lo) / (hi - lo);
}

double niceStep(double range, int maxTicks) {
  const double raw = range / std::max(maxTicks - 1, 1);
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0, 10.0})
    if (factor * decade >= raw * (1 - 1e-9)) return factor * decade;
  return 10 * decade;
}

std::string tickLabel(double value, double step) {
  if (std::fabs(value) < step * 1e-6) value = 0;  // -0 and rounding noise
  std::ostringstream out;
  out.imbue(std::locale::classic());
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

std::string decadeLabel(int exponent) {
  if (exponent >= -2 && exponent <= 4) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << std::fixed << std::setprecision(std::max(0, -exponent)) << std::pow(10.0, exponent);
    return out.str();
  }
  return "1e" + std::to_string(exponent);
}

std::string shortNumber(double value) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out << std::setprecision(4) << value;  // %g: no trailing zeros
  std::string text = out.str();
  const auto e = text.find('e');  // 1e-04 -> 1e-4
  if (e != std::string::npos) {
    std::string exponent = text.substr(e + 2);
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    text = text.substr(0, e + 1) + (text[e + 1] == '-' ? "-" : "") + exponent;
  }
  return text;
}

Axis linearAxis(const std::vector<double>& values, int maxTicks) {
  const auto finite = usable(values, false);
  double lo = finite.empty() ? 0 : *std::min_element(finite.begin(), finite.end());
  double hi = finite.empty() ? 1 : *std::max_element(finite.begin(), finite.end());
  if (hi - lo <= 1e-12 * std::max(std::fabs(lo), 1.0)) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.5;
    lo -= pad;
    hi += pad;
  }
  const double step = niceStep(hi - lo, maxTicks);
  Axis axis;
  axis.lo = std::floor(lo / step + 1e-9) * step;
  axis.hi = std::ceil(hi / step - 1e-9) * step;
  for (double v = axis.lo; v <= axis.hi + step * 1e-6; v += step)
    axis.ticks.push_back({v, tickLabel(v, step)});
  return axis;
}

Axis logAxis(const std::vector<double>& values) {
  const auto positive = usable(values, true);
  double lo = positive.empty() ? 0.1 : *std::min_element(positive.begin(), positive.end());
  double hi = positive.empty() ? 1 : *std::max_element(positive.begin(), positive.end());
  int first = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
  int last = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
  if (last <= first) last = first + 1;
  Axis axis;
  axis.log = true;
  axis.lo = std::pow(10.0, first);
  axis.hi = std::pow(10.0, last);
  // Many decades: label every second or third one.
  const int every = (last - first) > 8 ? 3 : (last - first) > 5 ? 2 : 1;
  for (int e = first; e <= last; e += every)
    axis.ticks.push_back({std::pow(10.0, e), decadeLabel(e)});
  return axis;
}

bool spansDecades(const std::vector<double>& values, double decades) {
  const auto finite = usable(values, false);
  if (finite.empty()) return false;
  for (double v : finite)
    if (v <= 0) return false;
  const auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
  return std::log10(*hi / *lo) >= decades;
}

}  // namespace efm::bench

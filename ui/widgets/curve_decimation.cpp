#include "widgets/curve_decimation.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace efm::ui {

std::vector<QPointF> columnEnvelope(const std::vector<QPointF>& points) {
  std::vector<QPointF> kept;
  kept.reserve(std::min<size_t>(points.size(), 1024));
  size_t begin = 0;
  while (begin < points.size()) {
    const double column = std::floor(points[begin].x());
    size_t end = begin + 1;
    size_t low = begin, high = begin;
    while (end < points.size() && std::floor(points[end].x()) == column) {
      if (points[end].y() < points[low].y()) low = end;
      if (points[end].y() > points[high].y()) high = end;
      ++end;
    }
    // First, extremes and last of the column, in the order they were drawn.
    std::array<size_t, 4> picks = {begin, low, high, end - 1};
    std::sort(picks.begin(), picks.end());
    for (size_t i = 0; i < picks.size(); ++i)
      if (i == 0 || picks[i] != picks[i - 1]) kept.push_back(points[picks[i]]);
    begin = end;
  }
  return kept;
}

}  // namespace efm::ui

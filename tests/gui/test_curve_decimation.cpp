// The loss chart's reduction of a long polyline to what its pixel columns show.
#include <QPointF>
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "widgets/curve_decimation.h"

#include <catch2/catch.hpp>

using efm::ui::columnEnvelope;

namespace {
struct Column {
  double first, last, low, high;
};

std::map<int, Column> columns(const std::vector<QPointF>& points) {
  std::map<int, Column> out;
  for (const QPointF& p : points) {
    const int k = int(std::floor(p.x()));
    auto [it, fresh] = out.try_emplace(k, Column{p.y(), p.y(), p.y(), p.y()});
    if (fresh) continue;
    it->second.last = p.y();
    it->second.low = std::min(it->second.low, p.y());
    it->second.high = std::max(it->second.high, p.y());
  }
  return out;
}
}  // namespace

TEST_CASE("a long curve keeps, per pixel column, its first, last, lowest and highest point",
          "[geometry]") {
  // A noisy loss curve: 100,000 steps drawn across 300 pixels.
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 3.0);
  std::vector<QPointF> curve;
  double y = 100;
  for (int step = 0; step < 100000; ++step) {
    y += noise(rng);
    curve.emplace_back(10.0 + 300.0 * step / 100000.0, y);
  }
  const std::vector<QPointF> kept = columnEnvelope(curve);
  CHECK(kept.size() <= 4 * 301);
  CHECK(kept.size() >= 2 * 300);
  CHECK(kept.front() == curve.front());
  CHECK(kept.back() == curve.back());
  // A subsequence of the curve: every kept point is a point of it, in the same order.
  size_t at = 0;
  for (const QPointF& p : kept) {
    while (at < curve.size() && curve[at] != p) ++at;
    REQUIRE(at < curve.size());
    ++at;
  }
  const auto all = columns(curve), shown = columns(kept);
  REQUIRE(all.size() == shown.size());
  for (const auto& [k, c] : all) {
    INFO("column " << k);
    const Column& s = shown.at(k);
    CHECK(s.first == c.first);
    CHECK(s.last == c.last);
    CHECK(s.low == c.low);
    CHECK(s.high == c.high);
  }
}

TEST_CASE("a short curve, one point per column, is kept whole", "[geometry]") {
  const std::vector<QPointF> curve = {{0.5, 1}, {3.2, 2}, {7.9, 0}, {8.0, 5}};
  CHECK(columnEnvelope(curve) == curve);
  CHECK(columnEnvelope({}).empty());
  // Points of one column, going back and forth: the extremes stay in their order.
  const std::vector<QPointF> column = {{2.1, 5}, {2.2, 9}, {2.3, 1}, {2.4, 4}, {2.5, 6}};
  CHECK(columnEnvelope(column) ==
        std::vector<QPointF>{{2.1, 5}, {2.2, 9}, {2.3, 1}, {2.5, 6}});
}

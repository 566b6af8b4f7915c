#pragma once
// A polyline of many points drawn into few pixel columns, reduced to what a pixel shows:
// in each column the first, lowest, highest and last point, in their order. The drawn line
// covers the same pixels (each column's vertical extent and the joins between columns), and
// a chart of 100,000 training steps strokes at most four points per column instead of every
// step (stroking an antialiased path costs Qt time that grows faster than its length).

#include <QPointF>
#include <vector>

namespace efm::ui {

// `points` in widget coordinates; columns are [k, k + 1) in x. Consecutive points of one
// column are merged, so the reduction is largest when x grows along the line (steps).
std::vector<QPointF> columnEnvelope(const std::vector<QPointF>& points);

}  // namespace efm::ui

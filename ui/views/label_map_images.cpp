#include "views/label_map_images.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace efm::ui {

int64_t keptFlows(const SampleSet& s) {
  const int64_t block = int64_t(s.times.size()) * s.variables * s.classes;
  return block > 0 ? int64_t(s.trajectories.size()) / block : 0;
}

const float* flowState(const SampleSet& s, int64_t flow, int64_t timeIndex) {
  const int64_t stride = s.variables * s.classes;
  return s.trajectories.data() + (timeIndex * keptFlows(s) + flow) * stride;
}

const float* endState(const SampleSet& s, int64_t sample) {
  return s.endPoints.data() + sample * s.variables * s.classes;
}

int64_t nearestTimeIndex(const std::vector<double>& times, double t) {
  if (times.empty()) return 0;
  const auto upper = std::lower_bound(times.begin(), times.end(), t);
  if (upper == times.begin()) return 0;
  if (upper == times.end()) return int64_t(times.size()) - 1;
  const int64_t i = int64_t(upper - times.begin());
  return (t - times[size_t(i - 1)] <= times[size_t(i)] - t) ? i - 1 : i;
}

std::vector<int64_t> argmaxClasses(const float* w, int64_t nodes, int64_t classes) {
  std::vector<int64_t> labels(size_t(nodes), 0);
  for (int64_t i = 0; i < nodes; ++i) {
    const float* p = w + i * classes;
    labels[size_t(i)] = int64_t(std::max_element(p, p + classes) - p);  // first maximum
  }
  return labels;
}

std::vector<float> entropies(const float* w, int64_t nodes, int64_t classes) {
  std::vector<float> h(size_t(nodes), 0.0f);
  for (int64_t i = 0; i < nodes; ++i) {
    double sum = 0;
    for (int64_t k = 0; k < classes; ++k) {
      const double p = w[i * classes + k];
      if (p > 0) sum -= p * std::log(p);
    }
    h[size_t(i)] = float(sum);
  }
  return h;
}

std::vector<int> topClasses(const float* p, int64_t classes, int k) {
  std::vector<int> order(static_cast<size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [p](int a, int b) { return p[a] > p[b]; });
  order.resize(size_t(std::min<int64_t>(k, classes)));
  return order;
}

Rgb classColour(const ImageInfo& image, int64_t cls) {
  if (cls >= 0 && cls < int64_t(image.classColours.size())) return image.classColours[size_t(cls)];
  // Tableau's ten qualitative colours, repeated: distinct enough for a handful of classes.
  static const Rgb kFallback[10] = {
      {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
      {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  return cls >= 0 ? kFallback[cls % 10] : Rgb{128, 128, 128};
}

std::vector<uint8_t> colourLabels(const std::vector<int64_t>& labels, const ImageInfo& image) {
  std::vector<uint8_t> rgb(labels.size() * 3);
  for (size_t i = 0; i < labels.size(); ++i) {
    const Rgb c = classColour(image, labels[i]);
    std::copy(c.begin(), c.end(), rgb.begin() + std::ptrdiff_t(3 * i));
  }
  return rgb;
}

bool MapRect::contains(double px, double py) const {
  return px >= x && px < right() && py <= y && py > bottom();
}

int64_t MapRect::nodeAt(double px, double py) const {
  if (!contains(px, py)) return -1;
  const int64_t column = std::min(width - 1, int64_t(std::floor((px - x) / scale)));
  const int64_t row = std::min(height - 1, int64_t(std::floor((y - py) / scale)));
  return row * width + column;
}

std::array<double, 2> MapRect::centre(int64_t node) const {
  const int64_t row = node / width, column = node % width;
  return {x + scale * (double(column) + 0.5), y - scale * (double(row) + 0.5)};
}

std::vector<MapRect> galleryGrid(int64_t count, int64_t height, int64_t width, int64_t columns,
                                 double gap) {
  std::vector<MapRect> rects;
  for (int64_t i = 0; i < count; ++i) {
    MapRect r;
    r.height = height;
    r.width = width;
    const auto row = i / columns, column = i % columns;
    r.x = double(column) * (double(width) + gap);
    r.y = -double(row) * (double(height) + gap);
    rects.push_back(r);
  }
  return rects;
}

std::vector<MapRect> galleryLayout(int64_t count, int64_t height, int64_t width, double boxAspect,
                                   double gap) {
  if (count <= 0 || height <= 0 || width <= 0) return {};
  int64_t bestColumns = 1;
  double bestScale = -1;
  for (int64_t columns = 1; columns <= count; ++columns) {
    const int64_t rows = (count + columns - 1) / columns;
    const double w = double(columns * width) + double(columns - 1) * gap;
    const double h = double(rows * height) + double(rows - 1) * gap;
    // Largest scale at which the grid fits a box of boxAspect x 1.
    const double scale = std::min(boxAspect / w, 1.0 / h);
    if (scale >= bestScale * (1 - 1e-9)) {  // a tie goes to more columns, fewer rows
      bestScale = scale;
      bestColumns = columns;
    }
  }
  return galleryGrid(count, height, width, bestColumns, gap);
}

LabelMapLayout labelMapLayout(int64_t count, int64_t height, int64_t width, bool scrub,
                              double roomWidth, double roomHeight, double titlePixels) {
  LabelMapLayout best;
  if (count <= 0 || height <= 0 || width <= 0) return best;
  const double gap = std::max(2.0, 0.08 * double(std::min(height, width)));
  const double h = double(height), w = double(width);
  double bestScale = -1;
  // With a scrubbed row of three maps, fewer than three columns would leave a hole beside
  // the gallery.
  for (int64_t columns = scrub ? std::min<int64_t>(3, count) : 1; columns <= count; ++columns) {
    const int64_t rows = (count + columns - 1) / columns;
    const double galleryW = double(columns) * w + double(columns - 1) * gap;
    const double galleryH = double(rows) * h + double(rows - 1) * gap;
    const double scrubScale = scrub ? std::max(1.0, (galleryW - 2 * gap) / (3 * w)) : 0.0;
    const double width_ = std::max(galleryW, 3 * w * scrubScale + 2 * gap);
    const double mapsH = galleryH + h * scrubScale + (scrub ? gap / 2 : 0.0);
    const double titles = (scrub ? 2 : 1) * titlePixels;
    const double scale = std::min(roomWidth / width_, (roomHeight - titles) / mapsH);
    if (scale <= bestScale * (1 + 1e-9)) continue;
    bestScale = scale;
    best = LabelMapLayout{};
    best.gallery = galleryGrid(count, height, width, columns, gap);
    best.pixelsPerUnit = scale;
    best.title = titlePixels / scale;
    best.right = width_;
    best.top = best.title;
    best.bottom = -galleryH;
    if (scrub) {
      const double top = -galleryH - best.title - gap / 2;
      for (int k = 0; k < 3; ++k) {
        MapRect& r = best.scrub[size_t(k)];
        r.height = height;
        r.width = width;
        r.scale = scrubScale;
        r.x = double(k) * (w * scrubScale + gap);
        r.y = top;
      }
      best.bottom = best.scrub[0].bottom();
    }
  }
  return best;
}

}  // namespace efm::ui

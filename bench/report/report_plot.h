#pragma once
// PNG plots of benchmark results, drawn with Qt6 Gui (QImage + QPainter; the offscreen
// platform, so no display is needed). Axes with ticks and labels, a log scale where values
// span decades, a legend, and one colour per probability path in every plot (ray, ours, in
// red and drawn thicker). Qt stays inside report_plot.cpp.
#include <string>
#include <vector>

namespace efm::bench {

struct Rgb {
  int r = 0, g = 0, b = 0;
};
// Fonts need a QGuiApplication; benchmarks have none, so this makes one on the offscreen
// platform (unless the user chose a platform). It lives until the process ends.
void ensureGuiApplication();

// The colour of a path ("ray", "bridge", "linear", "dirichlet", "fisher"), "floor" (black);
// anything else gets a fixed colour of its own, the same on every call.
Rgb seriesColour(const std::string& key);
// Ours ("ray", "bridge") are drawn thicker, ray the thickest.
bool isOurs(const std::string& key);

enum class SeriesStyle {
  Line,    // solid line with filled markers; lo/hi drawn as a translucent band
  Dashed,  // dashed line with hollow markers (reference figures, floors)
  Points,  // markers with error bars from lo to hi, no line (categorical x)
};

struct Series {
  std::string name;       // legend entry
  std::string colourKey;  // path name for seriesColour; empty = name
  std::vector<double> x, y;
  std::vector<double> lo, hi;  // optional: the spread of y (same length), e.g. min/max over seeds
  SeriesStyle style = SeriesStyle::Line;
};

enum class Scale { Auto, Linear, Log };  // Auto: log when the values span 1.5 decades

struct Plot {
  std::string title, xLabel, yLabel;
  std::vector<Series> series;
  Scale xScale = Scale::Linear;
  Scale yScale = Scale::Auto;
  bool xTicksAtData = false;            // tick the x values that occur (K, lambda)
  std::vector<std::string> categories;  // non-empty: x is the category index 0..m-1
};

// Draws the panels in a grid of `columns` columns (each 640 x 440 pixels) under an optional
// overall title and footnote, and saves a PNG. Throws std::runtime_error naming the file
// when it cannot be written.
void savePlots(const std::vector<Plot>& panels, int columns, const std::string& file,
               const std::string& title = "", const std::string& footnote = "");

}  // namespace efm::bench

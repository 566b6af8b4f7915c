#pragma once
// Sheets of sampled label maps, one panel per probability path, saved as one PNG (Qt6 Gui on
// the offscreen platform, like report_plot). Class k of c is drawn as grey level k/(c-1):
// for binarized images 0 is black and 1 white, as the data was before binarization.
#include <cstdint>
#include <string>
#include <vector>

namespace efm::bench {

struct SampleSheet {
  std::string title;      // e.g. "ray (ours), 1500 steps"
  std::string colourKey;  // path name: the title bar's colour (seriesColour)
  int64_t height = 0, width = 0, classes = 2;
  std::vector<std::vector<int64_t>> maps;  // each height * width labels, row-major
};

// The sheets side by side, each a grid of `columns` maps of `height x width` pixels scaled
// by `zoom`, under an optional title. Throws std::runtime_error naming the file when it
// cannot be written, std::invalid_argument on a map of the wrong size or a label out of range.
void saveSampleSheets(const std::vector<SampleSheet>& sheets, int columns, int zoom,
                      const std::string& file, const std::string& title = "");

}  // namespace efm::bench

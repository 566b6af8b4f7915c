// The benchmarks' pictures: the sample sheets put every map where it belongs, pixel by
// pixel, and the plots and sheets give a path the studio's colour (efm/paths/path_registry.h).
#include "report_plot.h"
#include "report_sheet.h"

#include "efm/paths/path_registry.h"
#include "widgets/path_style.h"

#include <QDir>
#include <QImage>
#include <QTemporaryDir>

#include <set>

#include <catch2/catch.hpp>

using namespace efm::bench;

TEST_CASE("Sample sheets: each map at its place, class k as grey k/(c-1), a title bar per path",
          "[report]") {
  QTemporaryDir dir;
  REQUIRE(dir.isValid());
  const std::string file = QDir(dir.path()).filePath("sheet.png").toStdString();
  // Two sheets of 2 x 3 maps with c = 3; map m of sheet s has label (m + s + x) % 3 at column x.
  std::vector<SampleSheet> sheets(2);
  for (int s = 0; s < 2; ++s) {
    sheets[s].title = s == 0 ? "ray" : "fisher";
    sheets[s].colourKey = sheets[s].title;
    sheets[s].height = 2;
    sheets[s].width = 3;
    sheets[s].classes = 3;
    for (int m = 0; m < 4; ++m) {
      std::vector<int64_t> map;
      for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x) map.push_back((m + s + x) % 3);
      sheets[s].maps.push_back(map);
    }
  }
  const int zoom = 4, columns = 2;
  saveSampleSheets(sheets, columns, zoom, file);
  QImage image(QString::fromStdString(file));
  REQUIRE_FALSE(image.isNull());
  // Layout (report_sheet.cpp): margin 10, title bar 26, gap 2 between maps.
  const int sheetWidth = columns * (3 * zoom + 2);
  for (int s = 0; s < 2; ++s) {
    const int left = 10 + s * (sheetWidth + 10);
    const efm::PathRgb c = efm::pathKind(sheets[s].title).colour;
    CHECK(image.pixelColor(left + 1, 1) == QColor(c.r, c.g, c.b));  // the title bar
    for (int m = 0; m < 4; ++m) {
      const int col = m % columns, row = m / columns;
      for (int x = 0; x < 3; ++x) {
        const int px = left + col * (3 * zoom + 2) + x * zoom + zoom / 2;
        const int py = 26 + row * (2 * zoom + 2) + zoom / 2;
        const int grey = 255 * ((m + s + x) % 3) / 2;
        INFO("sheet " << s << " map " << m << " column " << x);
        CHECK(image.pixelColor(px, py) == QColor(grey, grey, grey));
      }
    }
  }
  // A label outside the classes, or a map of the wrong size, is refused with its sheet named.
  sheets[1].maps[2][4] = 3;
  CHECK_THROWS_WITH(saveSampleSheets(sheets, columns, zoom, file), Catch::Contains("fisher"));
  sheets[1].maps[2].pop_back();
  CHECK_THROWS_WITH(saveSampleSheets(sheets, columns, zoom, file), Catch::Contains("labels"));
  sheets[1].maps[2] = sheets[1].maps[1];
  saveSampleSheets(sheets, columns, zoom, file);  // valid again
  CHECK_THROWS_WITH(saveSampleSheets(sheets, columns, zoom, "/no/such/folder/x.png"),
                    Catch::Contains("/no/such/folder/x.png"));
}

TEST_CASE("One colour per path in the studio and the benchmarks' plots", "[report]") {
  for (const char* path : {"ray", "bridge", "linear", "dirichlet", "fisher"}) {
    const efm::bench::Rgb plot = seriesColour(path);
    const QColor studio = efm::ui::pathColour(path);
    INFO(path);
    CHECK(QColor(plot.r, plot.g, plot.b) == studio);
  }
  // Five distinct colours.
  std::set<QRgb> distinct;
  for (const char* path : {"ray", "bridge", "linear", "dirichlet", "fisher"})
    distinct.insert(efm::ui::pathColour(path).rgb());
  CHECK(distinct.size() == 5);
}

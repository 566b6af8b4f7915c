#include "report_sheet.h"

#include "report_painting.h"
#include "report_plot.h"

#include <QtGui/QFont>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtGui/QPainter>

#include <algorithm>
#include <stdexcept>

namespace efm::bench {
namespace {

constexpr int kGap = 2;        // pixels between maps
constexpr int kTitleBar = 26;  // each sheet's title
constexpr int kMargin = 10;    // between sheets

QImage mapImage(const SampleSheet& sheet, const std::vector<int64_t>& map) {
  if (static_cast<int64_t>(map.size()) != sheet.height * sheet.width)
    throw std::invalid_argument("sample sheet '" + sheet.title + "': a map has " +
                                std::to_string(map.size()) + " labels, expected " +
                                std::to_string(sheet.height * sheet.width));
  QImage image(static_cast<int>(sheet.width), static_cast<int>(sheet.height),
               QImage::Format_Grayscale8);
  const int64_t top = std::max<int64_t>(1, sheet.classes - 1);
  for (int64_t y = 0; y < sheet.height; ++y) {
    uchar* line = image.scanLine(static_cast<int>(y));
    for (int64_t x = 0; x < sheet.width; ++x) {
      const int64_t label = map[static_cast<std::size_t>(y * sheet.width + x)];
      if (label < 0 || label >= sheet.classes)
        throw std::invalid_argument("sample sheet '" + sheet.title + "': label " +
                                    std::to_string(label) + " is outside 0.." +
                                    std::to_string(sheet.classes - 1));
      line[x] = static_cast<uchar>(255 * label / top);
    }
  }
  return image;
}

}  // namespace

void saveSampleSheets(const std::vector<SampleSheet>& sheets, int columns, int zoom,
                      const std::string& file, const std::string& title) {
  if (sheets.empty()) throw std::invalid_argument("no sample sheets to save");
  ensureGuiApplication();
  columns = std::max(1, columns);
  zoom = std::max(1, zoom);
  int64_t tallest = 0;
  int sheetWidth = 0;
  for (const SampleSheet& s : sheets) {
    const int rows = static_cast<int>((s.maps.size() + columns - 1) / columns);
    tallest = std::max<int64_t>(tallest, rows * (s.height * zoom + kGap));
    sheetWidth = std::max<int>(sheetWidth, columns * static_cast<int>(s.width * zoom + kGap));
  }
  const int header = title.empty() ? 0 : 30;
  const int count = static_cast<int>(sheets.size());
  QImage image(kMargin + count * (sheetWidth + kMargin),
               header + kTitleBar + static_cast<int>(tallest) + kMargin, QImage::Format_RGB32);
  image.fill(Qt::white);
  {
    QPainter p(&image);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    if (header) drawPageTitle(p, image.width(), title);
    p.setFont(reportFont(13, true));
    for (int k = 0; k < count; ++k) {
      const SampleSheet& s = sheets[static_cast<std::size_t>(k)];
      const int left = kMargin + k * (sheetWidth + kMargin);
      const Rgb c = seriesColour(s.colourKey.empty() ? s.title : s.colourKey);
      p.fillRect(QRect(left, header, sheetWidth - kGap, kTitleBar - 4), QColor(c.r, c.g, c.b));
      p.setPen(Qt::white);
      p.drawText(QRect(left, header, sheetWidth - kGap, kTitleBar - 4), Qt::AlignCenter,
                 QString::fromStdString(s.title));
      for (std::size_t m = 0; m < s.maps.size(); ++m) {
        const int col = static_cast<int>(m) % columns, row = static_cast<int>(m) / columns;
        const QImage map = mapImage(s, s.maps[m]);
        const QRect target(left + col * static_cast<int>(s.width * zoom + kGap),
                           header + kTitleBar + row * static_cast<int>(s.height * zoom + kGap),
                           static_cast<int>(s.width * zoom), static_cast<int>(s.height * zoom));
        p.drawImage(target, map);  // nearest-neighbour: no smoothing hint set
      }
    }
  }
  if (!image.save(QString::fromStdString(file), "PNG"))
    throw std::runtime_error("cannot write the sample sheets to " + file);
}

}  // namespace efm::bench

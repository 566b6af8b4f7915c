#pragma once
// Private to the report library: what the plots and the sample sheets paint alike.
#include <QtGui/QFont>
#include <QtGui/QPainter>

#include <string>

namespace efm::bench {

// The reports' typeface (DejaVu Sans, a Debian font) at a pixel size.
QFont reportFont(int pixelSize, bool bold = false);
// A bold 16-pixel title centred across the top 30 pixels of a page `width` wide; leaves the
// painter's font as it found it.
void drawPageTitle(QPainter& painter, int width, const std::string& title);

}  // namespace efm::bench

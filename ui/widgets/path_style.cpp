#include "widgets/path_style.h"

#include "engine/path_catalog.h"

namespace efm::ui {

QColor pathColour(const QString& path) {
  if (!isPathName(path.toStdString())) return QColor(110, 110, 110);
  const PathInfo info = pathInfo(path.toStdString());  // shared with the benchmarks' plots
  return QColor(info.red, info.green, info.blue);
}

QString pathDescription(const QString& path) {
  if (!isPathName(path.toStdString())) return path;
  return QString::fromStdString(pathInfo(path.toStdString()).description);
}

}  // namespace efm::ui

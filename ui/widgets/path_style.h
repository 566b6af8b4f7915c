#pragma once
// How the probability paths are presented, the same in every widget and view: a colour per
// path (the compared runs' curves, flows and legend entries) and a one-line description.

#include <QColor>
#include <QString>

namespace efm::ui {

// A colour that tells the path apart on white, the same as in the benchmarks' plots (ours
// red and orange, the peers grey, green and blue); grey for a name it does not know.
QColor pathColour(const QString& path);
// "ours: ..." or "peer: ..." in a sentence, for tooltips.
QString pathDescription(const QString& path);

}  // namespace efm::ui

#pragma once
// Recent-file lists kept in QSettings (recent checkpoints, recent targets) and their menus.

#include <QString>
#include <functional>

class QMenu;
class QObject;

namespace efm::ui {

// Puts `file` first in the QSettings list `key`: absolute path, no duplicates, at most `max`.
void rememberRecentFile(const QString& key, const QString& file, int max);

// Refills `menu` with the QSettings list `key`, each entry "name — folder" calling open(file)
// (with `context` as the receiver); disabled when the list is empty.
void fillRecentMenu(QMenu* menu, const QString& key, QObject* context,
                    const std::function<void(const QString&)>& open);

}  // namespace efm::ui

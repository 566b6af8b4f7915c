#include "window/recent_files.h"

#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QStringList>

namespace efm::ui {

void rememberRecentFile(const QString& key, const QString& file, int max) {
  QSettings settings;
  QStringList files = settings.value(key).toStringList();
  const QString absolute = QFileInfo(file).absoluteFilePath();
  files.removeAll(absolute);
  files.prepend(absolute);
  while (files.size() > max) files.removeLast();
  settings.setValue(key, files);
}

void fillRecentMenu(QMenu* menu, const QString& key, QObject* context,
                    const std::function<void(const QString&)>& open) {
  menu->clear();
  const QStringList files = QSettings().value(key).toStringList();
  for (const QString& file : files)
    menu->addAction(QFileInfo(file).fileName() + "  —  " + QFileInfo(file).absolutePath(), context,
                    [open, file] { open(file); });
  menu->setEnabled(!files.isEmpty());
}

}  // namespace efm::ui

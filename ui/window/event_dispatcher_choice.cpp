#include "window/event_dispatcher_choice.h"

#include <QCoreApplication>
#include <QtGlobal>

namespace efm::ui {

namespace {
bool turnedOff = false;
}  // namespace

void chooseEventDispatcher() {
  if (qEnvironmentVariableIsSet("QT_NO_GLIB")) return;  // the user's choice
  qputenv("QT_NO_GLIB", "1");
  QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
  turnedOff = true;
}

bool glibDispatcherTurnedOff() { return turnedOff; }

}  // namespace efm::ui

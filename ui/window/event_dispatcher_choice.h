#pragma once
// The event dispatcher of the studio's GUI thread (issue 21, docs/PERFORMANCE.md, "The
// studio"). With Qt's GLib dispatcher (Qt's default wherever GLib is present) the GUI
// thread now and then slept about 100 ms in a single poll() while training and sampling
// kept both cores busy, though a 2 ms timer was due and a sleeper pinned to each core woke
// on time; with Qt's own dispatcher no such sleep was seen.

namespace efm::ui {

// Call before the QApplication exists. Chooses Qt's own event dispatcher unless QT_NO_GLIB
// is set already (set and empty keeps GLib's). GTK's file dialogs need GLib's dispatcher
// to get their events, so Qt's own dialogs are used then.
void chooseEventDispatcher();
// Whether chooseEventDispatcher() turned GLib's dispatcher off.
bool glibDispatcherTurnedOff();

}  // namespace efm::ui

// Catch2 runner for the GUI tests: one QApplication for all of them, created after the
// surface format (docs/STACK.md, item 1). Run under xvfb-run (VTK is GLX-only, item 3).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>
#include "efm/base/runtime_tuning.h"

#include "bridge/vtk_widget.h"
#include "window/event_dispatcher_choice.h"

int main(int argc, char** argv) {
  efm::tuneRuntime(argv);
  efm::ui::VtkWidget::installDefaultSurfaceFormat();
  efm::ui::chooseEventDispatcher();  // as the studio runs
  QApplication app(argc, argv);
  QApplication::setOrganizationName("efm-tests");
  QApplication::setApplicationName("efm-studio-tests");
  return Catch::Session().run(argc, argv);
}

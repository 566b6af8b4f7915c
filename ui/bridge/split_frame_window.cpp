#include "bridge/split_frame_window.h"

#include <vtkObjectFactory.h>

namespace efm::ui {

vtkStandardNewMacro(SplitFrameWindow);

void SplitFrameWindow::Frame() {
  if (!composeDeferred_) Superclass::Frame();
}

}  // namespace efm::ui

// TrajectoryView's progressive full detail: flows of more than kSliceVertices points are
// drawn in slices (built in trajectory_view_flows.cpp) over several event-loop passes while
// the camera is still, so that the window never waits long for one frame
// (docs/PERFORMANCE.md, "The studio").
#include <vtkActor.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPropCollection.h>
#include <vtkRenderer.h>
#include <QTimer>
#include <algorithm>
#include <utility>
#include <vector>

#include "bridge/vtk_surface.h"
#include "bridge/vtk_widget.h"
#include "views/trajectory_view.h"

namespace efm::ui {

bool TrajectoryView::sliced() const {
  return std::any_of(layers_.begin(), layers_.end(),
                     [](const Layer& layer) { return !layer.slices.empty(); });
}

vtkPolyData* TrajectoryView::drawnLines(const Layer& layer) const {
  return vtkPolyData::SafeDownCast(layer.lines->GetMapper()->GetInput());
}

// Every frame shown on screen (with the decimated copy) starts a refinement again: what
// the slices drew before it is gone from VTK's framebuffer.
void TrajectoryView::startRefinement() {
  if (interacting_ || !sliced()) {
    refineStep_ = -1;
    return;
  }
  refineStep_ = 0;
  refiner_->start(VtkSurface::msUntilNextPass());
}

// Step i < slices draws slice i alone (the first erases); step `slices` draws everything
// else the frame has (the simplex, particles, captions) over the slices; the step after
// shows the frame. Each step waits until the rasterizer has finished the one before
// (polled), so no event-loop pass waits for it.
void TrajectoryView::refineStep() {
  if (refineStep_ < 0 || interacting_) return;
  if (const int wait = VtkSurface::msUntilNextPass(); wait > 0) {
    refiner_->start(wait);  // a frame was drawn meanwhile, or the timer was early
    return;
  }
  if (!vtk_->hiddenPartsRasterized()) {
    refiner_->start(VtkSurface::kComposePollMs);
    return;
  }
  std::vector<vtkActor*> slices;
  for (const Layer& layer : layers_)
    for (const auto& slice : layer.slices) slices.push_back(slice);
  if (refineStep_ > int(slices.size())) {
    refineStep_ = -1;
    // Not shown: a frame of a newer scene is in flight, and restarts the refinement.
    if (vtk_->showHiddenFrame()) Q_EMIT fullDetailShown();
    return;
  }
  const bool last = refineStep_ == int(slices.size());
  std::vector<std::pair<vtkProp*, vtkTypeBool>> visibility;
  vtkPropCollection* props = vtk_->renderer()->GetViewProps();
  props->InitTraversal();
  while (vtkProp* prop = props->GetNextProp()) {
    visibility.emplace_back(prop, prop->GetVisibility());
    if (!last) prop->SetVisibility(false);
  }
  if (last) {
    for (const Layer& layer : layers_)
      if (!layer.slices.empty()) layer.lines->SetVisibility(false);
  } else {
    slices[size_t(refineStep_)]->SetVisibility(true);
  }
  const bool drawn = vtk_->renderHidden(refineStep_ == 0);
  for (const auto& [prop, visible] : visibility) prop->SetVisibility(visible);
  if (!drawn) {
    refineStep_ = -1;
  } else {
    ++refineStep_;
    refiner_->start(VtkSurface::msUntilNextPass());
  }
}

void TrajectoryView::showSlices(bool exact) {
  if (interacting_) return;
  for (const Layer& layer : layers_) {
    if (layer.slices.empty()) continue;
    layer.lines->SetVisibility(!exact);
    for (const auto& slice : layer.slices) slice->SetVisibility(exact);
  }
}

}  // namespace efm::ui

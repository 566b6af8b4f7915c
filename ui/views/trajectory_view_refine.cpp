// TrajectoryView's progressive full detail: flows of more than kSliceVertices points are
// drawn in slices over several event-loop passes while the camera is still, so that the
// window never waits long for one frame (docs/PERFORMANCE.md, "The studio").
#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPropCollection.h>
#include <vtkRenderer.h>
#include <QTimer>
#include <algorithm>
#include <utility>
#include <vector>

#include "bridge/vtk_widget.h"
#include "views/trajectory_view.h"

namespace efm::ui {

namespace {
// Lines [first, first + count) of polylines of `times` consecutive points each.
vtkSmartPointer<vtkPolyData> lineRange(vtkPolyData* full, int64_t first, int64_t count,
                                       int64_t times) {
  vtkNew<vtkFloatArray> coordinates, stamps;
  coordinates->SetNumberOfComponents(3);
  coordinates->SetNumberOfTuples(count * times);
  stamps->SetName("t");
  stamps->SetNumberOfValues(count * times);
  auto* source = vtkFloatArray::SafeDownCast(full->GetPoints()->GetData());
  auto* sourceStamps = vtkFloatArray::SafeDownCast(full->GetPointData()->GetScalars());
  std::copy_n(source->GetPointer(3 * first * times), 3 * count * times, coordinates->GetPointer(0));
  std::copy_n(sourceStamps->GetPointer(first * times), count * times, stamps->GetPointer(0));
  vtkNew<vtkIdTypeArray> offsets, connectivity;
  offsets->SetNumberOfValues(count + 1);
  for (vtkIdType i = 0; i <= count; ++i) offsets->SetValue(i, i * times);
  connectivity->SetNumberOfValues(count * times);
  for (vtkIdType i = 0; i < count * times; ++i) connectivity->SetValue(i, i);
  vtkNew<vtkCellArray> cells;
  cells->SetData(offsets, connectivity);
  vtkNew<vtkPoints> points;
  points->SetData(coordinates);
  auto slice = vtkSmartPointer<vtkPolyData>::New();
  slice->SetPoints(points);
  slice->SetLines(cells);
  slice->GetPointData()->SetScalars(stamps);
  return slice;
}
}  // namespace

void TrajectoryView::buildSlices(Layer& layer, vtkPolyDataMapper* like, int64_t lines,
                                 int64_t times) {
  layer.slices.clear();
  if (lines * times <= kSliceVertices) return;
  const int64_t perSlice = std::max<int64_t>(1, kSliceVertices / times);
  for (int64_t first = 0; first < lines; first += perSlice) {
    vtkNew<vtkPolyDataMapper> mapper;
    // Colours as the layer's own mapper gives them (not ShallowCopy: its copy of shader
    // code goes through calls VTK 9 warns about on every use).
    mapper->SetLookupTable(like->GetLookupTable());
    mapper->SetScalarRange(like->GetScalarRange());
    mapper->SetScalarMode(like->GetScalarMode());
    mapper->SetScalarVisibility(like->GetScalarVisibility());
    mapper->SetInputData(
        lineRange(layer.fullLines, first, std::min(perSlice, lines - first), times));
    auto slice = vtkSmartPointer<vtkActor>::New();
    slice->SetMapper(mapper);
    slice->SetProperty(layer.lines->GetProperty());
    slice->SetVisibility(false);
    vtk_->renderer()->AddViewProp(slice);
    layer.slices.push_back(slice);
  }
  layer.fullLines = nullptr;  // the slices hold full detail now
}

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
  refiner_->start();
}

// Step i < slices draws slice i alone (the first erases); the last step draws everything
// else the frame has (the simplex, particles, captions) over the slices, and shows it.
void TrajectoryView::refineStep() {
  if (refineStep_ < 0 || interacting_) return;
  std::vector<vtkActor*> slices;
  for (const Layer& layer : layers_)
    for (const auto& slice : layer.slices) slices.push_back(slice);
  const bool last = refineStep_ >= int(slices.size());
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
  } else if (last) {
    refineStep_ = -1;
    vtk_->showHiddenFrame();
    Q_EMIT fullDetailShown();
  } else {
    ++refineStep_;
    refiner_->start();
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

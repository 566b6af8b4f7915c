// TrajectoryView's flows: the polylines of each layer, their decimated copy, the particle cloud.
#include "views/trajectory_view.h"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkLegendBoxActor.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <QLabel>
#include <QSpinBox>
#include <QStringList>
#include <algorithm>

#include "bridge/vtk_widget.h"
#include "views/vtk_scene.h"

namespace efm::ui {

namespace {
// Sequential cell array of `lines` polylines of `length` points each.
vtkSmartPointer<vtkCellArray> sequentialLines(vtkIdType lines, vtkIdType length) {
  vtkNew<vtkIdTypeArray> offsets, connectivity;
  offsets->SetNumberOfValues(lines + 1);
  for (vtkIdType i = 0; i <= lines; ++i) offsets->SetValue(i, i * length);
  connectivity->SetNumberOfValues(lines * length);
  for (vtkIdType i = 0; i < lines * length; ++i) connectivity->SetValue(i, i);
  auto cells = vtkSmartPointer<vtkCellArray>::New();
  cells->SetData(offsets, connectivity);
  return cells;
}
}  // namespace

// Points and time stamps of `points` flow vertices, and the polydata of `lines` polylines
// of `perLine` consecutive points over them (coloured by the stamps).
struct FlowArrays {
  vtkSmartPointer<vtkFloatArray> coordinates = vtkSmartPointer<vtkFloatArray>::New();
  vtkSmartPointer<vtkFloatArray> stamps = vtkSmartPointer<vtkFloatArray>::New();
  explicit FlowArrays(int64_t points) {
    coordinates->SetNumberOfComponents(3);
    coordinates->SetNumberOfTuples(points);
    stamps->SetName("t");
    stamps->SetNumberOfValues(points);
  }
  vtkSmartPointer<vtkPolyData> polyLines(int64_t lines, int64_t perLine) const {
    vtkNew<vtkPoints> points;
    points->SetData(coordinates);
    auto data = vtkSmartPointer<vtkPolyData>::New();
    data->SetPoints(points);
    data->SetLines(sequentialLines(lines, perLine));
    data->GetPointData()->SetScalars(stamps);
    return data;
  }
};

// The interactive copy: every 4th time (and the last), then every k-th line, so that at
// most kInteractiveVertices points remain.
static vtkSmartPointer<vtkPolyData> decimate(vtkPolyData* full, int64_t lines, int64_t times) {
  if (lines * times <= TrajectoryView::kInteractiveVertices) return full;
  std::vector<int64_t> kept;
  for (int64_t t = 0; t < times; t += 4) kept.push_back(t);
  if (kept.back() != times - 1) kept.push_back(times - 1);
  const int64_t perLine = int64_t(kept.size());
  const int64_t lineStride =
      std::max<int64_t>(1, (lines * perLine + TrajectoryView::kInteractiveVertices - 1) /
                               TrajectoryView::kInteractiveVertices);
  const int64_t keptLines = (lines + lineStride - 1) / lineStride;
  vtkFloatArray* source = vtkFloatArray::SafeDownCast(full->GetPoints()->GetData());
  vtkFloatArray* sourceTimes = vtkFloatArray::SafeDownCast(full->GetPointData()->GetScalars());
  FlowArrays decimated(keptLines * perLine);
  vtkIdType out = 0;
  for (int64_t line = 0; line < lines; line += lineStride)
    for (int64_t t : kept) {
      const vtkIdType in = vtkIdType(line) * times + t;
      decimated.coordinates->SetTypedTuple(out, source->GetPointer(3 * in));
      decimated.stamps->SetValue(out++, sourceTimes->GetValue(in));
    }
  return decimated.polyLines(keptLines, perLine);
}

// Lines [first, first + count) of polylines of `times` consecutive points each.
static vtkSmartPointer<vtkPolyData> lineRange(vtkPolyData* full, int64_t first, int64_t count,
                                              int64_t times) {
  auto* source = vtkFloatArray::SafeDownCast(full->GetPoints()->GetData());
  auto* sourceStamps = vtkFloatArray::SafeDownCast(full->GetPointData()->GetScalars());
  FlowArrays range(count * times);
  std::copy_n(source->GetPointer(3 * first * times), 3 * count * times,
              range.coordinates->GetPointer(0));
  std::copy_n(sourceStamps->GetPointer(first * times), count * times, range.stamps->GetPointer(0));
  return range.polyLines(count, times);
}

// Full detail in slices of at most kSliceVertices points (whole lines), drawn one per
// event-loop pass when the camera stops (trajectory_view_refine.cpp).
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

// The polydata a layer's full-detail frame draws: its slices, or the actor's input.
std::vector<vtkPolyData*> TrajectoryView::shownLines(const Layer& layer) const {
  if (!interacting_ && !layer.slices.empty()) {
    std::vector<vtkPolyData*> parts;
    for (const auto& slice : layer.slices)
      parts.push_back(vtkPolyData::SafeDownCast(slice->GetMapper()->GetInput()));
    return parts;
  }
  if (!layer.lines) return {};
  return {drawnLines(layer)};
}

void TrajectoryView::rebuildTrajectories() {
  vtkRenderer* renderer = vtk_->renderer();
  for (Layer& layer : layers_) {
    if (layer.lines) renderer->RemoveViewProp(layer.lines);
    for (const auto& slice : layer.slices) renderer->RemoveViewProp(slice);
    if (layer.particles) renderer->RemoveViewProp(layer.particles);
  }
  layers_.clear();
  refineStep_ = -1;
  if (legend_) renderer->RemoveViewProp(legend_);
  legend_ = nullptr;
  auto show = [this](std::shared_ptr<const SampleSet> samples, const QColor& colour,
                     const QString& name) {
    if (!samples || samples->times.empty()) return;
    Layer layer;
    layer.samples = std::move(samples);
    layer.colour = colour;
    layer.name = name;
    layers_.push_back(std::move(layer));
  };
  if (comparing_) {
    for (const FlowLayer& flows : comparison_) show(flows.samples, flows.colour, flows.name);
  } else {
    show(samples_, QColor(), QString());
  }
  QString caption;
  if (layers_.empty()) {
    caption = comparing_ ? "No flows of the compared runs yet."
                         : "No samples yet: train, or open a checkpoint and press Sample.";
  } else {
    const Layer& focus = layers_[size_t(std::clamp(focus_, 0, int(layers_.size()) - 1))];
    timeStart_ = focus.samples->times.front();
    timeEnd_ = focus.samples->times.back();
    timeColors_->SetRange(timeStart_, timeEnd_);
    const std::vector<int> nodes = nodesShown();
    for (Layer& layer : layers_) buildLayer(layer, nodes);
    const QString where = nodes.size() != 1       ? QString(" x %1 nodes").arg(nodes.size())
                          : data_.image.isImage() ? QString(" of pixel (row %1, col %2)")
                                                        .arg(nodes.front() / data_.image.width)
                                                        .arg(nodes.front() % data_.image.width)
                                                  : QString(" of node %1").arg(nodes.front() + 1);
    if (comparing_) {
      QStringList lines;
      for (const Layer& layer : layers_)
        lines << QString("%1: %2 flows%3 at step %4")
                     .arg(layer.name)
                     .arg(layer.flows)
                     .arg(where)
                     .arg(layer.samples->modelStep);
      caption = lines.join('\n');
    } else {
      caption = QString("%1 flows%2 of the model at step %3")
                    .arg(layers_.front().flows)
                    .arg(where)
                    .arg(layers_.front().samples->modelStep);
    }
    auto name = [this](int cls) {
      return cls < int(data_.image.classNames.size())
                 ? QString::fromStdString(data_.image.classNames[size_t(cls)])
                 : QString::number(cls + 1);
    };
    if (data_.classes > 4)
      caption += QString("\nface of classes %1, %2, %3 (renormalised)")
                     .arg(name(selection_.shown()[0]))
                     .arg(name(selection_.shown()[1]))
                     .arg(name(selection_.shown()[2]));
  }
  if (comparing_ && !layers_.empty()) {
    std::vector<std::pair<QString, QColor>> entries;
    for (const Layer& layer : layers_) entries.emplace_back(layer.name, layer.colour);
    legend_ = legend(entries, 0.82, 0.98 - 0.05 * double(entries.size()), 0.17,
                     0.05 * double(entries.size()));
    renderer->AddViewProp(legend_);
  }
  bar_->SetVisibility(!comparing_);
  baseCaption_ = caption;
  caption_->SetInput((caption + givenCaption()).toUtf8().constData());
  bar_->SetLookupTable(timeColors_);
  timeLabel_->setText(timeText());
  updateParticles();
  updateArrows();
  vtk_->scheduleRender();
}

void TrajectoryView::buildLayer(Layer& layer, const std::vector<int>& nodes) {
  const SampleSet& s = *layer.samples;
  const int64_t times = int64_t(s.times.size());
  const int64_t kept = int64_t(s.trajectories.size()) / (times * s.variables * s.classes);
  const int64_t flows = std::min<int64_t>(kept, maxLines_->value());
  const int64_t lines = flows * int64_t(nodes.size());
  layer.flows = flows;
  const double t0 = s.times.front(), span = std::max(1e-12, s.times.back() - t0);

  FlowArrays arrays(lines * times);
  float* xyz = arrays.coordinates->GetPointer(0);
  float* st = arrays.stamps->GetPointer(0);
  const int64_t stride = s.variables * s.classes;
  for (int64_t f = 0; f < flows; ++f) {
    for (int node : nodes) {
      for (int64_t ti = 0; ti < times; ++ti) {
        const float* p = s.trajectories.data() + (ti * kept + f) * stride + node * s.classes;
        // Each run's own time range maps onto the axis (the focused run's times otherwise).
        const double fraction = (s.times[size_t(ti)] - t0) / span;
        const Point3 x = place(p, timeStart_ + fraction * (timeEnd_ - timeStart_));
        *xyz++ = float(x.x());
        *xyz++ = float(x.y());
        *xyz++ = float(x.z());
        *st++ = float(s.times[size_t(ti)]);
      }
    }
  }
  layer.fullLines = arrays.polyLines(lines, times);
  layer.interactiveLines = decimate(layer.fullLines, lines, times);
  vtkNew<vtkPolyDataMapper> mapper;
  layer.lines = vtkSmartPointer<vtkActor>::New();
  if (layer.colour.isValid()) {
    mapper->ScalarVisibilityOff();
    layer.lines->GetProperty()->SetColor(layer.colour.redF(), layer.colour.greenF(),
                                         layer.colour.blueF());
    layer.lines->GetProperty()->SetOpacity(0.75);
  } else {
    mapper->SetLookupTable(timeColors_);
    mapper->SetScalarRange(timeStart_, timeEnd_);
    mapper->SetScalarModeToUsePointData();
    mapper->ScalarVisibilityOn();
    layer.lines->GetProperty()->SetOpacity(1.0);
  }
  layer.lines->SetMapper(mapper);
  layer.lines->GetProperty()->SetLineWidth(1.0f);
  layer.lines->GetProperty()->LightingOff();
  vtk_->renderer()->AddViewProp(layer.lines);
  buildSlices(layer, mapper, lines, times);
  mapper->SetInputData(interacting_ || !layer.slices.empty() ? layer.interactiveLines
                                                             : layer.fullLines);

  layer.particleData = vtkSmartPointer<vtkPolyData>::New();
  vtkNew<vtkPolyDataMapper> particleMapper;
  particleMapper->SetInputData(layer.particleData);
  particleMapper->ScalarVisibilityOff();
  layer.particles = vtkSmartPointer<vtkActor>::New();
  layer.particles->SetMapper(particleMapper);
  const QColor dot = layer.colour.isValid() ? layer.colour.darker(140) : QColor(217, 26, 26);
  layer.particles->GetProperty()->SetColor(dot.redF(), dot.greenF(), dot.blueF());
  layer.particles->GetProperty()->SetPointSize(4);
  layer.particles->SetVisibility(!interacting_);
  vtk_->renderer()->AddViewProp(layer.particles);
}

void TrajectoryView::updateParticles() {
  const std::vector<int> nodes = nodesShown();
  for (Layer& layer : layers_) {
    if (!layer.particleData) continue;
    const SampleSet& s = *layer.samples;
    const double f = fraction();
    const double t = layer.timeAt(f);
    // Linear interpolation between the two recorded times around t.
    const auto upper = std::lower_bound(s.times.begin(), s.times.end(), t);
    const size_t i1 = std::min(size_t(upper - s.times.begin()), s.times.size() - 1);
    const size_t i0 = i1 > 0 ? i1 - 1 : 0;
    const double span = s.times[i1] - s.times[i0];
    const double a = span > 0 ? std::clamp((t - s.times[i0]) / span, 0.0, 1.0) : 1.0;
    const int64_t times = int64_t(s.times.size());
    const int64_t kept = int64_t(s.trajectories.size()) / (times * s.variables * s.classes);
    const int64_t flows = layer.flows;
    const int64_t stride = s.variables * s.classes;
    const double axisTime = timeStart_ + f * (timeEnd_ - timeStart_);
    vtkNew<vtkPoints> points;
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(flows * int64_t(nodes.size()));
    std::vector<float> w(size_t(s.classes));
    vtkIdType id = 0;
    for (int64_t flow = 0; flow < flows; ++flow) {
      for (int node : nodes) {
        const float* p0 =
            s.trajectories.data() + (int64_t(i0) * kept + flow) * stride + node * s.classes;
        const float* p1 =
            s.trajectories.data() + (int64_t(i1) * kept + flow) * stride + node * s.classes;
        for (int64_t c = 0; c < s.classes; ++c) w[size_t(c)] = float((1 - a) * p0[c] + a * p1[c]);
        points->SetPoint(id++, place(w.data(), axisTime).data());
      }
    }
    vtkNew<vtkCellArray> verts;
    for (vtkIdType i = 0; i < id; ++i) {
      verts->InsertNextCell(1);
      verts->InsertCellPoint(i);
    }
    layer.particleData->SetPoints(points);
    layer.particleData->SetVerts(verts);
    layer.particleData->Modified();
  }
  vtk_->scheduleRender();
}

int TrajectoryView::layerLines(int index) const {
  int lines = 0;
  for (vtkPolyData* part : shownLines(layers_.at(size_t(index))))
    lines += int(part->GetNumberOfLines());
  return lines;
}

int TrajectoryView::trajectoryLines() const {
  int lines = 0;
  for (int i = 0; i < int(layers_.size()); ++i) lines += layerLines(i);
  return lines;
}

int TrajectoryView::trajectoryPoints() const {
  int points = 0;
  for (const Layer& layer : layers_)
    for (vtkPolyData* part : shownLines(layer)) points += int(part->GetNumberOfPoints());
  return points;
}

void TrajectoryView::setInteracting(bool interacting) {
  if (interacting == interacting_) return;
  interacting_ = interacting;
  if (interacting) refineStep_ = -1;  // a frame shown after the motion starts it again
  for (Layer& layer : layers_) {
    if (layer.lines && layer.slices.empty())
      vtkPolyDataMapper::SafeDownCast(layer.lines->GetMapper())
          ->SetInputData(interacting ? layer.interactiveLines : layer.fullLines);
    // The cloud returns with full detail.
    if (layer.particles) layer.particles->SetVisibility(!interacting);
  }
  vtk_->scheduleRender();
}

int TrajectoryView::particleCount() const {
  int count = 0;
  for (const Layer& layer : layers_)
    if (layer.particleData) count += int(layer.particleData->GetNumberOfPoints());
  return count;
}

}  // namespace efm::ui

#include "views/vtk_scene.h"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkColorTransferFunction.h>
#include <vtkLegendBoxActor.h>
#include <vtkLookupTable.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkScalarBarActor.h>
#include <vtkSphereSource.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

namespace efm::ui {

namespace {
void setColor(double rgb[3], const QColor& color) {
  rgb[0] = color.redF();
  rgb[1] = color.greenF();
  rgb[2] = color.blueF();
}
}  // namespace

vtkSmartPointer<vtkLookupTable> viridis(double lo, double hi, int entries) {
  // Control points of matplotlib's viridis, interpolated in Lab space.
  static const double stops[][4] = {{0.00, 0.267, 0.005, 0.329},
                                    {0.25, 0.229, 0.322, 0.546},
                                    {0.50, 0.128, 0.567, 0.551},
                                    {0.75, 0.369, 0.789, 0.383},
                                    {1.00, 0.993, 0.906, 0.144}};
  vtkNew<vtkColorTransferFunction> function;
  function->SetColorSpaceToLab();
  for (const auto& s : stops) function->AddRGBPoint(s[0], s[1], s[2], s[3]);
  auto table = vtkSmartPointer<vtkLookupTable>::New();
  table->SetNumberOfTableValues(entries);
  table->SetRange(lo, hi);
  for (int i = 0; i < entries; ++i) {
    double rgb[3];
    function->GetColor(double(i) / (entries - 1), rgb);
    table->SetTableValue(i, rgb[0], rgb[1], rgb[2], 1.0);
  }
  table->Build();
  return table;
}

vtkSmartPointer<vtkPolyData> polyline(const std::vector<Point3>& points) {
  vtkNew<vtkPoints> p;
  p->SetNumberOfPoints(vtkIdType(points.size()));
  vtkNew<vtkCellArray> lines;
  lines->InsertNextCell(vtkIdType(points.size()));
  for (size_t i = 0; i < points.size(); ++i) {
    p->SetPoint(vtkIdType(i), points[i].data());
    lines->InsertCellPoint(vtkIdType(i));
  }
  auto data = vtkSmartPointer<vtkPolyData>::New();
  data->SetPoints(p);
  data->SetLines(lines);
  return data;
}

vtkSmartPointer<vtkActor> lineActor(vtkPolyData* data, const QColor& color, double width) {
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(data);
  mapper->ScalarVisibilityOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  double rgb[3];
  setColor(rgb, color);
  actor->GetProperty()->SetColor(rgb);
  actor->GetProperty()->SetLineWidth(float(width));
  actor->GetProperty()->SetOpacity(color.alphaF());
  actor->GetProperty()->LightingOff();
  return actor;
}

vtkSmartPointer<vtkActor> simplexFrame(const std::vector<Point3>& vertices, const QColor& color,
                                       double lineWidth) {
  vtkNew<vtkPoints> p;
  for (const Point3& v : vertices) p->InsertNextPoint(v.data());
  vtkNew<vtkCellArray> lines;
  for (size_t i = 0; i < vertices.size(); ++i) {
    for (size_t j = i + 1; j < vertices.size(); ++j) {
      lines->InsertNextCell(2);
      lines->InsertCellPoint(vtkIdType(i));
      lines->InsertCellPoint(vtkIdType(j));
    }
  }
  vtkNew<vtkPolyData> data;
  data->SetPoints(p);
  data->SetLines(lines);
  return lineActor(data, color, lineWidth);
}

vtkSmartPointer<vtkActor> sphere(const Point3& x, double radius, const QColor& color) {
  vtkNew<vtkSphereSource> source;
  source->SetCenter(x.x(), x.y(), x.z());
  source->SetRadius(radius);
  source->SetThetaResolution(24);
  source->SetPhiResolution(16);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(source->GetOutputPort());
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  double rgb[3];
  setColor(rgb, color);
  actor->GetProperty()->SetColor(rgb);
  actor->GetProperty()->SetOpacity(color.alphaF());
  return actor;
}

vtkSmartPointer<vtkTextActor> label(const Point3& x, const QString& text, int fontSize,
                                    const QColor& color) {
  auto actor = vtkSmartPointer<vtkTextActor>::New();
  actor->SetInput(text.toUtf8().constData());
  actor->GetPositionCoordinate()->SetCoordinateSystemToWorld();
  moveLabel(actor, x);
  vtkTextProperty* p = actor->GetTextProperty();
  p->SetFontSize(fontSize);
  p->SetColor(color.redF(), color.greenF(), color.blueF());
  p->SetJustificationToCentered();
  p->SetVerticalJustificationToCentered();
  // No translucent background box: its alpha would reach Qt's composition of the widget.
  return actor;
}

void moveLabel(vtkTextActor* label, const Point3& x) {
  label->GetPositionCoordinate()->SetValue(x.x(), x.y(), x.z());
}

vtkSmartPointer<vtkTextActor> overlayText(const QString& text, double x, double y, int fontSize,
                                          bool alignRight) {
  auto actor = vtkSmartPointer<vtkTextActor>::New();
  actor->SetInput(text.toUtf8().constData());
  actor->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
  actor->GetPositionCoordinate()->SetValue(x, y);
  vtkTextProperty* p = actor->GetTextProperty();
  p->SetFontSize(fontSize);
  p->SetColor(0.1, 0.1, 0.1);
  if (alignRight) p->SetJustificationToRight();
  p->SetVerticalJustificationToTop();
  return actor;
}

vtkSmartPointer<vtkScalarBarActor> colorBar(vtkLookupTable* table, const QString& title) {
  auto bar = vtkSmartPointer<vtkScalarBarActor>::New();
  bar->SetLookupTable(table);
  bar->SetTitle(title.toUtf8().constData());
  bar->SetNumberOfLabels(4);
  bar->UnconstrainedFontSizeOn();  // otherwise a one-letter title is scaled to the bar's width
  bar->SetMaximumWidthInPixels(70);
  bar->SetBarRatio(0.25);
  bar->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
  bar->GetPositionCoordinate()->SetValue(0.90, 0.08);
  bar->SetWidth(0.09);
  bar->SetHeight(0.6);
  for (vtkTextProperty* p : {bar->GetTitleTextProperty(), bar->GetLabelTextProperty()}) {
    p->SetColor(0.1, 0.1, 0.1);
    p->ShadowOff();
    p->ItalicOff();
    p->SetFontSize(13);
  }
  return bar;
}

vtkSmartPointer<vtkLegendBoxActor> legend(const std::vector<std::pair<QString, QColor>>& entries,
                                          double x, double y, double width, double height) {
  auto box = vtkSmartPointer<vtkLegendBoxActor>::New();
  box->SetNumberOfEntries(int(entries.size()));
  vtkNew<vtkPolyData> symbol;  // a short horizontal line
  {
    vtkNew<vtkPoints> p;
    p->InsertNextPoint(0, 0, 0);
    p->InsertNextPoint(1, 0, 0);
    vtkNew<vtkCellArray> line;
    line->InsertNextCell(2);
    line->InsertCellPoint(0);
    line->InsertCellPoint(1);
    symbol->SetPoints(p);
    symbol->SetLines(line);
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    double rgb[3];
    setColor(rgb, entries[i].second);
    box->SetEntry(int(i), symbol, entries[i].first.toUtf8().constData(), rgb);
  }
  box->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
  box->GetPositionCoordinate()->SetValue(x, y);
  box->GetPosition2Coordinate()->SetCoordinateSystemToNormalizedViewport();
  box->GetPosition2Coordinate()->SetValue(width, height);
  box->UseBackgroundOn();
  box->SetBackgroundColor(1, 1, 1);
  box->SetBackgroundOpacity(0.85);
  box->BorderOn();
  box->GetEntryTextProperty()->SetColor(0.1, 0.1, 0.1);
  box->GetEntryTextProperty()->ShadowOff();
  return box;
}

}  // namespace efm::ui

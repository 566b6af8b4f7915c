// The bridge renders a known VTK scene: pixels are checked where the scene puts known
// colours, after a resize too, on screen as well as in renderToImage, and at device pixel
// ratio 2 (ctest runs this file a second time with QT_SCALE_FACTOR=2).
#include <catch2/catch.hpp>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkPlaneSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <QApplication>
#include <QImage>
#include <QLabel>
#include <QScreen>
#include <QTest>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QWindow>

#include "bridge/vtk_widget.h"

namespace {

// A red square over the middle half of the view on a blue background, seen head-on with a
// parallel camera whose view height is exactly the square's double.
void buildScene(efm::ui::VtkWidget& widget) {
  vtkNew<vtkPlaneSource> plane;
  plane->SetOrigin(-0.5, -0.5, 0);
  plane->SetPoint1(0.5, -0.5, 0);
  plane->SetPoint2(-0.5, 0.5, 0);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(plane->GetOutputPort());
  vtkNew<vtkActor> actor;
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(1, 0, 0);
  actor->GetProperty()->LightingOff();
  widget.renderer()->AddActor(actor);
  widget.renderer()->SetBackground(0, 0, 1);
  vtkCamera* camera = widget.renderer()->GetActiveCamera();
  camera->ParallelProjectionOn();
  camera->SetPosition(0, 0, 5);
  camera->SetFocalPoint(0, 0, 0);
  camera->SetViewUp(0, 1, 0);
  camera->SetParallelScale(1.0);  // half the view height: the square spans the middle half
  widget.renderer()->ResetCameraClippingRange();
}

bool isColor(QRgb pixel, int r, int g, int b) {
  return std::abs(qRed(pixel) - r) <= 8 && std::abs(qGreen(pixel) - g) <= 8 &&
         std::abs(qBlue(pixel) - b) <= 8;
}

void checkFrame(efm::ui::VtkWidget& widget) {
  const double ratio = widget.devicePixelRatioF();
  const QImage image = widget.renderToImage();
  INFO("device pixel ratio " << ratio << ", widget " << widget.width() << " x " << widget.height()
                             << ", image " << image.width() << " x " << image.height());
  REQUIRE(image.width() == qRound(widget.width() * ratio));
  REQUIRE(image.height() == qRound(widget.height() * ratio));
  const int w = image.width(), h = image.height();
  // The square covers the middle half vertically; horizontally it is h/2 wide, centred.
  CHECK(isColor(image.pixel(w / 2, h / 2), 255, 0, 0));
  CHECK(isColor(image.pixel(w / 2 - h / 4 + 3, h / 4 + 3), 255, 0, 0));
  CHECK(isColor(image.pixel(w / 2 + h / 4 - 4, 3 * h / 4 - 4), 255, 0, 0));
  // Outside it: background, including every corner (a full frame, not a partial one).
  CHECK(isColor(image.pixel(w / 2, h / 4 - 4), 0, 0, 255));
  CHECK(isColor(image.pixel(w / 2 - h / 4 - 4, h / 2), 0, 0, 255));
  CHECK(isColor(image.pixel(1, 1), 0, 0, 255));
  CHECK(isColor(image.pixel(w - 2, 1), 0, 0, 255));
  CHECK(isColor(image.pixel(1, h - 2), 0, 0, 255));
  CHECK(isColor(image.pixel(w - 2, h - 2), 0, 0, 255));
}

}  // namespace

TEST_CASE("bridge renders a known scene at the right pixels", "[bridge]") {
  efm::ui::VtkWidget widget;
  widget.resize(320, 240);
  buildScene(widget);
  widget.show();
  REQUIRE(QTest::qWaitForWindowExposed(&widget));
  checkFrame(widget);
  CHECK(widget.framesRendered() >= 1);

  SECTION("after resizing, the frame fills the new size") {
    widget.resize(500, 300);
    QApplication::processEvents();
    checkFrame(widget);
    widget.resize(260, 400);  // taller than wide: the square stays h/2 wide
    QApplication::processEvents();
    checkFrame(widget);
  }
}

TEST_CASE("bridge survives being hidden, shown and destroyed repeatedly", "[bridge]") {
  for (int i = 0; i < 3; ++i) {
    efm::ui::VtkWidget widget;
    widget.resize(160, 120);
    buildScene(widget);
    widget.show();
    REQUIRE(QTest::qWaitForWindowExposed(&widget));
    widget.hide();
    widget.show();
    checkFrame(widget);
  }
}

namespace {
// What the X server shows at the widget: the pixels of its native window as on screen.
QImage onScreen(QWidget& widget) {
  const QPoint at = widget.mapTo(widget.window(), QPoint(0, 0));
  return widget.screen()
      ->grabWindow(widget.window()->winId(), at.x(), at.y(), widget.width(), widget.height())
      .toImage();
}

struct PressCounter : QObject {
  int presses = 0, wheels = 0;
  bool eventFilter(QObject*, QEvent* event) override {
    if (event->type() == QEvent::MouseButtonPress) ++presses;
    if (event->type() == QEvent::Wheel) ++wheels;
    return false;
  }
};
}  // namespace

TEST_CASE("bridge shows its frames on screen, in a native window of its own", "[bridge]") {
  efm::ui::VtkWidget widget;
  widget.resize(320, 240);
  buildScene(widget);
  widget.show();
  REQUIRE(QTest::qWaitForWindowExposed(&widget));
  REQUIRE(QTest::qWaitFor([&] { return widget.framesRendered() >= 1; }, 5000));
  QApplication::processEvents();
  const QImage shown = onScreen(widget);
  REQUIRE(shown.width() >= 300);
  const int w = shown.width(), h = shown.height();
  CHECK(isColor(shown.pixel(w / 2, h / 2), 255, 0, 0));
  CHECK(isColor(shown.pixel(2, 2), 0, 0, 255));
  CHECK(isColor(shown.pixel(w - 3, h - 3), 0, 0, 255));
}

TEST_CASE("bridge passes input on its native window to the widget", "[bridge]") {
  efm::ui::VtkWidget widget;
  widget.resize(320, 240);
  buildScene(widget);
  PressCounter counter;
  widget.installEventFilter(&counter);  // as the views do to pick vertices
  widget.show();
  REQUIRE(QTest::qWaitForWindowExposed(&widget));
  QTest::mouseClick(widget.surface(), Qt::LeftButton, {}, QPoint(40, 30));
  CHECK(counter.presses == 1);
  // The surface never takes the keyboard; the widget does (once its window is active).
  CHECK(widget.window()->focusWidget() == &widget);
  QWheelEvent wheel(QPointF(40, 30), QPointF(widget.mapToGlobal(QPoint(40, 30))), {},
                    QPoint(0, 120), Qt::NoButton, {}, Qt::NoScrollPhase, false);
  QApplication::sendEvent(widget.surface(), &wheel);
  CHECK(counter.wheels == 1);
}

TEST_CASE("a picture of a window has its VTK views drawn in", "[bridge]") {
  QWidget window;
  auto* layout = new QVBoxLayout(&window);
  auto* label = new QLabel("above the view");
  layout->addWidget(label);
  auto* widget = new efm::ui::VtkWidget;
  layout->addWidget(widget);
  buildScene(*widget);
  window.resize(320, 300);
  window.show();
  REQUIRE(QTest::qWaitForWindowExposed(&window));
  const QImage picture = efm::ui::VtkWidget::grabWithViews(&window);
  const double ratio = picture.devicePixelRatio();
  const QRect view(widget->mapTo(&window, QPoint(0, 0)), widget->size());
  const QPoint centre = view.center() * ratio;
  CHECK(isColor(picture.pixel(centre), 255, 0, 0));
  CHECK(isColor(picture.pixel((view.topLeft() + QPoint(2, 2)) * ratio), 0, 0, 255));
  // The label stays as grab() drew it: above the view, on the window's background.
  CHECK(!isColor(picture.pixel(QPoint(2, 2) * ratio), 0, 0, 255));
}

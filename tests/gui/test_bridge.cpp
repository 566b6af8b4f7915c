// The bridge renders a known VTK scene: pixels are checked where the scene puts known
// colours, after a resize too, on screen as well as in renderToImage, and at device pixel
// ratio 2 (ctest runs this file a second time with QT_SCALE_FACTOR=2).
#include <catch2/catch.hpp>

#include <vtkActor.h>
#include <vtkActorCollection.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkPlaneSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <QApplication>
#include <QImage>
#include <QLabel>
#include <QScreen>
#include <QTest>
#include <QTimer>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QWindow>
#include <functional>
#include <utility>

#include "bridge/vtk_surface.h"
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
  CHECK(QTest::qWaitFor([&] { return widget.framesRendered() >= 1; }, 5000));

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

// Shows `widget` at 320 x 240 with the known scene, and waits for its first frame.
void showScene(efm::ui::VtkWidget& widget) {
  widget.resize(320, 240);
  buildScene(widget);
  widget.show();
  REQUIRE(QTest::qWaitForWindowExposed(&widget));
  REQUIRE(QTest::qWaitFor([&] { return widget.framesRendered() >= 1; }, 5000));
  QApplication::processEvents();
}
}  // namespace

TEST_CASE("bridge shows its frames on screen, in a native window of its own", "[bridge]") {
  efm::ui::VtkWidget widget;
  showScene(widget);
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

namespace {
// Calls `then` each time the renderer of `widget` ends a Render() (the first pass of a frame).
struct RenderEnd {
  std::function<void()> then;
  vtkRenderer* renderer;
  unsigned long tag;
  static void ended(vtkObject*, unsigned long, void* self, void*) {
    static_cast<RenderEnd*>(self)->then();
  }
  RenderEnd(efm::ui::VtkWidget& widget, std::function<void()> call)
      : then(std::move(call)), renderer(widget.renderer()) {
    vtkNew<vtkCallbackCommand> command;
    command->SetCallback(&RenderEnd::ended);
    command->SetClientData(this);
    tag = renderer->AddObserver(vtkCommand::EndEvent, command);
  }
  ~RenderEnd() { renderer->RemoveObserver(tag); }
  RenderEnd(const RenderEnd&) = delete;
  RenderEnd& operator=(const RenderEnd&) = delete;
};
}  // namespace

TEST_CASE("a scheduled frame is shown in a later pass, after the event loop ran", "[bridge]") {
  efm::ui::VtkWidget widget;
  showScene(widget);
  QTest::qWait(20);

  // At the end of the scene's Render() the frame is not on screen yet; a timer started
  // then fires before it is (the GUI thread does not wait for the rasterizer).
  long long shownAtRenderEnd = -1;
  bool timerRanFirst = false;
  RenderEnd end(widget, [&] {
    shownAtRenderEnd = widget.framesRendered();
    const long long shown = widget.framesRendered();
    QTimer::singleShot(0, &widget,
                       [&, shown] { timerRanFirst = widget.framesRendered() == shown; });
  });
  const long long before = widget.framesRendered();
  widget.renderer()->SetBackground(0, 1, 0);
  widget.scheduleRender();
  REQUIRE(QTest::qWaitFor([&] { return widget.framesRendered() > before; }, 5000));
  QApplication::processEvents();
  CHECK(shownAtRenderEnd == before);
  CHECK(timerRanFirst);
  QImage shown = onScreen(widget);
  const int w = shown.width(), h = shown.height();
  CHECK(isColor(shown.pixel(w / 2, h / 2), 255, 0, 0));
  CHECK(isColor(shown.pixel(2, 2), 0, 255, 0));
  CHECK(isColor(shown.pixel(w - 3, h - 3), 0, 255, 0));

  SECTION("a frame asked for while one is in flight follows it") {
    bool again = true;
    RenderEnd change(widget, [&] {
      if (!again) return;
      again = false;  // the scene changes once, while its first frame is in flight
      widget.renderer()->SetBackground(1, 1, 0);
      widget.scheduleRender();
    });
    const long long start = widget.framesRendered();
    widget.renderer()->SetBackground(0, 1, 1);
    widget.scheduleRender();
    REQUIRE(QTest::qWaitFor([&] { return widget.framesRendered() >= start + 2; }, 5000));
    QApplication::processEvents();
    shown = onScreen(widget);
    CHECK(isColor(shown.pixel(2, 2), 255, 255, 0));
    CHECK(isColor(shown.pixel(w / 2, h / 2), 255, 0, 0));
  }

  SECTION("a picture taken while a frame is in flight is exact, and the frame follows") {
    QImage picture;
    bool take = true;
    RenderEnd photograph(widget, [&] {
      if (!take) return;
      take = false;
      QTimer::singleShot(0, &widget, [&] { picture = widget.renderToImage(); });
    });
    const long long start = widget.framesRendered();
    widget.renderer()->SetBackground(1, 0, 1);
    widget.scheduleRender();
    REQUIRE(QTest::qWaitFor([&] { return !picture.isNull(); }, 5000));
    REQUIRE(QTest::qWaitFor([&] { return widget.framesRendered() > start; }, 5000));
    QApplication::processEvents();
    CHECK(isColor(picture.pixel(1, 1), 255, 0, 255));
    CHECK(isColor(picture.pixel(picture.width() / 2, picture.height() / 2), 255, 0, 0));
    shown = onScreen(widget);
    CHECK(isColor(shown.pixel(2, 2), 255, 0, 255));
  }
}

TEST_CASE("the first frame of a new view is prepared and drawn after its expose", "[bridge]") {
  efm::ui::VtkWidget widget;
  widget.resize(320, 240);
  buildScene(widget);
  int renders = 0;
  RenderEnd count(widget, [&] { ++renders; });
  // Preparing draws each prop in a renderer of its own: the scene's props stay unmodified
  // (VTK would upload their vertices again otherwise).
  vtkActor* square = widget.renderer()->GetActors()->GetLastActor();
  vtkNew<vtkTextActor> label;  // a second prop, away from the pixels checked below
  label->SetInput("first frame");
  label->SetDisplayPosition(100, 20);
  widget.renderer()->AddActor2D(label);
  const vtkMTimeType squareTime = square->GetMTime();
  // The first expose is handled inside the filter, so that what its handling drew is seen
  // as soon as it returns.
  int rendersAfterExpose = -1;
  long long framesAfterExpose = -1;
  bool preparedAfterExpose = true;
  auto* surface = qobject_cast<efm::ui::VtkSurface*>(widget.surface());
  REQUIRE(surface != nullptr);
  struct ExposeWatch : QObject {
    std::function<void()> after;
    bool seen = false;
    bool eventFilter(QObject* watched, QEvent* event) override {
      if (event->type() != QEvent::Expose || seen) return false;
      seen = true;
      static_cast<QObject*>(watched)->event(event);  // the surface's own handling
      after();
      return true;
    }
  } watch;
  watch.after = [&] {
    rendersAfterExpose = renders;
    framesAfterExpose = widget.framesRendered();
    preparedAfterExpose = surface->firstFramePrepared();
  };
  surface->installEventFilter(&watch);
  widget.show();
  REQUIRE(QTest::qWaitFor([&] { return widget.framesRendered() >= 1; }, 5000));
  QApplication::processEvents();
  // The expose itself drew nothing and prepared nothing: both came in later passes.
  CHECK(rendersAfterExpose == 0);
  CHECK(framesAfterExpose == 0);
  CHECK_FALSE(preparedAfterExpose);
  CHECK(renders == 1);  // preparing did not draw the scene
  CHECK(square->GetMTime() == squareTime);
  const QImage shown = onScreen(widget);
  const int w = shown.width(), h = shown.height();
  CHECK(isColor(shown.pixel(w / 2, h / 2), 255, 0, 0));
  CHECK(isColor(shown.pixel(2, 2), 0, 0, 255));

  SECTION("a picture of a view resized before its first frame has the new size") {
    // The window's back buffer keeps the size it had when the context was first made
    // current until a swap; pictures come from VTK's own framebuffer instead.
    efm::ui::VtkWidget resized;
    resized.resize(200, 150);
    buildScene(resized);
    resized.show();
    REQUIRE(QTest::qWaitForWindowExposed(&resized));
    REQUIRE(QTest::qWaitFor([&] { return resized.context() != nullptr; }, 5000));
    resized.resize(420, 300);
    checkFrame(resized);
  }

  SECTION("a picture taken before the first frame does not keep the frame away") {
    efm::ui::VtkWidget other;
    other.resize(320, 240);
    buildScene(other);
    other.show();
    REQUIRE(QTest::qWaitForWindowExposed(&other));
    checkFrame(other);  // a one-pass picture, before the prepared frame
    REQUIRE(QTest::qWaitFor([&] { return other.framesRendered() >= 1; }, 5000));
    QApplication::processEvents();
    CHECK(isColor(onScreen(other).pixel(2, 2), 0, 0, 255));
  }
}

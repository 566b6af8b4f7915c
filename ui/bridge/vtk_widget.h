#pragma once
// A Qt6 widget that hosts a VTK renderer. Debian's VTK Qt module is built against Qt5
// (docs/STACK.md, item 1), so the bridge is ours: VTK renders through a
// vtkGenericOpenGLRenderWindow into a native OpenGL window of its own (VtkSurface) that
// fills the widget, only when a frame is due, and Qt's mouse and wheel events are forwarded
// to a vtkGenericRenderWindowInteractor. All VTK calls happen on the GUI thread; a
// scheduled frame is composed into the window in a later pass (SplitFrameWindow).

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkNew.h>
#include <vtkRenderer.h>
#include <QWidget>

#include "bridge/first_frame_warm_up.h"
#include "bridge/split_frame_window.h"

class vtkInteractorObserver;
class vtkObject;
class QOpenGLContext;
class QWindow;

namespace efm::ui {

class VtkSurface;

class VtkWidget : public QWidget {
  Q_OBJECT
 public:
  explicit VtkWidget(QWidget* parent = nullptr);
  ~VtkWidget() override;

  vtkRenderer* renderer() const;
  vtkGenericOpenGLRenderWindow* renderWindow() const;
  vtkGenericRenderWindowInteractor* interactor() const;
  void setInteractorStyle(vtkInteractorObserver* style);

  // Resets the camera to show everything and schedules a frame.
  void resetCamera();
  // Asks for a frame; frames are coalesced and drawn from the event loop when on screen.
  void scheduleRender();
  // Draws and shows a frame now, if the widget is on screen.
  void renderNow();
  // Renders now (synchronously) and returns the frame at device-pixel resolution, also
  // when the widget is covered or in a hidden tab.
  QImage renderToImage();
  // A picture of `root` as on screen: QWidget::grab() with the frame of every visible VTK
  // view drawn in (grab() alone leaves their native windows out).
  static QImage grabWithViews(QWidget* root);
  // Progressive frames: a scene too heavy for one event-loop pass is drawn in parts, each
  // by one call (the first with erase true, later ones keeping what earlier ones drew in
  // colour and depth), and shown by showHiddenFrame() after the last. False when the
  // widget is not on screen, or a scheduled frame (a newer scene) is in flight.
  bool renderHidden(bool erase);
  // Whether the rasterizer has finished what renderHidden() drew: callers draw the next part
  // (and show the frame) only then, so that no event-loop pass waits for it.
  bool hiddenPartsRasterized();
  // False when nothing was shown (a scheduled frame, a newer scene, is in flight).
  bool showHiddenFrame();
  // The context VTK draws with (null before the first frame).
  QOpenGLContext* context() const;
  // The native window the frames are shown in (its input arrives at this widget).
  QWindow* surface() const;
  // Frames shown on screen since construction (for the frame-rate benchmark).
  long long framesRendered() const { return frames_; }

  // Format every VTK widget needs; must be set before the QApplication exists.
  static void installDefaultSurfaceFormat();

 Q_SIGNALS:
  // The user started or stopped moving the camera (views switch detail levels on these).
  void interactionStarted();
  void interactionEnded();
  // A frame was drawn and shown on screen (not for renderToImage or renderHidden).
  void frameShown();
  // renderToImage is about to draw, and has drawn: views show their exact scene in between.
  void aboutToRenderImage();
  void imageRendered();

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void enterEvent(QEnterEvent* event) override;
  void leaveEvent(QEvent* event) override;

  // Display coordinates of VTK (origin bottom left, device pixels) of a Qt position.
  QPoint toVtkDisplay(const QPointF& position) const;

 private:
  void render(bool deferCompose);
  void compose();
  QImage readFrame();
  bool prepare();
  void initializeContext();
  void updateSize();
  void finalizeContext();
  void forwardModifiers(Qt::KeyboardModifiers modifiers, const QPoint& display);
  static void onMakeCurrent(vtkObject*, unsigned long, void* self, void*);
  static void onIsCurrent(vtkObject*, unsigned long, void* self, void* callData);
  static void onRenderRequest(vtkObject*, unsigned long, void* self, void*);
  static void onInteraction(vtkObject*, unsigned long event, void* self, void*);
  void observeStyle(vtkInteractorObserver* style);

  vtkNew<SplitFrameWindow> window_;
  vtkNew<vtkGenericRenderWindowInteractor> interactor_;
  vtkNew<vtkRenderer> renderer_;
  VtkSurface* surface_ = nullptr;  // owned by its window container, a child of this widget
  QWidget* container_ = nullptr;
  bool initialized_ = false;
  FirstFrameWarmUp warmUp_;
  long long frames_ = 0;
};

}  // namespace efm::ui

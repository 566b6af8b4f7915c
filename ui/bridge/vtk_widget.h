#pragma once
// A Qt6 QOpenGLWidget that hosts a VTK renderer. Debian's VTK Qt module is built against
// Qt5 (docs/STACK.md, item 1), so the bridge is ours: VTK renders through a
// vtkGenericOpenGLRenderWindow into the widget's framebuffer object, only inside paintGL,
// and Qt's mouse and wheel events are forwarded to a vtkGenericRenderWindowInteractor.
// All VTK calls happen on the GUI thread.

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkNew.h>
#include <vtkRenderer.h>
#include <QOpenGLWidget>

class vtkInteractorObserver;
class vtkObject;

namespace efm::ui {

class VtkWidget : public QOpenGLWidget {
  Q_OBJECT
 public:
  explicit VtkWidget(QWidget* parent = nullptr);
  ~VtkWidget() override;

  vtkRenderer* renderer() const;
  vtkGenericOpenGLRenderWindow* renderWindow() const;
  vtkGenericRenderWindowInteractor* interactor() const;
  void setInteractorStyle(vtkInteractorObserver* style);

  // Resets the camera to show everything and schedules a repaint.
  void resetCamera();
  // Renders now (synchronously) and returns the frame at device-pixel resolution.
  QImage renderToImage();
  // Frames rendered since construction (for the FPS benchmark).
  long long framesRendered() const { return frames_; }

  // Format every VTK widget needs; must be set before the QApplication exists.
  static void installDefaultSurfaceFormat();

 Q_SIGNALS:
  // The user started or stopped moving the camera (views switch detail levels on these).
  void interactionStarted();
  void interactionEnded();

 protected:
  void initializeGL() override;
  void resizeGL(int w, int h) override;
  void paintGL() override;
  bool event(QEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void enterEvent(QEnterEvent* event) override;
  void leaveEvent(QEvent* event) override;

  // Display coordinates of VTK (origin bottom left, device pixels) of a Qt position.
  QPoint toVtkDisplay(const QPointF& position) const;

 private:
  void updateSize();
  void finalizeContext();
  void forwardModifiers(Qt::KeyboardModifiers modifiers, const QPoint& display);
  static void onMakeCurrent(vtkObject*, unsigned long, void* self, void*);
  static void onIsCurrent(vtkObject*, unsigned long, void* self, void* callData);
  static void onRenderRequest(vtkObject*, unsigned long, void* self, void*);
  static void onInteraction(vtkObject*, unsigned long event, void* self, void*);
  void observeStyle(vtkInteractorObserver* style);

  vtkNew<vtkGenericOpenGLRenderWindow> window_;
  vtkNew<vtkGenericRenderWindowInteractor> interactor_;
  vtkNew<vtkRenderer> renderer_;
  QMetaObject::Connection contextDestroyed_;
  bool initialized_ = false;
  long long frames_ = 0;
};

}  // namespace efm::ui

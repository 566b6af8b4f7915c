// GLEW (through VTK) must come before any gl.h that Qt pulls in.
#include <vtkOpenGLState.h>
#include <vtk_glew.h>

#include "vtk_widget.h"

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkInteractorObserver.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <QEnterEvent>
#include <QImage>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QSurfaceFormat>
#include <QWheelEvent>

namespace efm::ui {

namespace {
void observe(vtkObject* subject, unsigned long event,
             void (*callback)(vtkObject*, unsigned long, void*, void*), void* self) {
  vtkNew<vtkCallbackCommand> command;
  command->SetCallback(callback);
  command->SetClientData(self);
  subject->AddObserver(event, command);
}
}  // namespace

void VtkWidget::installDefaultSurfaceFormat() {
  // VTK 9.1 needs a 3.2 core profile with a depth buffer; multisampling happens in VTK's
  // own framebuffer (docs/STACK.md, item 1).
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  format.setSamples(0);
  format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
  QSurfaceFormat::setDefaultFormat(format);
}

VtkWidget::VtkWidget(QWidget* parent) : QOpenGLWidget(parent) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(160, 120);

  window_->SetMultiSamples(0);
  window_->AddRenderer(renderer_);
  window_->SetInteractor(interactor_);
  interactor_->SetRenderWindow(window_);
  // VTK draws only inside paintGL: its own render requests become QWidget::update().
  interactor_->EnableRenderOff();
  vtkNew<vtkInteractorStyleTrackballCamera> style;
  interactor_->SetInteractorStyle(style);
  observeStyle(style);

  observe(interactor_, vtkCommand::RenderEvent, &VtkWidget::onRenderRequest, this);
  observe(window_, vtkCommand::WindowMakeCurrentEvent, &VtkWidget::onMakeCurrent, this);
  observe(window_, vtkCommand::WindowIsCurrentEvent, &VtkWidget::onIsCurrent, this);
  renderer_->SetBackground(1.0, 1.0, 1.0);
}

VtkWidget::~VtkWidget() {
  // The context outlives this object only if nobody listens any more (docs/STACK.md, item 1).
  QObject::disconnect(contextDestroyed_);
  finalizeContext();
}

vtkRenderer* VtkWidget::renderer() const { return renderer_.Get(); }
vtkGenericOpenGLRenderWindow* VtkWidget::renderWindow() const { return window_.Get(); }
vtkGenericRenderWindowInteractor* VtkWidget::interactor() const { return interactor_.Get(); }

void VtkWidget::setInteractorStyle(vtkInteractorObserver* style) {
  interactor_->SetInteractorStyle(style);
  observeStyle(style);
}

void VtkWidget::observeStyle(vtkInteractorObserver* style) {
  observe(style, vtkCommand::StartInteractionEvent, &VtkWidget::onInteraction, this);
  observe(style, vtkCommand::EndInteractionEvent, &VtkWidget::onInteraction, this);
}

void VtkWidget::onInteraction(vtkObject*, unsigned long event, void* self, void*) {
  auto* widget = static_cast<VtkWidget*>(self);
  if (event == vtkCommand::StartInteractionEvent)
    Q_EMIT widget->interactionStarted();
  else
    Q_EMIT widget->interactionEnded();
}

void VtkWidget::resetCamera() {
  renderer_->ResetCamera();
  update();
}

QImage VtkWidget::renderToImage() {
  QImage image = grabFramebuffer();
  return image;
}

void VtkWidget::initializeGL() {
  window_->SetOwnContext(0);
  window_->OpenGLInitContext();
  window_->SetReadyForRendering(true);
  updateSize();
  interactor_->Initialize();
  initialized_ = true;
  contextDestroyed_ =
      connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] { finalizeContext(); });
}

void VtkWidget::finalizeContext() {
  if (!initialized_) return;
  initialized_ = false;
  makeCurrent();
  window_->Finalize();
  window_->SetReadyForRendering(false);
  doneCurrent();
}

void VtkWidget::updateSize() {
  const double ratio = devicePixelRatioF();
  const int w = qRound(width() * ratio), h = qRound(height() * ratio);
  int* current = window_->GetSize();
  if (current[0] != w || current[1] != h) {
    window_->SetSize(w, h);
    interactor_->SetSize(w, h);
    interactor_->InvokeEvent(vtkCommand::ConfigureEvent);
  }
}

void VtkWidget::resizeGL(int, int) { updateSize(); }

void VtkWidget::paintGL() {
  if (!initialized_) return;
  updateSize();  // a change of the device pixel ratio does not call resizeGL
  vtkOpenGLState* state = window_->GetState();
  state->Reset();
  state->Push();
  state->vtkglDepthFunc(GL_LEQUAL);
  window_->Render();
  state->Pop();
  ++frames_;
}

bool VtkWidget::event(QEvent* event) {
  if (event->type() == QEvent::ScreenChangeInternal) update();
  return QOpenGLWidget::event(event);
}

QPoint VtkWidget::toVtkDisplay(const QPointF& position) const {
  const double ratio = devicePixelRatioF();
  const int h = qRound(height() * ratio);
  return QPoint(qRound(position.x() * ratio), h - qRound(position.y() * ratio) - 1);
}

void VtkWidget::forwardModifiers(Qt::KeyboardModifiers modifiers, const QPoint& display) {
  interactor_->SetEventInformation(display.x(), display.y(),
                                   modifiers.testFlag(Qt::ControlModifier) ? 1 : 0,
                                   modifiers.testFlag(Qt::ShiftModifier) ? 1 : 0);
  interactor_->SetAltKey(modifiers.testFlag(Qt::AltModifier) ? 1 : 0);
}

void VtkWidget::mousePressEvent(QMouseEvent* event) {
  forwardModifiers(event->modifiers(), toVtkDisplay(event->position()));
  switch (event->button()) {
    case Qt::LeftButton:
      interactor_->InvokeEvent(vtkCommand::LeftButtonPressEvent);
      break;
    case Qt::MiddleButton:
      interactor_->InvokeEvent(vtkCommand::MiddleButtonPressEvent);
      break;
    case Qt::RightButton:
      interactor_->InvokeEvent(vtkCommand::RightButtonPressEvent);
      break;
    default:
      break;
  }
}

void VtkWidget::mouseReleaseEvent(QMouseEvent* event) {
  forwardModifiers(event->modifiers(), toVtkDisplay(event->position()));
  switch (event->button()) {
    case Qt::LeftButton:
      interactor_->InvokeEvent(vtkCommand::LeftButtonReleaseEvent);
      break;
    case Qt::MiddleButton:
      interactor_->InvokeEvent(vtkCommand::MiddleButtonReleaseEvent);
      break;
    case Qt::RightButton:
      interactor_->InvokeEvent(vtkCommand::RightButtonReleaseEvent);
      break;
    default:
      break;
  }
}

void VtkWidget::mouseMoveEvent(QMouseEvent* event) {
  forwardModifiers(event->modifiers(), toVtkDisplay(event->position()));
  interactor_->InvokeEvent(vtkCommand::MouseMoveEvent);
}

void VtkWidget::wheelEvent(QWheelEvent* event) {
  forwardModifiers(event->modifiers(), toVtkDisplay(event->position()));
  const int delta = event->angleDelta().y();
  if (delta > 0) interactor_->InvokeEvent(vtkCommand::MouseWheelForwardEvent);
  if (delta < 0) interactor_->InvokeEvent(vtkCommand::MouseWheelBackwardEvent);
}

void VtkWidget::enterEvent(QEnterEvent* event) {
  forwardModifiers(event->modifiers(), toVtkDisplay(event->position()));
  interactor_->InvokeEvent(vtkCommand::EnterEvent);
}

void VtkWidget::leaveEvent(QEvent*) { interactor_->InvokeEvent(vtkCommand::LeaveEvent); }

void VtkWidget::onMakeCurrent(vtkObject*, unsigned long, void* self, void*) {
  // Not QOpenGLWidget::makeCurrent(): that would rebind Qt's framebuffer behind VTK's state
  // cache and leave the widget black (docs/STACK.md, item 1).
  auto* widget = static_cast<VtkWidget*>(self);
  if (QOpenGLContext* context = widget->context()) context->makeCurrent(context->surface());
}

void VtkWidget::onIsCurrent(vtkObject*, unsigned long, void* self, void* callData) {
  auto* widget = static_cast<VtkWidget*>(self);
  *static_cast<bool*>(callData) =
      widget->context() != nullptr && QOpenGLContext::currentContext() == widget->context();
}

void VtkWidget::onRenderRequest(vtkObject*, unsigned long, void* self, void*) {
  static_cast<VtkWidget*>(self)->update();
}

}  // namespace efm::ui

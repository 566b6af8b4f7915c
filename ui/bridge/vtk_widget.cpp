// GLEW (through VTK) must come before any gl.h that Qt pulls in.
#include <vtkOpenGLState.h>
#include <vtk_glew.h>

#include "vtk_widget.h"

#include "split_frame_window.h"
#include "vtk_surface.h"

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkInteractorObserver.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkUnsignedCharArray.h>
#include <QEnterEvent>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QSurfaceFormat>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <cstring>
#include <functional>

namespace efm::ui {

namespace {
void observe(vtkObject* subject, unsigned long event,
             void (*callback)(vtkObject*, unsigned long, void*, void*), void* self) {
  vtkNew<vtkCallbackCommand> command;
  command->SetCallback(callback);
  command->SetClientData(self);
  subject->AddObserver(event, command);
}

// Runs `draw` with VTK's cached OpenGL state reset (Qt's own drawing bypasses the cache) and
// pushed, then restores it.
void inVtkState(vtkOpenGLRenderWindow* window, const std::function<void(vtkOpenGLState*)>& draw) {
  vtkOpenGLState* state = window->GetState();
  state->Reset();
  state->Push();
  draw(state);
  state->Pop();
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

VtkWidget::VtkWidget(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(160, 120);
  surface_ = new VtkSurface(
      {[this](bool deferCompose) { render(deferCompose); }, [this] { compose(); },
       [this] { return readFrame(); }, [this] { return prepare(); }, [this] { finalizeContext(); }},
      this);
  container_ = QWidget::createWindowContainer(surface_, this);
  container_->setFocusPolicy(Qt::NoFocus);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(container_);
  connect(surface_, &VtkSurface::frameSwapped, this, [this] {
    ++frames_;
    Q_EMIT frameShown();
  });

  window_->SetMultiSamples(0);
  window_->AddRenderer(renderer_);
  window_->SetInteractor(interactor_);
  interactor_->SetRenderWindow(window_);
  // VTK draws only when the surface asks: its own render requests become scheduled frames.
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
  // VTK's objects in the context go first, then the surface with its container, while this
  // widget (the surface's input and render callbacks) is still whole.
  surface_->releaseContext();
  delete container_;
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
  scheduleRender();
}

void VtkWidget::scheduleRender() { surface_->scheduleFrame(); }

void VtkWidget::renderNow() { surface_->frameNow(); }

QOpenGLContext* VtkWidget::context() const { return surface_->context(); }

QWindow* VtkWidget::surface() const { return surface_; }

QImage VtkWidget::renderToImage() {
  // A widget never shown has not passed its size to the surface yet.
  if (surface_->size() != size()) surface_->resize(size());
  Q_EMIT aboutToRenderImage();
  QImage image = surface_->renderToImage();
  Q_EMIT imageRendered();
  return image;
}

QImage VtkWidget::grabWithViews(QWidget* root) {
  QImage image = root->grab().toImage();
  QPainter painter(&image);
  for (VtkWidget* view : root->findChildren<VtkWidget*>()) {
    if (!view->isVisible() || view->visibleRegion().isEmpty()) continue;
    painter.save();
    const QPoint at = view->mapTo(root, QPoint(0, 0));
    painter.setClipRegion(view->visibleRegion().translated(at));
    painter.drawImage(QRect(at, view->size()), view->renderToImage());
    painter.restore();
  }
  return image;
}

bool VtkWidget::renderHidden(bool erase) {
  renderer_->SetErase(erase);
  renderer_->SetPreserveColorBuffer(!erase);
  renderer_->SetPreserveDepthBuffer(!erase);
  const bool drawn = surface_->drawHidden();
  renderer_->SetErase(true);
  renderer_->SetPreserveColorBuffer(false);
  renderer_->SetPreserveDepthBuffer(false);
  return drawn;
}

bool VtkWidget::hiddenPartsRasterized() { return surface_->hiddenPartsRasterized(); }

bool VtkWidget::showHiddenFrame() { return surface_->present(); }

void VtkWidget::initializeContext() {
  window_->SetOwnContext(0);
  window_->OpenGLInitContext();
  window_->SetReadyForRendering(true);
  updateSize();
  interactor_->Initialize();
  initialized_ = true;
  warmUp_.reset();
}

// Runs with the context current, just before it goes away.
void VtkWidget::finalizeContext() {
  if (!initialized_) return;
  initialized_ = false;
  window_->Finalize();
  window_->SetReadyForRendering(false);
}

void VtkWidget::updateSize() {
  const double ratio = surface_->devicePixelRatio();
  const int w = qRound(width() * ratio), h = qRound(height() * ratio);
  int* current = window_->GetSize();
  if (current[0] != w || current[1] != h) {
    window_->SetSize(w, h);
    interactor_->SetSize(w, h);
    interactor_->InvokeEvent(vtkCommand::ConfigureEvent);
  }
}

// Called by the surface with its context current and the default framebuffer bound.
void VtkWidget::render(bool deferCompose) {
  if (!initialized_) initializeContext();
  updateSize();
  inVtkState(window_, [&](vtkOpenGLState* state) {
    state->vtkglDepthFunc(GL_LEQUAL);
    if (deferCompose)
      window_->renderWithoutCompose();
    else
      window_->Render();
  });
}

// The last frame rendered, from VTK's render framebuffer; as render() is called.
QImage VtkWidget::readFrame() {
  const int width = window_->GetSize()[0], height = window_->GetSize()[1];
  vtkNew<vtkUnsignedCharArray> pixels;
  inVtkState(window_, [&](vtkOpenGLState*) {
    window_->GetRGBACharPixelData(0, 0, width - 1, height - 1, /*front=*/0, pixels);
  });
  QImage image(width, height, QImage::Format_RGBA8888);
  const unsigned char* rows = pixels->GetPointer(0);
  for (int y = 0; y < height; ++y)  // OpenGL's rows start at the bottom
    std::memcpy(image.scanLine(height - 1 - y), rows + size_t(y) * size_t(width) * 4,
                size_t(width) * 4);
  return image.convertToFormat(QImage::Format_RGB32);
}

// A step of a first frame's preparation (FirstFrameWarmUp); as render() is called.
bool VtkWidget::prepare() {
  if (!initialized_) initializeContext();
  updateSize();
  bool ready = false;
  inVtkState(window_, [&](vtkOpenGLState* state) {
    state->Initialize(window_);  // as VTK's Start() does first, for a context it does not own
    ready = warmUp_.step(window_, renderer_);
  });
  return ready;
}

// The second step of a frame rendered with deferCompose; as render() is called.
void VtkWidget::compose() {
  if (!initialized_) return;
  inVtkState(window_, [&](vtkOpenGLState*) { window_->composeFrame(); });
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
  setFocus(Qt::MouseFocusReason);  // the surface itself never takes keyboard focus
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
  static_cast<VtkWidget*>(self)->surface_->makeCurrent();
}

void VtkWidget::onIsCurrent(vtkObject*, unsigned long, void* self, void* callData) {
  *static_cast<bool*>(callData) = static_cast<VtkWidget*>(self)->surface_->isCurrent();
}

void VtkWidget::onRenderRequest(vtkObject*, unsigned long, void* self, void*) {
  static_cast<VtkWidget*>(self)->scheduleRender();
}

}  // namespace efm::ui

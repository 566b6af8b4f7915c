#include "vtk_surface.h"

#include <QCoreApplication>
#include <QExposeEvent>
#include <QImage>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QPlatformSurfaceEvent>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <utility>

namespace efm::ui {

namespace {
// When the last drawing pass of any surface ended (all surfaces live on the GUI thread).
std::chrono::steady_clock::time_point lastPassEnd;
}  // namespace

int VtkSurface::msUntilNextPass() {
  using std::chrono::milliseconds;
  const auto left = milliseconds(kPassGapMs) - (std::chrono::steady_clock::now() - lastPassEnd);
  return int(std::max<milliseconds::rep>(0, std::chrono::ceil<milliseconds>(left).count()));
}

void VtkSurface::passEnded() { lastPassEnd = std::chrono::steady_clock::now(); }

VtkSurface::VtkSurface(Callbacks callbacks, QObject* input)
    : callbacks_(std::move(callbacks)), input_(input) {
  setSurfaceType(QSurface::OpenGLSurface);
  setFormat(QSurfaceFormat::defaultFormat());
  // Keyboard focus stays with the widgets; the hosting widget takes focus on a click.
  setFlag(Qt::WindowDoesNotAcceptFocus);
  paced_ = new QTimer(this);
  paced_->setObjectName("pacer");  // named for stall reports (efm_bench_studio)
  paced_->setSingleShot(true);
  paced_->setTimerType(Qt::PreciseTimer);
  connect(paced_, &QTimer::timeout, this, &VtkSurface::scheduledFrameDue);
  composer_ = new QTimer(this);
  composer_->setObjectName("composer");  // named for stall reports (efm_bench_studio)
  composer_->setSingleShot(true);
  composer_->setTimerType(Qt::PreciseTimer);
  connect(composer_, &QTimer::timeout, this, &VtkSurface::finishFrame);
  preparer_ = new QTimer(this);
  preparer_->setObjectName("preparer");  // named for stall reports (efm_bench_studio)
  preparer_->setSingleShot(true);
  connect(preparer_, &QTimer::timeout, this, &VtkSurface::prepareFirstFrame);
}

VtkSurface::~VtkSurface() { releaseContext(); }

QSize VtkSurface::pixelSize() const {
  const double ratio = devicePixelRatio();
  return {qRound(width() * ratio), qRound(height() * ratio)};
}

bool VtkSurface::makeCurrent() {
  if (contextFailed_) return false;  // said once; every frame would say it again
  if (!handle()) create();
  if (!context_) {
    context_ = new QOpenGLContext(this);
    context_->setFormat(format());
    if (!context_->create()) {
      qWarning(
          "efm-studio: cannot create an OpenGL %d.%d context for a 3-D view; the view "
          "stays empty (docs/STACK.md, item 3)",
          format().majorVersion(), format().minorVersion());
      delete context_;
      context_ = nullptr;
      contextFailed_ = true;
      return false;
    }
  }
  return context_->makeCurrent(this);
}

bool VtkSurface::isCurrent() const {
  return context_ != nullptr && QOpenGLContext::currentContext() == context_;
}

void VtkSurface::releaseContext() {
  if (!context_) return;
  if (handle() && context_->makeCurrent(this)) {
    dropFrameInFlight();
    dropFence(partsFence_);
    callbacks_.aboutToLoseContext();
    context_->doneCurrent();
  }
  delete context_;
  context_ = nullptr;
  prepared_ = false;
}

void VtkSurface::scheduleFrame() {
  if (pending_) return;
  pending_ = true;
  requestUpdate();
}

void VtkSurface::frameNow() {
  pending_ = false;
  paced_->stop();
  if (isExposed()) drawAndSwap();
}

// An UpdateRequest or the pacing timer: a scheduled frame may start.
void VtkSurface::scheduledFrameDue() {
  // Not pending: frameNow() drew the frame already since it was asked for. In flight: the
  // frame starts when the one before is shown.
  // Not prepared: the first frame starts when its preparation is done.
  if (!pending_ || inFlight_ || !prepared_) return;
  if (const int wait = msUntilNextPass(); wait > 0)
    paced_->start(wait);  // another surface drew meanwhile, or the timer was early
  else
    startFrame();
}

void VtkSurface::drawAndSwap() {
  if (pixelSize().isEmpty() || !makeCurrent()) return;
  dropFrameInFlight();
  callbacks_.render(false);
  prepared_ = true;  // a frame drawn in one pass prepared everything on the way
  context_->swapBuffers(this);
  passEnded();
  Q_EMIT frameSwapped();
}

void VtkSurface::startFrame() {
  pending_ = false;
  if (!isExposed() || pixelSize().isEmpty() || !makeCurrent()) return;
  callbacks_.render(true);
  inFlight_ = fenceAndFlush();
  inFlightSize_ = pixelSize();
  passEnded();
  if (inFlight_)
    composer_->start(kComposePollMs);
  else
    composeAndShow();  // no fence: compose at once, as a one-pass frame would
}

void VtkSurface::finishFrame() {
  if (!inFlight_) return;
  if (!isExposed() || pixelSize() != inFlightSize_ || !makeCurrent()) {
    dropFrameInFlight();  // hidden or resized meanwhile: the frame is drawn again
    pending_ = true;
    requestUpdate();
    return;
  }
  QOpenGLExtraFunctions* gl = context_->extraFunctions();
  if (gl->glClientWaitSync(static_cast<GLsync>(inFlight_), 0, 0) == GL_TIMEOUT_EXPIRED) {
    composer_->start(kComposePollMs);
    return;
  }
  dropFrameInFlight();
  composeAndShow();
  if (pending_) requestUpdate();  // asked for while this one was in flight
}

// With the context current: a fence after everything drawn so far, and a flush, so the
// rasterizer starts now rather than when the fence is first asked.
void* VtkSurface::fenceAndFlush() {
  QOpenGLExtraFunctions* gl = context_->extraFunctions();
  GLsync fence = gl->glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
  gl->glFlush();
  return fence;
}

// With the context current: the last frame rendered goes into the window and is shown.
void VtkSurface::composeAndShow() {
  callbacks_.compose();
  context_->swapBuffers(this);
  passEnded();
  Q_EMIT frameSwapped();
}

void VtkSurface::dropFrameInFlight() {
  composer_->stop();
  dropFence(inFlight_);
}

// A fence belongs to this surface's context: it is made current to delete it.
void VtkSurface::dropFence(void*& fence) {
  if (!fence) return;
  if (makeCurrent()) context_->extraFunctions()->glDeleteSync(static_cast<GLsync>(fence));
  fence = nullptr;
}

bool VtkSurface::drawHidden() {
  // A frame in flight has a newer scene: the parts drawn so far are out of date.
  if (inFlight_ || !prepared_ || !isExposed() || pixelSize().isEmpty() || !makeCurrent())
    return false;
  callbacks_.render(true);  // the parts stay in VTK's framebuffer until present()
  dropFence(partsFence_);
  partsFence_ = fenceAndFlush();
  passEnded();
  return true;
}

bool VtkSurface::hiddenPartsRasterized() {
  if (!partsFence_) return true;
  if (!makeCurrent()) return true;
  if (context_->extraFunctions()->glClientWaitSync(static_cast<GLsync>(partsFence_), 0, 0) ==
      GL_TIMEOUT_EXPIRED)
    return false;
  dropFence(partsFence_);
  return true;
}

bool VtkSurface::present() {
  if (inFlight_ || !isExposed() || !makeCurrent()) return false;
  dropFence(partsFence_);
  callbacks_.compose();
  context_->swapBuffers(this);
  passEnded();  // the swap of a software renderer copies the frame: part of the pass
  return true;
}

QImage VtkSurface::renderToImage() {
  if (pixelSize().isEmpty() || !makeCurrent()) return {};
  if (inFlight_) {  // VTK's framebuffer is about to hold the picture: draw that frame again
    dropFrameInFlight();
    pending_ = true;
    requestUpdate();
  }
  // Read from the renderer's own framebuffer, not the window's back buffer: that one keeps
  // the size the window had when it was last shown (Mesa revalidates it on a swap), and a
  // view resized but not yet shown would be read at the wrong size.
  callbacks_.render(true);
  prepared_ = true;
  QImage image = callbacks_.read();
  image.setDevicePixelRatio(devicePixelRatio());
  passEnded();
  return image;
}

void VtkSurface::exposeEvent(QExposeEvent*) {
  if (!isExposed()) return;
  if (prepared_) {
    frameNow();
  } else if (!preparer_->isActive()) {
    preparer_->start(msUntilNextPass());  // the frame is scheduled when it is prepared
  }
}

void VtkSurface::prepareFirstFrame() {
  if (!isExposed()) return;  // hidden meanwhile: the next expose prepares
  if (!prepared_) {          // a picture taken since the expose prepared everything already
    if (const int wait = msUntilNextPass(); wait > 0) {
      preparer_->start(wait);
      return;
    }
    const bool creating = context_ == nullptr;  // the context's creation is a step of its own
    if (pixelSize().isEmpty() || !makeCurrent()) return;
    prepared_ = !creating && callbacks_.prepare();
    passEnded();
    if (!prepared_) {
      preparer_->start(kPassGapMs);
      return;
    }
  }
  pending_ = true;  // also when a frame was asked for before: it waited for this
  requestUpdate();
}

bool VtkSurface::event(QEvent* event) {
  switch (event->type()) {
    case QEvent::UpdateRequest:
      scheduledFrameDue();
      return true;
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::Enter:
    case QEvent::Leave:
      QCoreApplication::sendEvent(input_, event);
      return true;
    case QEvent::PlatformSurface:
      if (static_cast<QPlatformSurfaceEvent*>(event)->surfaceEventType() ==
          QPlatformSurfaceEvent::SurfaceAboutToBeDestroyed)
        releaseContext();
      break;
    default:
      break;
  }
  return QWindow::event(event);
}

}  // namespace efm::ui

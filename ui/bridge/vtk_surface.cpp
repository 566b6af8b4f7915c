#include "vtk_surface.h"

#include <QCoreApplication>
#include <QExposeEvent>
#include <QImage>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
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

VtkSurface::VtkSurface(std::function<void()> render, QObject* input,
                       std::function<void()> aboutToLoseContext)
    : render_(std::move(render)),
      input_(input),
      aboutToLoseContext_(std::move(aboutToLoseContext)) {
  setSurfaceType(QSurface::OpenGLSurface);
  setFormat(QSurfaceFormat::defaultFormat());
  // Keyboard focus stays with the widgets; the hosting widget takes focus on a click.
  setFlag(Qt::WindowDoesNotAcceptFocus);
  paced_ = new QTimer(this);
  paced_->setSingleShot(true);
  paced_->setTimerType(Qt::PreciseTimer);
  connect(paced_, &QTimer::timeout, this, [this] {
    if (!pending_) return;
    if (const int wait = msUntilNextPass(); wait > 0)
      paced_->start(wait);  // another surface drew meanwhile, or the timer was early
    else
      frameNow();
  });
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
    aboutToLoseContext_();
    context_->doneCurrent();
  }
  delete context_;
  context_ = nullptr;
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

void VtkSurface::drawAndSwap() {
  if (pixelSize().isEmpty() || !makeCurrent()) return;
  render_();
  context_->swapBuffers(this);
  passEnded();
  Q_EMIT frameSwapped();
}

bool VtkSurface::drawHidden() {
  if (!isExposed() || pixelSize().isEmpty() || !makeCurrent()) return false;
  render_();
  passEnded();
  return true;
}

void VtkSurface::present() {
  if (!isExposed() || !makeCurrent()) return;
  context_->swapBuffers(this);
  passEnded();  // the swap of a software renderer copies the frame: part of the pass
}

QImage VtkSurface::renderToImage() {
  const QSize size = pixelSize();
  if (size.isEmpty() || !makeCurrent()) return {};
  render_();
  // VTK blitted its frame into the back buffer of the default framebuffer, still bound.
  QImage image(size, QImage::Format_RGBA8888);
  QOpenGLFunctions* gl = context_->functions();
  gl->glPixelStorei(GL_PACK_ALIGNMENT, 4);
  gl->glReadPixels(0, 0, size.width(), size.height(), GL_RGBA, GL_UNSIGNED_BYTE, image.bits());
  image = std::move(image).mirrored();  // OpenGL's rows start at the bottom
  image = std::move(image).convertToFormat(QImage::Format_RGB32);
  image.setDevicePixelRatio(devicePixelRatio());
  passEnded();
  return image;
}

void VtkSurface::exposeEvent(QExposeEvent*) {
  if (isExposed()) frameNow();
}

bool VtkSurface::event(QEvent* event) {
  switch (event->type()) {
    case QEvent::UpdateRequest:
      // Not pending: frameNow() drew the frame already since it was asked for.
      if (!pending_) return true;
      if (const int wait = msUntilNextPass(); wait > 0)
        paced_->start(wait);
      else
        frameNow();
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

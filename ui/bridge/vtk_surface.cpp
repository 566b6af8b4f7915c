#include "vtk_surface.h"

#include <QCoreApplication>
#include <QExposeEvent>
#include <QImage>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QPlatformSurfaceEvent>
#include <utility>

namespace efm::ui {

VtkSurface::VtkSurface(std::function<void()> render, QObject* input,
                       std::function<void()> aboutToLoseContext)
    : render_(std::move(render)),
      input_(input),
      aboutToLoseContext_(std::move(aboutToLoseContext)) {
  setSurfaceType(QSurface::OpenGLSurface);
  setFormat(QSurfaceFormat::defaultFormat());
  // Keyboard focus stays with the widgets; the hosting widget takes focus on a click.
  setFlag(Qt::WindowDoesNotAcceptFocus);
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
  if (isExposed()) drawAndSwap();
}

void VtkSurface::drawAndSwap() {
  if (pixelSize().isEmpty() || !makeCurrent()) return;
  render_();
  context_->swapBuffers(this);
  Q_EMIT frameSwapped();
}

bool VtkSurface::drawHidden() {
  if (!isExposed() || pixelSize().isEmpty() || !makeCurrent()) return false;
  render_();
  return true;
}

void VtkSurface::present() {
  if (isExposed() && makeCurrent()) context_->swapBuffers(this);
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
  return image;
}

void VtkSurface::exposeEvent(QExposeEvent*) {
  if (isExposed()) frameNow();
}

bool VtkSurface::event(QEvent* event) {
  switch (event->type()) {
    case QEvent::UpdateRequest:
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

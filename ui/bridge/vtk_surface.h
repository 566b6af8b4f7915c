#pragma once
// The native OpenGL window a VtkWidget shows its VTK frames in (docs/STACK.md, item 1).
// A QOpenGLWidget would make Qt compose the whole main window through OpenGL on every
// repaint of any widget; under a software renderer that composition took 45-60 ms per
// progress update (docs/PERFORMANCE.md, "The studio"). A window of its own is drawn only
// when its scene changes, and the widgets around it keep Qt's raster backing store.
//
// The surface owns the OpenGL context; the VtkWidget that hosts it renders through the
// callbacks below and receives every mouse event the window gets, so event filters and
// tests see the widget as the one place where input arrives.

#include <QWindow>
#include <functional>

class QOpenGLContext;
class QTimer;

namespace efm::ui {

class VtkSurface : public QWindow {
  Q_OBJECT
 public:
  // `render` draws a frame into the current context's default framebuffer; `input`
  // receives mouse, wheel, enter and leave events; `aboutToLoseContext` runs with the
  // context current, before the context or the native window goes away.
  VtkSurface(std::function<void()> render, QObject* input,
             std::function<void()> aboutToLoseContext);
  ~VtkSurface() override;

  // Draws a frame when the window is on screen (coalesced, at most one per event-loop pass),
  // no sooner than kPassGapMs after the last drawing pass of any surface ended.
  void scheduleFrame();
  // Drawing passes (frames, hidden parts of a frame) of all surfaces are kept this far
  // apart, so that between two of them the event loop always gets to run: under a software
  // renderer a pass takes 15-50 ms, and two back to back held input and timers up to twice
  // as long (docs/PERFORMANCE.md, "The studio"). Scheduled work asks msUntilNextPass().
  static constexpr int kPassGapMs = 4;
  // Milliseconds until the next pass may start (0: now).
  static int msUntilNextPass();
  // Draws a frame now and shows it, if the window is on screen.
  void frameNow();
  // Draws a frame now, without showing it, and returns it (device pixels); also works for
  // a window that is hidden (a tab behind another), so pictures never depend on stacking.
  QImage renderToImage();
  // Draws a frame into the back buffer without showing it (false: nothing on screen);
  // present() then shows the last one drawn. For frames drawn in several parts.
  bool drawHidden();
  void present();

  // Makes the context current on this window, creating both on first use. False when the
  // context cannot be created (no OpenGL 3.2).
  bool makeCurrent();
  bool isCurrent() const;
  QOpenGLContext* context() const { return context_; }
  // Releases the context (and VTK's objects in it, through aboutToLoseContext).
  void releaseContext();

 Q_SIGNALS:
  // A frame was drawn and shown on screen (not for renderToImage or drawHidden).
  void frameSwapped();

 protected:
  bool event(QEvent* event) override;
  void exposeEvent(QExposeEvent* event) override;

 private:
  QSize pixelSize() const;
  void drawAndSwap();
  static void passEnded();

  std::function<void()> render_;
  QObject* input_;
  std::function<void()> aboutToLoseContext_;
  QOpenGLContext* context_ = nullptr;
  bool contextFailed_ = false;
  bool pending_ = false;
  QTimer* paced_;  // a scheduled frame that waits for kPassGapMs
};

}  // namespace efm::ui

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
  // What the hosting widget does for the surface, each with the context current:
  // `render(false)` draws a frame into the default framebuffer; `render(true)` draws it only
  // as far as the renderer's own framebuffer, and `compose` later copies that into the
  // default one; `read` returns the last frame rendered, from the renderer's own
  // framebuffer (device pixels, top row first); `prepare` does the next step of what a first frame
  // needs, without showing anything, and says whether the frame is ready to be drawn;
  // `aboutToLoseContext` runs before the context or the native window goes away. `input` receives
  // mouse, wheel, enter and leave events.
  struct Callbacks {
    std::function<void(bool deferCompose)> render;
    std::function<void()> compose;
    std::function<QImage()> read;
    std::function<bool()> prepare;
    std::function<void()> aboutToLoseContext;
  };
  VtkSurface(Callbacks callbacks, QObject* input);
  ~VtkSurface() override;

  // Draws a frame when the window is on screen (coalesced, at most one per event-loop pass),
  // no sooner than kPassGapMs after the last drawing pass of any surface ended. A scheduled
  // frame takes two passes: the first hands the scene to the rasterizer and returns; the
  // second, once a fence says the rasterizer is done (polled every kComposePollMs), copies
  // the frame into the window and shows it. So the GUI thread never waits for the
  // rasterizer's threads, which share the cores with training (docs/PERFORMANCE.md).
  // At most one frame is in flight: a frame asked for meanwhile starts after it is shown.
  void scheduleFrame();
  static constexpr int kComposePollMs = 2;
  // Drawing passes (frames, hidden parts of a frame) of all surfaces are kept this far
  // apart, so that between two of them the event loop always gets to run: under a software
  // renderer a pass took 15-50 ms when it waited for the rasterizer, and two back to back
  // held input and timers up to twice as long (docs/PERFORMANCE.md, "The studio"). Scheduled work
  // asks msUntilNextPass().
  static constexpr int kPassGapMs = 4;
  // Milliseconds until the next pass may start (0: now).
  static int msUntilNextPass();
  // Draws a frame now and shows it, if the window is on screen (in one pass; a frame in
  // flight is dropped).
  void frameNow();
  // The first time the window is exposed (and again after its context was released), its
  // frame is prepared in passes of its own before it is drawn: the context is created in
  // one, then each `prepare` step gets one (FirstFrameWarmUp), then the frame is scheduled.
  // Under a software renderer a view's first frame, drawn on its expose, held the GUI
  // thread for 70-120 ms in one event (docs/PERFORMANCE.md, "The studio"). The window
  // shows what was behind it meanwhile (a few tens of milliseconds).
  bool firstFramePrepared() const { return prepared_; }
  // Draws a frame now, without showing it, and returns it (device pixels); also works for
  // a window that is hidden (a tab behind another), so pictures never depend on stacking.
  QImage renderToImage();
  // Draws a frame into the renderer's own framebuffer without showing it (false: nothing on
  // screen, or a scheduled frame is in flight); present() then composes the last one drawn
  // into the window and shows it. For frames drawn in several parts: no part waits for the
  // rasterizer, only present() does.
  bool drawHidden();
  // Whether the rasterizer has finished the parts drawHidden() drew (polls a fence).
  bool hiddenPartsRasterized();
  // False (nothing shown) when a scheduled frame is in flight or the window is hidden.
  bool present();

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
  void scheduledFrameDue();
  void startFrame();   // the first pass of a scheduled frame
  void finishFrame();  // the second: composes and shows it when the rasterizer is done
  void* fenceAndFlush();
  void composeAndShow();
  void dropFrameInFlight();
  void dropFence(void*& fence);
  void prepareFirstFrame();
  static void passEnded();

  Callbacks callbacks_;
  QObject* input_;
  QOpenGLContext* context_ = nullptr;
  bool contextFailed_ = false;
  bool pending_ = false;
  QTimer* paced_;             // a scheduled frame that waits for kPassGapMs
  QTimer* composer_;          // polls the fence of the frame in flight
  QTimer* preparer_;          // the next step of a first frame's preparation
  bool prepared_ = false;     // for the current context: prepared, or a frame drawn in one
  void* inFlight_ = nullptr;  // that fence (a GLsync; null: no frame in flight)
  QSize inFlightSize_;
  void* partsFence_ = nullptr;  // set after the last part drawHidden() drew
};

}  // namespace efm::ui

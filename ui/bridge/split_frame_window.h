#pragma once
// A VTK render window whose frame can be drawn in two steps (issue 21, docs/PERFORMANCE.md,
// "The studio"). VTK ends every Render() with Frame(): it copies its offscreen framebuffer
// into the window's back buffer. Under a software renderer (Mesa's llvmpipe) the copy waits
// until the rasterizer threads have finished the whole scene, so the GUI thread sat idle
// for most of a frame while training kept the cores busy. With the copy deferred, Render()
// returns as soon as the scene is handed to the rasterizer; composeFrame() does the copy
// later, once the scene is done, and the event loop runs in between.

#include <vtkGenericOpenGLRenderWindow.h>

namespace efm::ui {

class SplitFrameWindow : public vtkGenericOpenGLRenderWindow {
 public:
  static SplitFrameWindow* New();
  vtkTypeMacro(SplitFrameWindow, vtkGenericOpenGLRenderWindow);

  // Render(), leaving the frame in VTK's offscreen framebuffer.
  void renderWithoutCompose() {
    composeDeferred_ = true;
    Render();
    composeDeferred_ = false;
  }
  // Copies the last frame rendered into the currently bound draw framebuffer (the context
  // current, as for Render()).
  void composeFrame() { Superclass::Frame(); }
  // Creates (or resizes) VTK's offscreen framebuffers at the window's size, as the next
  // Render() would (the context current).
  void createFramebuffers() {
    if (Size[0] > 0 && Size[1] > 0) CreateFramebuffers(Size[0], Size[1]);
  }

  void Frame() override;

 protected:
  SplitFrameWindow() = default;
  ~SplitFrameWindow() override = default;

 private:
  bool composeDeferred_ = false;
};

}  // namespace efm::ui

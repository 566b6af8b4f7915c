#pragma once
// What a VTK view's first frame costs, spread over event-loop passes (issue 21,
// docs/PERFORMANCE.md, "The studio"). Under a software renderer (Mesa's llvmpipe) a view's
// first frame held the GUI thread for 70-120 ms in one piece: VTK's offscreen framebuffers
// at the window's size (about 20 ms of allocation and clearing), and LLVM compiling every
// shader the scene needs the first time it is drawn (10-50 ms each; the copy into the
// window is a shader too, about 40 ms). Each step() below does one piece, so that the
// frame itself mostly draws.

#include <vtkNew.h>
#include <vtkRenderer.h>
#include <vtkWeakPointer.h>
#include <vector>

class vtkProp;

namespace efm::ui {

class SplitFrameWindow;

class FirstFrameWarmUp {
 public:
  // Starts over: the window has a new context.
  void reset();
  // The next step, with the window's context current and VTK's state pushed; true when the
  // window is ready for its first frame. Steps: the framebuffers; the copy into the window
  // (into its back buffer, which is not shown); then the scene's props, each drawn alone
  // into VTK's own framebuffer, one after another until a step has taken kStepBudgetMs.
  // A prop whose shader is new took 10-50 ms alone; one already compiled, under 2 ms.
  bool step(SplitFrameWindow* window, vtkRenderer* scene);
  static constexpr double kStepBudgetMs = 5;

 private:
  void drawAlone(SplitFrameWindow* window, vtkProp* prop);

  int stage_ = 0;
  // The props are drawn in a renderer of their own: hiding the others would change their
  // modification times, and VTK would upload all their vertices again for the next frame.
  vtkNew<vtkRenderer> alone_;
  std::vector<vtkWeakPointer<vtkProp>> props_;
  size_t next_ = 0;
};

}  // namespace efm::ui

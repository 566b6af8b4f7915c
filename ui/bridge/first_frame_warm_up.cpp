#include "bridge/first_frame_warm_up.h"

#include <vtkCamera.h>
#include <vtkProp.h>
#include <vtkPropCollection.h>
#include <chrono>

#include "bridge/split_frame_window.h"

namespace efm::ui {

void FirstFrameWarmUp::reset() {
  stage_ = 0;
  props_.clear();
  next_ = 0;
}

bool FirstFrameWarmUp::step(SplitFrameWindow* window, vtkRenderer* scene) {
  switch (stage_) {
    case 0:
      window->createFramebuffers();
      stage_ = 1;
      return false;
    case 1: {
      window->composeFrame();  // compiles the copy; the back buffer is not swapped
      vtkPropCollection* props = scene->GetViewProps();
      vtkCollectionSimpleIterator it;
      props->InitTraversal(it);
      while (vtkProp* prop = props->GetNextProp(it))
        if (prop->GetVisibility()) props_.emplace_back(prop);
      stage_ = 2;
      return props_.empty();
    }
    default:
      break;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto spent = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  alone_->GetActiveCamera()->DeepCopy(scene->GetActiveCamera());
  alone_->SetBackground(scene->GetBackground());
  scene->SetDraw(false);
  window->AddRenderer(alone_);
  while (next_ < props_.size() && spent() < kStepBudgetMs) {
    vtkProp* prop = props_[next_++];
    if (prop && prop->GetVisibility()) drawAlone(window, prop);  // gone or hidden meanwhile
  }
  window->RemoveRenderer(alone_);  // holds no prop now: nothing of the scene is released
  scene->SetDraw(true);
  return next_ >= props_.size();
}

void FirstFrameWarmUp::drawAlone(SplitFrameWindow* window, vtkProp* prop) {
  alone_->AddViewProp(prop);
  window->renderWithoutCompose();
  // Not RemoveViewProp(): it would release the prop's buffers and shaders in this context.
  alone_->GetViewProps()->RemoveItem(prop);
  prop->RemoveConsumer(alone_);
}

}  // namespace efm::ui

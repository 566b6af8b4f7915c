// DemoScript's pictures of the guided tour: each stage shown as a person clicking Next would
// see it, one window picture per stage.
#include <QDir>
#include <QPushButton>
#include <QTimer>
#include <cstdio>

#include "bridge/vtk_widget.h"
#include "window/demo_script.h"
#include "window/guided_tour.h"
#include "window/main_window.h"

namespace efm::ui {

namespace {
constexpr int kStageSettleMs = 600;  // the stage's view laid out and rendered
}  // namespace

void DemoScript::pictureTour(int stage) {
  GuidedTour* tour = window_->tour();
  const auto& stages = GuidedTour::stages();
  if (stage >= int(stages.size())) {
    tour->close();
    tourPictured_ = true;
    saveScreenshots();
    return;
  }
  if (stage == 0) {
    QDir().mkpath(options_.screenshotDir);
    tour->open();
  } else {
    tour->nextButton()->click();  // as a person would
  }
  QTimer::singleShot(kStageSettleMs, this, [this, stage, stages] {
    if (finished_) return;
    const QString file =
        QDir(options_.screenshotDir)
            .filePath(QString("tour-%1-%2.png").arg(stage + 1).arg(stages[size_t(stage)].name));
    if (!VtkWidget::grabWithViews(window_).save(file, "PNG")) {
      fail(QString("Could not write the image '%1'.").arg(file));
      return;
    }
    std::printf("%s\n", QDir::toNativeSeparators(file).toLocal8Bit().constData());
    pictureTour(stage + 1);
  });
}

}  // namespace efm::ui

#pragma once
// `efm-studio --demo SPEC --steps N --screenshot-dir DIR`: drives the real window the way
// a person would (pick data, Start, wait, Sample), then saves one PNG per view and quits
// (for image data also the label maps, at t_end and while they form). With --compare the
// same for runs of several paths trained side by side.
// For tests, documentation pictures and bug reports.

#include <QDir>
#include <QObject>
#include <QString>
#include <QStringList>
#include <functional>

namespace efm::ui {

class TrainingPanel;

class MainWindow;

struct DemoOptions {
  QString spec = "toy:coupled-binary";
  int steps = 1000;
  QString screenshotDir = "studio-screenshots";
  int samples = 0;  // 0: the Sampling panel's count (2000, or 16 label maps for image data)
  // Two or more paths: train one run per path side by side (the Compare dock) instead of
  // one run, sample every run, and picture the comparison.
  QStringList compare;
  // Conditions (docs/CONDITIONING.md): train with given nodes and/or classes; sample with
  // these nodes given ("0=1") or this class and guidance; on label maps, after the first
  // samples, keep the lower half of map 1, sample again and picture the inpainting.
  bool maskTraining = false;
  bool conditionOnClass = false;
  QString given;
  int labelClass = -1;
  double guidance = 1;
  bool inpaint = false;
  // On toys: show this node in the simplex view and click the vertex of this class (both
  // from 0) as a person would, which fixes the node and samples its conditional; the
  // pictures then show the next node's flows.
  int clickNode = -1;
  int clickClass = -1;
  // After sampling, press the Likelihood dock's "Bound log p" and picture the dock
  // (likelihood.png) once the bound is in.
  bool likelihood = false;
  // Targets made by hand, before Start (demo_targets.cpp): paint a ring on the Target dock's
  // painter (n = 2, c = 12) and train on it instead of SPEC; or type `editWeight` into the
  // table editor's row `editLabeling` (SPEC a small table) and train on the edited table.
  // Either way the dock is pictured as target.png.
  bool paint = false;
  // After sampling, each stage of the guided tour as tour-N-NAME.png (demo_tour.cpp).
  bool tour = false;
  int editLabeling = -1;
  double editWeight = 0;
};

class DemoScript : public QObject {
  Q_OBJECT
 public:
  DemoScript(MainWindow* window, DemoOptions options);
  void start();

 Q_SIGNALS:
  // 0 when every picture was written; otherwise 1 and a message on stderr.
  void done(int exitCode);

 private:
  void fail(const QString& message);
  void saveScreenshots();
  void afterSampling();  // pictures once the field request of the samples is answered
  // The data first, then the network settings that suit it (a U-Net for image data), not
  // those of the last session, and the demo's steps; returns the panel.
  TrainingPanel* configurePanel();
  void startComparison();
  // Paints the lower half of map 1 with its own labels and samples again.
  void startInpainting();
  // Clicks the vertex of options_.clickClass with options_.clickNode shown.
  void clickVertex();
  // Starts the likelihood bound with the dock's own button; saveScreenshots runs again when
  // it is in. Returns false when there is nothing (more) to wait for.
  bool waitForLikelihood();
  // Makes the hand-made target of options_ (if any), then calls `then` (demo_targets.cpp).
  void prepareTarget(const std::function<void()>& then);
  // target.png: the Target dock as the target was made; false after a failure.
  bool saveTargetPicture(const QDir& dir, QStringList& written);
  // The tour's stages from `stage` on, one window picture each, then saveScreenshots().
  void pictureTour(int stage);
  bool touring_ = false, tourPictured_ = false;
  bool inpainting_ = false;
  enum class LikelihoodStage {
    NotAsked,
    Running,
    Done
  } likelihoodStage_ = LikelihoodStage::NotAsked;

  MainWindow* window_;
  DemoOptions options_;
  bool sampling_ = false;
  bool finished_ = false;
  bool capturing_ = false;
};

}  // namespace efm::ui

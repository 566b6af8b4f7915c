#include "window/guided_tour.h"

#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include "engine/training_controller.h"
#include "views/trajectory_view.h"
#include "widgets/image_data_spec.h"
#include "widgets/training_panel.h"
#include "window/main_window.h"

namespace efm::ui {

namespace {
const char* kSeenKey = "tourSeen";
constexpr int kManyFlows = 2000;
constexpr int kTextLines = 5;
}  // namespace

const std::vector<GuidedTour::Stage>& GuidedTour::stages() {
  static const std::vector<Stage> all = {
      {"geodesic", "A geodesic on a simplex",
       "The triangle is the simplex: every probability distribution over three classes. A "
       "labeling of n nodes lives on a product of n such simplices. The Geodesic explorer draws "
       "three curves from p to q: the e-geodesic (straight in log-probabilities, then "
       "normalised: the curve this model's paths follow), the m-geodesic (straight in "
       "probabilities, a mixture) and the Fisher-Rao geodesic (the shortest). Drag p and q: the "
       "e-geodesic bends towards the boundary, and a ray along it reaches a vertex only as time "
       "goes to infinity."},
      {"one-labeling", "The ray path of one labeling",
       "One flow per node. It starts near the centre of the simplex (a random tangent vector "
       "there) and follows the learned vector field; where it ends at t_end is the class it "
       "assigns. Training never integrates this: for each labeling of the data the path is the "
       "e-geodesic ray from the start towards the labeling's vertex, known in closed form, and "
       "the network regresses onto its velocity (simulation-free flow matching)."},
      {"many-flows", "The flow of many",
       "Many flows at once are the model: colour is time, the arrows are the vector field at "
       "the slider's time. The flows split between the vertices in the proportions the model "
       "has learned, and the bars at the vertices compare them with the data. Press Play to "
       "watch them move, drag to orbit; the Sampling dock draws more, or fixes a node by a "
       "click on a vertex to sample the rest given it."},
      {"meta-simplex", "The meta-simplex and independence",
       "A joint distribution of two binary nodes is a point in a tetrahedron whose corners are "
       "the four labelings. The curved surface holds the independent (factorizing) joints. Each "
       "flow ends on that surface, yet the model's joint, the average of the end points (blue), "
       "can lie anywhere inside: an average of factorizing distributions represents any joint, "
       "dependence included. The red point is the target, the trail the model's way there "
       "during training; for larger tables the view shows heat maps of target and model."},
      {"label-maps", "The sampled label maps",
       "On images every pixel is a node: the same flow runs on all of them at once, with a "
       "U-Net as the vector field. This view shows sampled label maps, a time slider to watch "
       "them form from noise, and a brush that fixes pixels so that the rest is sampled given "
       "them (inpainting). Pick idx:fashion-mnist?levels=2&pad=32 or the synthetic streets in "
       "the Training dock, press Start, and the first previews appear here within a minute."},
  };
  return all;
}

GuidedTour::GuidedTour(MainWindow* window) : QObject(window), window_(window) {
  title_ = new QLabel;
  QFont bold = title_->font();
  bold.setBold(true);
  bold.setPointSizeF(bold.pointSizeF() * 1.2);
  title_->setFont(bold);
  text_ = new QLabel;
  text_->setWordWrap(true);
  text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  text_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  // Room for the longest paragraph across a window of 1200 pixels or more: a dock at the top
  // is given only its minimum height.
  text_->setMinimumHeight(text_->fontMetrics().lineSpacing() * kTextLines);
  counter_ = new QLabel;
  back_ = new QPushButton("Back");
  next_ = new QPushButton("Next");
  skip_ = new QPushButton("Skip tour");
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(counter_);
  buttons->addStretch(1);
  buttons->addWidget(skip_);
  buttons->addWidget(back_);
  buttons->addWidget(next_);
  auto* panel = new QWidget;
  auto* layout = new QVBoxLayout(panel);
  layout->addWidget(title_);
  layout->addWidget(text_, 1);
  layout->addLayout(buttons);
  dock_ = new QDockWidget("Guided tour", window);
  dock_->setObjectName("tourDock");
  dock_->setWidget(panel);
  dock_->setVisible(false);
  connect(back_, &QPushButton::clicked, this, [this] { showStage(stage_ - 1); });
  connect(next_, &QPushButton::clicked, this, [this] {
    if (stage_ + 1 < int(stages().size()))
      showStage(stage_ + 1);
    else
      close();
  });
  connect(skip_, &QPushButton::clicked, this, &GuidedTour::close);
}

bool GuidedTour::seen() { return QSettings().value(kSeenKey, false).toBool(); }

bool GuidedTour::isOpen() const { return stage_ >= 0 && dock_->isVisible(); }

void GuidedTour::open() {
  dock_->setVisible(true);
  dock_->raise();
  // Flows for the later stages: a short run on toy data when nothing is trained yet.
  TrainingPanel* panel = window_->trainingPanel();
  TrainingController* trainer = window_->trainer();
  if (!trainer->hasModel() && trainer->state() == TrainingController::State::Idle &&
      ImageDataSpec::kindOf(panel->dataSpec()) == ImageDataSpec::Kind::None &&
      panel->startButton()->isEnabled())
    panel->startButton()->click();
  showStage(0);
}

void GuidedTour::showStage(int stage) {
  const int count = int(stages().size());
  if (stage < 0 || stage >= count) return;
  stage_ = stage;
  const Stage& s = stages()[size_t(stage)];
  title_->setText(s.title);
  text_->setText(s.text);
  counter_->setText(QString("%1 of %2").arg(stage + 1).arg(count));
  back_->setEnabled(stage > 0);
  next_->setText(stage + 1 < count ? "Next" : "Done");
  arrangeWindow(stage);
  Q_EMIT stageShown(stage);
}

void GuidedTour::arrangeWindow(int stage) {
  TrajectoryView* flows = window_->trajectoryView();
  const QString name = stages()[size_t(stage)].name;
  if (name == "geodesic") {
    window_->showView(MainWindow::Geodesics);
  } else if (name == "one-labeling") {
    if (flows->maxFlows() > 1) manyFlows_ = flows->maxFlows();
    flows->setMaxFlows(1);
    window_->showView(MainWindow::Trajectories);
  } else if (name == "many-flows") {
    flows->setMaxFlows(manyFlows_ > 1 ? manyFlows_ : kManyFlows);
    window_->showView(MainWindow::Trajectories);
  } else if (name == "meta-simplex") {
    window_->showView(MainWindow::MetaSimplex);
  } else {
    window_->showView(MainWindow::LabelMaps);
  }
}

void GuidedTour::close() {
  // Leave the flow limit as the person had it.
  if (manyFlows_ > 1) window_->trajectoryView()->setMaxFlows(manyFlows_);
  dock_->setVisible(false);
  stage_ = -1;
  QSettings().setValue(kSeenKey, true);
  Q_EMIT closed();
}

}  // namespace efm::ui

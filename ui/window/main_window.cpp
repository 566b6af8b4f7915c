// MainWindow's layout (view tabs, docks, status bar), its error dialog and closing.
#include "window/main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>

#include "engine/likelihood_service.h"
#include "engine/training_controller.h"
#include "views/geodesic_view.h"
#include "views/label_map_view.h"
#include "views/meta_simplex_view.h"
#include "views/trajectory_view.h"
#include "widgets/comparison_panel.h"
#include "widgets/curve_chart.h"
#include "widgets/likelihood_panel.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"
#include "window/comparison_coordinator.h"
#include "window/guided_tour.h"

namespace efm::ui {

QString MainWindow::viewName(int view) {
  switch (view) {
    case Trajectories:
      return "trajectories";
    case Geodesics:
      return "geodesics";
    case MetaSimplex:
      return "meta-simplex";
    case LabelMaps:
      return "label-maps";
    default:
      return "curves";
  }
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("efm-studio");
  trainer_ = new TrainingController(this);
  sampler_ = new SamplingService(this);
  likelihood_ = new LikelihoodService(this);

  tabs_ = new QTabWidget;
  trajectoryView_ = new TrajectoryView;
  geodesicView_ = new GeodesicView;
  metaView_ = new MetaSimplexView;
  labelMapView_ = new LabelMapView;
  tabs_->addTab(trajectoryView_, "Simplex && trajectories");
  tabs_->addTab(geodesicView_, "Geodesic explorer");
  tabs_->addTab(metaView_, "Meta-simplex");
  tabs_->addTab(labelMapView_, "Label maps");
  dataProgress_ = new QProgressBar;
  dataProgress_->setMaximumWidth(260);
  dataProgress_->setVisible(false);
  dataCancel_ = new QToolButton;
  dataCancel_->setText("Cancel");
  dataCancel_->setToolTip("Stop opening the data");
  dataCancel_->setVisible(false);
  statusBar()->addPermanentWidget(dataProgress_);
  statusBar()->addPermanentWidget(dataCancel_);
  setCentralWidget(tabs_);

  trainingPanel_ = new TrainingPanel;
  auto* trainingDock = new QDockWidget("Training", this);
  trainingDock->setObjectName("trainingDock");
  trainingDock->setWidget(trainingPanel_);
  addDockWidget(Qt::LeftDockWidgetArea, trainingDock);
  samplingPanel_ = new SamplingPanel;
  auto* samplingDock = new QDockWidget("Sampling", this);
  samplingDock->setObjectName("samplingDock");
  samplingDock->setWidget(samplingPanel_);
  addDockWidget(Qt::RightDockWidgetArea, samplingDock);
  curves_ = new CurveChart("Training");
  lossSeries_ = curves_->addSeries("loss", QColor(40, 90, 200), true);
  klSeries_ = curves_->addSeries("KL(target||model)", QColor(210, 60, 40), true);
  comparisonCurves_ = new CurveChart("Compared runs");
  curveStack_ = new QStackedWidget;
  curveStack_->addWidget(curves_);
  curveStack_->addWidget(comparisonCurves_);
  auto* curvesDock = new QDockWidget("Curves", this);
  curvesDock->setObjectName("curvesDock");
  curvesDock->setWidget(curveStack_);
  addDockWidget(Qt::BottomDockWidgetArea, curvesDock);
  comparisonPanel_ = new ComparisonPanel;
  auto* compareDock = new QDockWidget("Compare paths", this);
  compareDock->setObjectName("compareDock");
  compareDock->setWidget(comparisonPanel_);
  addDockWidget(Qt::RightDockWidgetArea, compareDock);
  likelihoodPanel_ = new LikelihoodPanel;
  auto* likelihoodDock = new QDockWidget("Likelihood", this);
  likelihoodDock->setObjectName("likelihoodDock");
  likelihoodDock->setWidget(likelihoodPanel_);
  addDockWidget(Qt::RightDockWidgetArea, likelihoodDock);
  tabifyDockWidget(compareDock, likelihoodDock);
  QDockWidget* targetDock = buildTargetDock();
  addDockWidget(Qt::RightDockWidgetArea, targetDock);
  tabifyDockWidget(compareDock, targetDock);
  compareDock->raise();
  comparison_ = new ComparisonCoordinator(
      sampler_,
      ComparisonViews{comparisonPanel_, comparisonCurves_, trajectoryView_, metaView_,
                      labelMapView_},
      [this](SnapshotPtr model, const std::string& path, bool image, bool preview) {
        return sampleRequest(std::move(model), path, image, preview);
      },
      this);

  buildMenus();
  QMenu* viewMenu = menuBar()->addMenu("&View");
  for (QDockWidget* dock :
       {trainingDock, samplingDock, curvesDock, compareDock, likelihoodDock, targetDock})
    viewMenu->addAction(dock->toggleViewAction());
  tour_ = new GuidedTour(this);
  addDockWidget(Qt::TopDockWidgetArea, tour_->dock());
  QMenu* help = menuBar()->addMenu("&Help");
  help->addAction("&Guided tour", tour_, &GuidedTour::open);
  help->addAction("&About", this, [this] {
    QMessageBox::about(this, "efm-studio",
                       "E-geodesic flow matching on assignment manifolds.\n"
                       "Train, watch, sample and explore the geometry of the simplex.\n"
                       "Checkpoints are the files `efm train` writes.");
  });
  connectEngine();
  connectTargets();
  restoreSettings();
  updateActions();
  // Picking data shows its target in the views at once, unless a model is on display.
  // Connected after restoreSettings, which sets the data too: it is opened once, here.
  connect(trainingPanel_, &TrainingPanel::dataSpecChosen, this, [this](const QString& spec) {
    if (!trainer_->hasModel() && trainer_->state() == TrainingController::State::Idle)
      trainer_->inspectData(spec);
  });
  trainer_->inspectData(trainingPanel_->dataSpec());
  statusBar()->showMessage("Pick data and press Start.");
  resize(1400, 900);
}

MainWindow::~MainWindow() = default;

void MainWindow::openTourOnFirstStart() {
  if (!GuidedTour::seen()) tour_->open();
}

void MainWindow::showView(int view) { tabs_->setCurrentIndex(view); }

QWidget* MainWindow::currentView() const { return tabs_->currentWidget(); }

void MainWindow::showError(const QString& message) {
  // Non-modal: training and the other views go on while the message is read.
  if (errorDialog_) errorDialog_->close();
  errorDialog_ =
      new QMessageBox(QMessageBox::Warning, "efm-studio", message, QMessageBox::Ok, this);
  errorDialog_->setObjectName("errorDialog");
  errorDialog_->setAttribute(Qt::WA_DeleteOnClose);
  errorDialog_->setWindowModality(Qt::NonModal);
  connect(errorDialog_, &QObject::destroyed, this, [this, dialog = errorDialog_] {
    if (errorDialog_ == dialog) errorDialog_ = nullptr;
  });
  errorDialog_->show();
  statusBar()->showMessage(message.section('\n', 0, 0));
  Q_EMIT errorShown(message);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveSettings();
  trainer_->stop();  // the run saves its checkpoint before the worker ends
  comparison_->stop();
  sampler_->cancel();
  event->accept();
}

}  // namespace efm::ui

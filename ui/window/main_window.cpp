// MainWindow's layout (view tabs, docks, status bar), its error dialog and closing.
#include "window/main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
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
#include "widgets/vertical_scroll_area.h"
#include "window/comparison_coordinator.h"
#include "window/guided_tour.h"

namespace efm::ui {

QDockWidget* MainWindow::addPanelDock(const QString& title, const QString& name, QWidget* panel,
                                      Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(name);
  dock->setWidget(new VerticalScrollArea(panel));
  addDockWidget(area, dock);
  return dock;
}

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
  QDockWidget* trainingDock =
      addPanelDock("Training", "trainingDock", trainingPanel_, Qt::LeftDockWidgetArea);
  samplingPanel_ = new SamplingPanel;
  QDockWidget* samplingDock =
      addPanelDock("Sampling", "samplingDock", samplingPanel_, Qt::RightDockWidgetArea);
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
  QDockWidget* compareDock =
      addPanelDock("Compare paths", "compareDock", comparisonPanel_, Qt::RightDockWidgetArea);
  likelihoodPanel_ = new LikelihoodPanel;
  QDockWidget* likelihoodDock =
      addPanelDock("Likelihood", "likelihoodDock", likelihoodPanel_, Qt::RightDockWidgetArea);
  tabifyDockWidget(compareDock, likelihoodDock);
  QDockWidget* targetDock =
      addPanelDock("Target", "targetDock", buildTargetPanel(), Qt::RightDockWidgetArea);
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
  // The panels scroll, so the window fits smaller screens (a GUI test checks 1366 x 768). A
  // saved geometry (restoreSettings) replaces this size; it used to be resized after the
  // restore, so the studio never kept the size it was given.
  resize(QSize(1400, 1000).boundedTo(screen()->availableGeometry().size()));
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

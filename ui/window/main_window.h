#pragma once
// The studio's main window: the four views as tabs (trajectories, geodesics, meta-simplex,
// label maps), the training and sampling panels and the live curves as docks, the File menu
// (checkpoints, data, exports, recent files). It wires the engine threads
// (TrainingController, SamplingService) to the widgets and is the only place that knows
// about both.

#include <QMainWindow>
#include <memory>
#include <vector>

#include "engine/sampling_service.h"
#include "engine/studio_data.h"

class QAction;
class QDockWidget;
class QMenu;
class QMessageBox;
class QProgressBar;
class QStackedWidget;
class QTabWidget;
class QToolButton;

namespace efm::ui {

class ComparisonCoordinator;
class ComparisonPanel;
class CurveChart;
class GeodesicView;
class LabelMapView;
class LikelihoodPanel;
class GuidedTour;
class TargetPainter;
class TargetTableEditor;
class LikelihoodService;
class MetaSimplexView;
class SamplingPanel;
class SamplingService;
class TrainingController;
class TrainingPanel;
class TrajectoryView;
class VtkWidget;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // The view tabs, in order: trajectories, geodesics, meta-simplex, label maps.
  enum View { Trajectories = 0, Geodesics = 1, MetaSimplex = 2, LabelMaps = 3 };
  static QString viewName(int view);
  void showView(int view);
  // Renders a view (or the curves chart, view = -1) into a PNG; false with a message on error.
  bool exportView(int view, const QString& file, QString* error = nullptr);

  void openCheckpoint(const QString& file);
  void saveCheckpoint(const QString& file);
  void exportSamples(const QString& file);
  void startTraining();
  // Trains the Training dock's configuration once per path checked in the Compare dock.
  void startComparison();
  void sampleNow();  // from the single run, or from every compared run

  TrainingPanel* trainingPanel() const { return trainingPanel_; }
  SamplingPanel* samplingPanel() const { return samplingPanel_; }
  TrainingController* trainer() const { return trainer_; }
  SamplingService* sampler() const { return sampler_; }
  TrajectoryView* trajectoryView() const { return trajectoryView_; }
  GeodesicView* geodesicView() const { return geodesicView_; }
  MetaSimplexView* metaSimplexView() const { return metaView_; }
  QWidget* currentView() const;  // the page of the central tabs on screen
  LabelMapView* labelMapView() const { return labelMapView_; }
  // Shown while data is being opened (image files take a while), with its Cancel button.
  QProgressBar* dataProgress() const { return dataProgress_; }
  QToolButton* dataCancelButton() const { return dataCancel_; }
  CurveChart* curves() const { return curves_; }  // the single run's
  CurveChart* comparisonCurves() const { return comparisonCurves_; }
  ComparisonPanel* comparisonPanel() const { return comparisonPanel_; }
  ComparisonCoordinator* comparison() const { return comparison_; }
  LikelihoodPanel* likelihoodPanel() const { return likelihoodPanel_; }
  LikelihoodService* likelihood() const { return likelihood_; }
  GuidedTour* tour() const { return tour_; }
  // Opens the guided tour unless it was seen or skipped before (the studio's first start).
  void openTourOnFirstStart();
  TargetTableEditor* tableEditor() const { return tableEditor_; }
  TargetPainter* targetPainter() const { return painter_; }
  QTabWidget* targetTabs() const { return targetTabs_; }
  // The Target dock's actions (main_window_targets.cpp): an edited table becomes the training
  // target at once; targets open from and save to pmf files.
  void applyTarget(const std::vector<double>& weights, qint64 variables, qint64 classes);
  void openTarget(const QString& file);
  void saveTarget(const QString& file);
  std::shared_ptr<const SampleSet> lastSamples() const { return lastSamples_; }
  QString runDirectory() const { return runDirectory_; }
  // The error dialog that is open, if any (dialogs never block: the window stays usable).
  QMessageBox* errorDialog() const { return errorDialog_; }

 Q_SIGNALS:
  void samplesReady(bool preview);
  void errorShown(const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void connectEngine();
  void connectLikelihood();
  // A dock on `area` showing `panel`; the panel scrolls when the window is too short for it.
  QDockWidget* addPanelDock(const QString& title, const QString& name, QWidget* panel,
                            Qt::DockWidgetArea area);
  QWidget* buildTargetPanel();
  void connectTargets();
  void addRecentTarget(const QString& file);
  void rebuildRecentTargets();
  void showError(const QString& message);
  // The request for a preview during training (`preview`) or for the Sampling dock.
  SampleRequest sampleRequest(SnapshotPtr model, const std::string& path, bool image,
                              bool preview) const;
  void updateComparisonButtons(int trainerState);
  QString newRunDirectory() const;
  void addRecentFile(const QString& file);
  void rebuildRecentMenu();
  void updateActions();
  void restoreSettings();
  void saveSettings() const;

  TrainingController* trainer_;
  SamplingService* sampler_;
  TrainingPanel* trainingPanel_;
  SamplingPanel* samplingPanel_;
  CurveChart* curves_;
  int lossSeries_ = 0, klSeries_ = 0;
  CurveChart* comparisonCurves_;
  QStackedWidget* curveStack_;  // the single run's chart or the comparison's
  ComparisonPanel* comparisonPanel_;
  ComparisonCoordinator* comparison_;
  LikelihoodPanel* likelihoodPanel_;
  LikelihoodService* likelihood_;
  GuidedTour* tour_ = nullptr;
  TargetTableEditor* tableEditor_ = nullptr;
  TargetPainter* painter_ = nullptr;
  QTabWidget* targetTabs_ = nullptr;
  DataSummary target_;  // the data's summary last shown (Save target writes its table)
  QString editedSpec_;  // the SPEC of the last edit applied, whose table the editor shows
  QMenu* recentTargetsMenu_ = nullptr;
  QTabWidget* tabs_;
  TrajectoryView* trajectoryView_;
  GeodesicView* geodesicView_;
  MetaSimplexView* metaView_;
  LabelMapView* labelMapView_;
  QProgressBar* dataProgress_;
  QToolButton* dataCancel_;
  bool imageData_ = false;  // the data open are label maps
  QMenu* recentMenu_ = nullptr;
  QAction* saveAction_ = nullptr;
  QAction* exportSamplesAction_ = nullptr;
  QAction* openAction_ = nullptr;
  QMessageBox* errorDialog_ = nullptr;
  std::shared_ptr<const SampleSet> lastSamples_;
  QString runDirectory_;
};

}  // namespace efm::ui

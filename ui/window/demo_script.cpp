#include "window/demo_script.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <algorithm>
#include <cstdio>

#include "bridge/vtk_widget.h"
#include "engine/likelihood_service.h"
#include "engine/sampling_service.h"
#include "engine/training_controller.h"
#include "views/geodesic_view.h"
#include "views/label_map_view.h"
#include "views/trajectory_view.h"
#include "widgets/comparison_panel.h"
#include "widgets/image_data_spec.h"
#include "widgets/likelihood_panel.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"
#include "window/comparison_coordinator.h"
#include "window/main_window.h"

namespace efm::ui {

namespace {
constexpr int kComparedFlows = 150;  // flows per run in the comparison's simplex picture
}  // namespace

DemoScript::DemoScript(MainWindow* window, DemoOptions options)
    : QObject(window), window_(window), options_(std::move(options)) {}

void DemoScript::fail(const QString& message) {
  if (finished_) return;
  finished_ = true;
  std::fprintf(stderr, "efm-studio --demo: %s\n", message.toLocal8Bit().constData());
  Q_EMIT done(1);
}

void DemoScript::start() {
  if (!QDir().mkpath(options_.screenshotDir)) {
    fail(QString("cannot create the screenshot folder '%1'").arg(options_.screenshotDir));
    return;
  }
  connect(window_, &MainWindow::errorShown, this,
          [this](const QString& message) { fail(message); });
  connect(window_->trainer(), &TrainingController::finished, this,
          [this](bool cancelled, qint64 step) {
            if (cancelled) {
              fail(QString("training stopped at step %1").arg(step));
              return;
            }
            std::fprintf(stderr, "efm-studio --demo: trained %lld steps; sampling\n",
                         static_cast<long long>(step));
            sampling_ = true;
            if (options_.samples > 0) window_->samplingPanel()->setCount(options_.samples);
            SamplingPanel* sampling = window_->samplingPanel();
            sampling->givenEdit()->setText(options_.given);
            sampling->classSpin()->setValue(options_.labelClass);
            sampling->guidanceSpin()->setValue(options_.guidance);
            if (options_.clickNode >= 0) {
              // The view is drawn before its vertices are where the click goes.
              window_->showView(MainWindow::Trajectories);
              window_->trajectoryView()->setNode(options_.clickNode);
              QTimer::singleShot(300, this, [this] { clickVertex(); });
              return;
            }
            window_->sampleNow();
          });
  if (options_.compare.size() >= 2) {
    startComparison();
    return;
  }
  connect(window_, &MainWindow::samplesReady, this, [this](bool preview) {
    if (!preview && sampling_) {
      sampling_ = false;
      afterSampling();
    }
  });
  // The data first, then the network settings that suit it (a U-Net for image data), not
  // those of the last session: the pictures should not depend on who ran the studio before.
  TrainingPanel* panel = configurePanel();
  std::fprintf(stderr, "efm-studio --demo: training %s for %d steps\n",
               options_.spec.toLocal8Bit().constData(), options_.steps);
  // The real button, as a person would; after the hand-made target, if any.
  prepareTarget([panel] { panel->startButton()->click(); });
}

TrainingPanel* DemoScript::configurePanel() {
  TrainingPanel* panel = window_->trainingPanel();
  panel->setDataSpec(options_.spec);
  panel->applyDataKindDefaults(ImageDataSpec::kindOf(options_.spec) != ImageDataSpec::Kind::None);
  RunConfig config = panel->config();
  config.train.steps = options_.steps;
  config.network.givenNodes = options_.maskTraining;
  config.network.labelClasses = options_.conditionOnClass ? -1 : 0;
  panel->setConfig(config);
  return panel;
}

void DemoScript::afterSampling() {
  // Let the field request of the new samples come back before the pictures are taken.
  connect(window_->sampler(), &SamplingService::busyChanged, this, [this](bool busy) {
    if (!busy) QTimer::singleShot(200, this, [this] { saveScreenshots(); });
  });
  if (!window_->sampler()->busy()) QTimer::singleShot(400, this, [this] { saveScreenshots(); });
}

void DemoScript::startInpainting() {
  LabelMapView* maps = window_->labelMapView();
  maps->setSelectedSample(0);
  maps->setTimeIndex(maps->timeSlider()->maximum());
  const std::shared_ptr<const SampleSet> samples = window_->lastSamples();
  if (!samples || samples->labels.empty()) {
    fail("no label maps to inpaint");
    return;
  }
  // The lower half of map 1 keeps its labels; the upper half is sampled again.
  const int64_t n = samples->variables, width = samples->image.width;
  for (int64_t node = n / width / 2 * width; node < n; ++node)
    maps->paintPixels(node, samples->labels[size_t(node)], 0);
  std::fprintf(stderr, "efm-studio --demo: inpainting the upper half of map 1\n");
  inpainting_ = true;
  sampling_ = true;
  window_->sampleNow();
}

void DemoScript::clickVertex() {
  TrajectoryView* view = window_->trajectoryView();
  // The data as the views know it (samples may not have arrived yet after a short run).
  const int64_t nodes = view->data().variables;
  if (view->data().image.isImage()) {
    fail("--demo-click is for toys; on label maps use --demo-inpaint");
    return;
  }
  if (options_.clickNode >= nodes || view->node() != options_.clickNode) {
    fail(QString("--demo-click: node %1 is not a node of the data (it has %2, from 0)")
             .arg(options_.clickNode)
             .arg(nodes));
    return;
  }
  const std::vector<int>& shown = view->selection().shown();
  const auto vertex = std::find(shown.begin(), shown.end(), options_.clickClass);
  if (vertex == shown.end()) {
    fail(QString("--demo-click: class %1 is not a vertex of the simplex view (classes from 0)")
             .arg(options_.clickClass));
    return;
  }
  const QPointF at = view->vertexPosition(int(vertex - shown.begin()));
  VtkWidget* target = view->vtkWidget();
  std::fprintf(stderr, "efm-studio --demo: clicking class %d of node %d in the simplex view\n",
               options_.clickClass, options_.clickNode);
  for (QEvent::Type type : {QEvent::MouseButtonPress, QEvent::MouseButtonRelease}) {
    QMouseEvent click(type, at, target->mapToGlobal(at), Qt::LeftButton,
                      type == QEvent::MouseButtonPress ? Qt::LeftButton : Qt::NoButton,
                      Qt::NoModifier);
    QCoreApplication::sendEvent(target, &click);
  }
  if (view->given().empty() || view->given()[size_t(options_.clickNode)] != options_.clickClass) {
    fail("--demo-click: the click on the vertex fixed nothing");
    return;
  }
  // The picture: the flows of the next node, which now follow its conditional.
  view->setNode(int((options_.clickNode + 1) % nodes));
}

void DemoScript::startComparison() {
  ComparisonCoordinator* comparison = window_->comparison();
  connect(comparison, &ComparisonCoordinator::finished, this, [this](bool cancelled) {
    if (cancelled) {
      fail("the comparison was stopped");
      return;
    }
    std::fprintf(stderr, "efm-studio --demo: trained %d runs; sampling each\n",
                 int(options_.compare.size()));
    sampling_ = true;
    if (options_.samples > 0) window_->samplingPanel()->setCount(options_.samples);
    window_->sampleNow();  // every compared run, with one seed
  });
  connect(comparison, &ComparisonCoordinator::allSampled, this, [this] {
    if (!sampling_) return;
    sampling_ = false;
    // Overlaid flows of several runs: few enough of them, of one node, that each run's
    // shape stays visible.
    window_->trajectoryView()->setMaxFlows(kComparedFlows);
    window_->trajectoryView()->setNode(0);
    afterSampling();
  });
  TrainingPanel* panel = configurePanel();
  // Previews a few times per run, so that the KL curves have points to compare.
  panel->setPreviewEvery(std::max(10, options_.steps / 8));
  window_->comparisonPanel()->setCheckedPaths(options_.compare);
  if (window_->comparisonPanel()->checkedPaths().size() != options_.compare.size()) {
    fail("--compare takes two or more of ray, bridge, linear, dirichlet, fisher, got " +
         options_.compare.join(","));
    return;
  }
  std::fprintf(stderr, "efm-studio --demo: comparing %s on %s for %d steps each\n",
               options_.compare.join(", ").toLocal8Bit().constData(),
               options_.spec.toLocal8Bit().constData(), options_.steps);
  window_->comparisonPanel()->compareButton()->click();  // the real button
}

bool DemoScript::waitForLikelihood() {
  if (!options_.likelihood || likelihoodStage_ == LikelihoodStage::Done) return false;
  if (likelihoodStage_ == LikelihoodStage::Running) return true;
  likelihoodStage_ = LikelihoodStage::Running;
  LikelihoodService* service = window_->likelihood();
  connect(service, &LikelihoodService::finished, this, [this] {
    likelihoodStage_ = LikelihoodStage::Done;
    QTimer::singleShot(200, this, [this] { saveScreenshots(); });
  });
  connect(service, &LikelihoodService::failed, this,
          [this](const QString& message) { fail("the likelihood bound failed: " + message); });
  LikelihoodPanel* panel = window_->likelihoodPanel();
  if (auto* dock = qobject_cast<QDockWidget*>(panel->parentWidget())) dock->raise();
  panel->boundButton()->click();  // the real button
  return true;
}

void DemoScript::saveScreenshots() {
  if (finished_ || capturing_) return;
  if (!inpainting_ && waitForLikelihood()) return;
  if (options_.tour && !tourPictured_) {  // calls while the tour is pictured wait for it
    if (!touring_) {
      touring_ = true;
      pictureTour(0);
    }
    return;
  }
  capturing_ = true;  // errors that arrive meanwhile still end the demo with 1
  window_->geodesicView()->setBallsVisible(true);
  QDir dir(options_.screenshotDir);
  QStringList written;
  auto save = [&](int view, const QString& name) {
    if (view >= 0) window_->showView(view);
    QApplication::processEvents();
    if (finished_) return false;
    const QString file = dir.filePath(name + ".png");
    QString error;
    if (!window_->exportView(view, file, &error)) {
      fail(error);
      return false;
    }
    written << file;
    return true;
  };
  LabelMapView* maps = window_->labelMapView();
  if (inpainting_) {
    // The second pass: map 1 with its lower half kept and its upper half sampled again.
    maps->setSelectedSample(0);
    maps->setTimeIndex(maps->timeSlider()->maximum());
    if (!save(MainWindow::LabelMaps, "label-maps-inpainted")) return;
  } else {
    for (int view : {int(MainWindow::Trajectories), int(MainWindow::Geodesics),
                     int(MainWindow::MetaSimplex), -1})
      if (!save(view, MainWindow::viewName(view))) return;
    // Image data: maps of the data with their class frequencies, the gallery with the
    // selected map at t_end, and again while it forms.
    if (maps->showsImages()) {
      maps->galleryColours()->setCurrentIndex(LabelMapView::kDataGallery);
      const bool dataShown = maps->showsData() && save(MainWindow::LabelMaps, "label-maps-data");
      maps->galleryColours()->setCurrentIndex(0);
      if (!dataShown) {
        if (!finished_) fail("the maps of the data are not shown in the Label maps tab");
        return;
      }
      if (!save(MainWindow::LabelMaps, "label-maps")) return;
      const int end = maps->timeSlider()->maximum();
      maps->setTimeIndex(end / 3);
      if (!save(MainWindow::LabelMaps, "label-maps-forming")) return;
      maps->setTimeIndex(end);
      if (options_.inpaint) {
        for (const QString& file : written)
          std::printf("%s\n", QDir::toNativeSeparators(QFileInfo(file).absoluteFilePath())
                                  .toLocal8Bit()
                                  .constData());
        capturing_ = false;
        startInpainting();
        return;
      }
    }
  }
  if (!saveTargetPicture(dir, written)) return;
  if (options_.likelihood) {
    const QString file = dir.filePath("likelihood.png");
    if (!window_->likelihoodPanel()->grab().save(file, "PNG")) {
      fail(QString("Could not write the image '%1'.").arg(file));
      return;
    }
    written << file;
  }
  window_->showView(MainWindow::Trajectories);
  QApplication::processEvents();
  const QString whole = dir.filePath("window.png");
  if (finished_) return;
  if (!VtkWidget::grabWithViews(window_).save(whole, "PNG")) {
    fail(QString("Could not write the image '%1'.").arg(whole));
    return;
  }
  written << whole;
  for (const QString& file : written)
    std::printf(
        "%s\n",
        QDir::toNativeSeparators(QFileInfo(file).absoluteFilePath()).toLocal8Bit().constData());
  std::fflush(stdout);
  finished_ = true;
  Q_EMIT done(0);
}

}  // namespace efm::ui

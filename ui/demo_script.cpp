#include "demo_script.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QTimer>
#include <cstdio>

#include "engine/sampling_service.h"
#include "engine/training_controller.h"
#include "main_window.h"
#include "views/geodesic_view.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"

namespace efm::ui {

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
            std::fprintf(stderr, "efm-studio --demo: trained %lld steps; sampling %d labelings\n",
                         static_cast<long long>(step), options_.samples);
            sampling_ = true;
            window_->samplingPanel()->setCount(options_.samples);
            window_->sampleNow();
          });
  connect(window_, &MainWindow::samplesReady, this, [this](bool preview) {
    if (!preview && sampling_) {
      sampling_ = false;
      // Let the field request of the new samples come back before the pictures are taken.
      connect(window_->sampler(), &SamplingService::busyChanged, this, [this](bool busy) {
        if (!busy) QTimer::singleShot(200, this, [this] { saveScreenshots(); });
      });
      if (!window_->sampler()->busy()) QTimer::singleShot(400, this, [this] { saveScreenshots(); });
    }
  });
  TrainingPanel* panel = window_->trainingPanel();
  RunConfig config = panel->config();
  config.data = options_.spec.toStdString();
  config.train.steps = options_.steps;
  panel->setConfig(config);
  std::fprintf(stderr, "efm-studio --demo: training %s for %d steps\n",
               options_.spec.toLocal8Bit().constData(), options_.steps);
  panel->startButton()->click();  // the real button, as a person would
}

void DemoScript::saveScreenshots() {
  if (finished_ || capturing_) return;
  capturing_ = true;  // errors that arrive meanwhile still end the demo with 1
  window_->geodesicView()->setBallsVisible(true);
  QDir dir(options_.screenshotDir);
  QStringList written;
  for (int view : {int(MainWindow::Trajectories), int(MainWindow::Geodesics),
                   int(MainWindow::MetaSimplex), -1}) {
    if (view >= 0) window_->showView(view);
    QApplication::processEvents();
    if (finished_) return;
    const QString file = dir.filePath(MainWindow::viewName(view) + ".png");
    QString error;
    if (!window_->exportView(view, file, &error)) {
      fail(error);
      return;
    }
    written << file;
  }
  window_->showView(MainWindow::Trajectories);
  QApplication::processEvents();
  const QString whole = dir.filePath("window.png");
  if (finished_) return;
  if (!window_->grab().save(whole, "PNG")) {
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

// Studio benchmark (issue 3), run under a virtual X server with Mesa's software renderer:
//
//   xvfb-run -a -s "-screen 0 1600x1200x24" build/bin/efm_bench_studio [--quick]
//       [--no-frames] [--no-stalls] [--preview-every N] [--train-threads T]
//       [--explain-stalls]
//
// 1. Frames per second of the trajectory view showing 10,000 flows of 76 points while the
//    camera orbits (target: at least 30), and the GUI-thread cost of handing it new flows.
// 2. The longest event-loop stall of the main window while training runs, and while a
//    sampling run of 16,000 labelings (1,000 flows kept) runs beside it (target: under
//    50 ms). A 2 ms timer measures how late each tick arrives.
#include <vtkCamera.h>
#include <vtkRenderer.h>
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QPushButton>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>
#include "efm/base/runtime_tuning.h"
#include "efm/config/run_config.h"

#include "bridge/vtk_widget.h"
#include "engine/sampling_service.h"
#include "engine/training_controller.h"
#include "views/trajectory_view.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"
#include "window/main_window.h"

using namespace efm::ui;

namespace {

// Flows W(t) = softmax(V0 + t d): e-geodesic rays from random starts, as the model's are.
std::shared_ptr<SampleSet> rayFlows(int64_t flows, int64_t times, int64_t classes) {
  auto set = std::make_shared<SampleSet>();
  set->count = flows;
  set->variables = 1;
  set->classes = classes;
  for (int64_t i = 0; i < times; ++i) set->times.push_back(15.0 * double(i) / double(times - 1));
  set->trajectories.resize(size_t(times * flows * classes));
  set->endPoints.resize(size_t(flows * classes));
  std::mt19937 rng(1);
  std::normal_distribution<double> normal;
  const size_t k = static_cast<size_t>(classes);
  std::vector<double> v0(k), d(k), w(k);
  for (int64_t f = 0; f < flows; ++f) {
    for (auto& x : v0) x = normal(rng);
    for (auto& x : d) x = 0;
    d[size_t(f % classes)] = 0.5;
    for (int64_t i = 0; i < times; ++i) {
      double total = 0;
      for (int64_t c = 0; c < classes; ++c)
        total += w[size_t(c)] = std::exp(v0[size_t(c)] + set->times[size_t(i)] * d[size_t(c)]);
      for (int64_t c = 0; c < classes; ++c)
        set->trajectories[size_t((i * flows + f) * classes + c)] = float(w[size_t(c)] / total);
    }
  }
  return set;
}

double orbit(VtkWidget* widget, int frames, std::vector<double>* frameMs) {
  vtkCamera* camera = widget->renderer()->GetActiveCamera();
  QElapsedTimer clock;
  clock.start();
  for (int i = 0; i < frames; ++i) {
    QElapsedTimer frame;
    frame.start();
    camera->Azimuth(360.0 / frames);
    camera->OrthogonalizeViewUp();
    // One frame as the window system sees it: paintGL, then Qt composes the window.
    const long long before = widget->framesRendered();
    widget->update();
    while (widget->framesRendered() == before) QApplication::processEvents();
    widget->context()->functions()->glFinish();
    if (frameMs) frameMs->push_back(frame.nsecsElapsed() / 1e6);
  }
  return frames / (clock.nsecsElapsed() / 1e9);
}

void benchmarkEmpty(int frames) {
  VtkWidget widget;
  widget.resize(1024, 739);
  widget.show();
  QApplication::processEvents();
  widget.renderToImage();
  std::printf("empty VTK widget (the bridge alone), 1024x739: %.1f frames/s\n",
              orbit(&widget, frames, nullptr));
}

void benchmarkFrames(int frames) {
  TrajectoryView view;
  view.resize(1024, 768);
  view.show();
  QApplication::processEvents();
  const auto flows = rayFlows(10000, 76, 3);
  view.setMaxFlows(10000);
  QElapsedTimer clock;
  clock.start();
  view.setSamples(flows);
  const double handOver = clock.nsecsElapsed() / 1e6;
  view.setTime(7.5);
  VtkWidget* widget = view.vtkWidget();
  widget->renderToImage();  // first frame: shader compilation and buffer upload
  std::printf("trajectory view: %d flows x %zu points, %dx%d pixels\n", view.trajectoryLines(),
              flows->times.size(), int(widget->width() * widget->devicePixelRatioF()),
              int(widget->height() * widget->devicePixelRatioF()));
  for (bool interacting : {false, true}) {
    view.setInteracting(interacting);  // what a mouse drag does
    widget->renderToImage();
    std::vector<double> frameMs;
    const double fps = orbit(widget, frames, &frameMs);
    std::sort(frameMs.begin(), frameMs.end());
    std::printf(
        "  orbiting, %s (%d points drawn): %.1f frames/s (median frame %.1f ms, slowest %.1f ms)"
        "   target >= 30\n",
        interacting ? "interactive detail while the camera moves" : "full detail",
        view.trajectoryPoints(), fps, frameMs[frameMs.size() / 2], frameMs.back());
  }
  std::printf("  handing 10,000 new flows to the view: %.0f ms on the GUI thread\n", handOver);
}

// Runs the event loop for `milliseconds` and returns how late the most delayed tick of a
// 2 ms timer was (and the 99th percentile).
std::pair<double, double> measureStall(int milliseconds) {
  std::vector<double> lateness;
  QElapsedTimer clock;
  clock.start();
  double last = 0;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  tick.setInterval(2);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const double now = clock.nsecsElapsed() / 1e6;
    lateness.push_back(std::max(0.0, now - last - 2.0));
    last = now;
  });
  tick.start();
  QEventLoop loop;
  QTimer::singleShot(milliseconds, &loop, &QEventLoop::quit);
  loop.exec();
  std::sort(lateness.begin(), lateness.end());
  if (lateness.empty()) return {0, 0};
  return {lateness.back(), lateness[size_t(0.99 * double(lateness.size() - 1))]};
}

void benchmarkStalls(int milliseconds, int previewEvery, int trainThreads) {
  MainWindow window;
  window.show();
  QApplication::processEvents();
  efm::RunConfig config;
  config.data = "toy:coupled-binary";
  config.train.steps = 10000000;
  window.trainingPanel()->setConfig(config);
  window.trainingPanel()->setPreviewEvery(previewEvery);
  if (trainThreads > 0) window.trainingPanel()->setThreads(trainThreads);
  window.trainingPanel()->startButton()->click();
  int64_t steps = 0;
  QObject::connect(window.trainer(), &TrainingController::progressed,
                   [&](const TrainStatus& s) { steps = s.step; });
  measureStall(1000);  // warm-up: first snapshots and previews
  const int64_t before = steps;
  const auto [trainMax, trainP99] = measureStall(milliseconds);
  std::printf(
      "main window, training coupled-binary (previews every %d steps): %lld steps in %.1f s\n",
      previewEvery, static_cast<long long>(steps - before), milliseconds / 1000.0);
  std::printf("  longest event-loop stall %.1f ms (99th percentile %.1f ms)   target < 50\n",
              trainMax, trainP99);

  window.samplingPanel()->setCount(16000);
  window.sampleNow();
  const auto [sampleMax, sampleP99] = measureStall(milliseconds);
  std::printf(
      "  while also sampling 16,000 labelings: longest stall %.1f ms (99th percentile %.1f ms)\n",
      sampleMax, sampleP99);
  window.trainer()->stop();
  window.sampler()->cancel();
}

}  // namespace

// With --explain-stalls, names every event that kept the GUI thread busy for over 40 ms.
class TimingApplication : public QApplication {
 public:
  using QApplication::QApplication;
  bool explain = false;
  bool notify(QObject* receiver, QEvent* event) override {
    if (!explain || depth_ > 0) return QApplication::notify(receiver, event);
    ++depth_;
    QElapsedTimer clock;
    clock.start();
    const bool result = QApplication::notify(receiver, event);
    --depth_;
    const double ms = clock.nsecsElapsed() / 1e6;
    if (ms > 40)
      std::printf("    stall %.0f ms: event %d to %s\n", ms, int(event->type()),
                  receiver->metaObject()->className());
    return result;
  }

 private:
  int depth_ = 0;
};

int main(int argc, char** argv) {
  efm::tuneRuntime(argv);
  bool quick = false, frames = true, stalls = true;
  int previewEvery = 200, trainThreads = 0;
  for (int i = 1; i < argc; ++i) {
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    if (std::strcmp(argv[i], "--no-frames") == 0) frames = false;
    if (std::strcmp(argv[i], "--no-stalls") == 0) stalls = false;
    if (std::strcmp(argv[i], "--preview-every") == 0 && i + 1 < argc)
      previewEvery = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--train-threads") == 0 && i + 1 < argc)
      trainThreads = std::atoi(argv[++i]);
  }
  qputenv("EFM_STUDIO_RUNS", "/tmp/efm-bench-studio-runs");
  VtkWidget::installDefaultSurfaceFormat();
  TimingApplication app(argc, argv);
  for (int i = 1; i < argc; ++i)
    app.explain = app.explain || std::strcmp(argv[i], "--explain-stalls") == 0;
  QApplication::setOrganizationName("efm-bench");
  QApplication::setApplicationName("efm-bench-studio");
  if (frames) {
    benchmarkEmpty(quick ? 36 : 180);
    benchmarkFrames(quick ? 36 : 180);
  }
  if (stalls) benchmarkStalls(quick ? 3000 : 10000, previewEvery, trainThreads);
  return 0;
}

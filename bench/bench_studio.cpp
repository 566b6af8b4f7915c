// Studio benchmark (issue 3), run under a virtual X server with Mesa's software renderer:
//
//   xvfb-run -a -s "-screen 0 1600x1200x24" build/bin/efm_bench_studio [--quick]
//       [--no-frames] [--no-stalls] [--data SPEC]... [--preview-every N]
//       [--train-threads T] [--engine-priority idle|low|normal] [--view NAME]
//       [--explain-stalls] [--watch-cpus]
//
// 1. Frames per second of the trajectory view showing 10,000 flows of 76 points while the
//    camera orbits (target: at least 30), and the GUI-thread cost of handing it new flows.
//    When the camera stops, the time until full detail is on screen and the longest
//    event-loop pass while it is refined in slices.
// 2. For each data SPEC (coupled-binary, a Dirichlet table and the synthetic street scenes by
//    default): the time from Start to the first preview on screen, and the longest event-loop
//    stall of the main window while training runs, and while a sampling run of 16,000
//    labelings (1,000 flows kept) runs beside it (target: under 50 ms). A 2 ms timer measures
//    how late each tick arrives. Each run starts from the default settings and shows the
//    tab the studio picks for the data, or the one --view names (trajectories, geodesics,
//    meta-simplex, label-maps). --explain-stalls lists, for each tick over 40 ms late, the
//    events of over 5 ms that ran since the tick before, the view each went to, the number and
//    time of the shorter ones, the GUI thread's CPU time, its time runnable without a CPU
//    and its major page faults since then, and the process's CPU time. --watch-cpus adds,
//    for each such tick, the wake-ups of a 1 ms sleeper pinned to each CPU that came over
//    40 ms late meanwhile.
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <vtkCamera.h>
#include <vtkRenderer.h>
#include <QAbstractEventDispatcher>
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QObject>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QPushButton>
#include <QSettings>
#include <QStringList>
#include <QTimer>
#include <QWindow>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>
#include "efm/base/runtime_tuning.h"

#include "bridge/vtk_widget.h"
#include "engine/sampling_service.h"
#include "engine/thread_priority.h"
#include "engine/training_controller.h"
#include "views/trajectory_view.h"
#include "widgets/image_data_options.h"
#include "widgets/image_data_spec.h"
#include "widgets/sampling_panel.h"
#include "widgets/training_panel.h"
#include "window/event_dispatcher_choice.h"
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

// A view's first frame comes a few event-loop passes after it is shown (VtkSurface).
void waitForFirstFrame(VtkWidget* widget) {
  QElapsedTimer clock;
  clock.start();
  while (widget->framesRendered() == 0 && clock.elapsed() < 10000) QApplication::processEvents();
}

int quickFrames(int frames) { return std::max(5, frames / 12); }

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
    widget->scheduleRender();
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
  waitForFirstFrame(&widget);
  widget.renderToImage();
  std::printf("empty VTK widget (the bridge alone), 1024x739: %.1f frames/s\n",
              orbit(&widget, frames, nullptr));
}

void benchmarkFrames(int frames) {
  TrajectoryView view;
  view.resize(1024, 768);
  view.show();
  waitForFirstFrame(view.vtkWidget());
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
  view.setInteracting(true);  // what a mouse drag does
  widget->renderToImage();
  std::vector<double> frameMs;
  const double fps = orbit(widget, frames, &frameMs);
  std::sort(frameMs.begin(), frameMs.end());
  std::printf(
      "  orbiting, interactive detail while the camera moves (%d points drawn): %.1f frames/s "
      "(median frame %.1f ms, slowest %.1f ms)   target >= 30\n",
      view.trajectoryPoints(), fps, frameMs[frameMs.size() / 2], frameMs.back());
  // One full-detail frame drawn in a single pass, as renderToImage (pictures, export) does.
  view.setInteracting(false);
  QElapsedTimer exact;
  exact.start();
  const int exactFrames = quickFrames(frames);
  for (int i = 0; i < exactFrames; ++i) widget->renderToImage();
  std::printf("  full detail (%d points) in one pass: %.1f ms per frame\n", view.trajectoryPoints(),
              exact.nsecsElapsed() / 1e6 / exactFrames);
  // The camera stops: the decimated frame is shown, then full detail is refined in slices.
  std::vector<double> refineMs, stallMs;
  for (int i = 0; i < exactFrames; ++i) {
    view.setInteracting(true);
    widget->renderer()->GetActiveCamera()->Azimuth(10);
    QApplication::processEvents();
    QElapsedTimer stop;
    stop.start();
    bool shown = false;
    auto done = QObject::connect(&view, &TrajectoryView::fullDetailShown, [&] { shown = true; });
    view.setInteracting(false);
    double last = 0, longest = 0;
    while (!shown) {
      QApplication::processEvents();
      const double now = stop.nsecsElapsed() / 1e6;
      longest = std::max(longest, now - last);
      last = now;
    }
    QObject::disconnect(done);
    refineMs.push_back(stop.nsecsElapsed() / 1e6);
    stallMs.push_back(longest);
  }
  std::sort(refineMs.begin(), refineMs.end());
  std::printf(
      "  camera stops: full detail shown after %.0f ms (median of %d), in slices of at most %lld "
      "points; longest event-loop pass %.1f ms   target < 50\n",
      refineMs[refineMs.size() / 2], exactFrames,
      static_cast<long long>(TrajectoryView::kSliceVertices),
      *std::max_element(stallMs.begin(), stallMs.end()));
  std::printf("  handing 10,000 new flows to the view: %.0f ms on the GUI thread\n", handOver);
}

// With --explain-stalls, the events that kept the GUI thread busy for over kLoggedEvent ms
// since the last tick are printed for each tick later than kExplainedStall ms.
constexpr double kExplainedStall = 40, kLoggedEvent = 5;
struct StallLog {
  bool explain = false;
  std::vector<std::string> events;
  int shortEvents = 0;  // events under kLoggedEvent since the last tick, and their time
  double shortMs = 0;
  void clear() {
    events.clear();
    shortEvents = 0;
    shortMs = 0;
  }
} stallLog;

// The calling thread's CPU time, its time runnable but waiting for a CPU, its major page
// faults (pages it had to wait for while they were read from disk), and the whole process's
// CPU time, so far.
struct GuiThreadUsage {
  double cpuMs = 0, runnableMs = 0, processCpuMs = 0;
  long majorFaults = 0;
};
double toMs(const timespec& t) { return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6; }
GuiThreadUsage guiThreadUsage() {
  GuiThreadUsage usage;
  timespec cpu{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) usage.cpuMs = toMs(cpu);
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0) usage.processCpuMs = toMs(cpu);
  rusage thread{};
  if (getrusage(RUSAGE_THREAD, &thread) == 0) usage.majorFaults = thread.ru_majflt;
  // Linux: nanoseconds on a CPU, then nanoseconds waiting on a run queue.
  if (std::FILE* file = std::fopen("/proc/thread-self/schedstat", "r")) {
    unsigned long long running = 0, waiting = 0;
    if (std::fscanf(file, "%llu %llu", &running, &waiting) == 2) usage.runnableMs = waiting / 1e6;
    std::fclose(file);
  }
  return usage;
}

// With --watch-cpus, a thread pinned to each CPU sleeps 1 ms at a time and notes every
// wake-up over kExplainedStall ms late: a stall in which the GUI thread neither ran nor
// waited for a CPU (it slept) is then seen from the CPU it slept on. If that CPU's own
// watcher woke late too, the CPU served no timer in that time.
struct LateWakeup {
  int cpu;
  double atMs, lateMs;  // CLOCK_MONOTONIC, when it woke
};
class CpuWatch {
 public:
  void start() {
    const int cpus = int(std::thread::hardware_concurrency());
    for (int cpu = 0; cpu < cpus; ++cpu) threads_.emplace_back([this, cpu] { watch(cpu); });
  }
  ~CpuWatch() {
    stop_ = true;
    for (std::thread& thread : threads_) thread.join();
  }
  // The late wake-ups that ended in (fromMs, toMs].
  std::vector<LateWakeup> between(double fromMs, double toMs) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<LateWakeup> found;
    for (const LateWakeup& w : late_)
      if (w.atMs > fromMs && w.atMs <= toMs) found.push_back(w);
    return found;
  }

 private:
  void watch(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    while (!stop_) {
      timespec before{}, after{};
      clock_gettime(CLOCK_MONOTONIC, &before);
      const timespec nap{0, 1000000};
      nanosleep(&nap, nullptr);
      clock_gettime(CLOCK_MONOTONIC, &after);
      const double late = toMs(after) - toMs(before) - 1.0;
      if (late > kExplainedStall) {
        std::lock_guard<std::mutex> lock(mutex_);
        late_.push_back({cpu, toMs(after), late});
      }
    }
  }
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<LateWakeup> late_;
};
CpuWatch* cpuWatch = nullptr;

// Runs the event loop for `milliseconds` and returns how late the most delayed tick of a
// 2 ms timer was (and the 99th percentile).
std::pair<double, double> measureStall(int milliseconds) {
  stallLog.clear();  // what ran before the measurement is not its stall
  std::vector<double> lateness;
  QElapsedTimer clock;
  clock.start();
  double last = 0;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  tick.setInterval(2);
  GuiThreadUsage lastUsage = guiThreadUsage();
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const double now = clock.nsecsElapsed() / 1e6;
    lateness.push_back(std::max(0.0, now - last - 2.0));
    if (stallLog.explain) {
      const GuiThreadUsage usage = guiThreadUsage();
      if (lateness.back() > kExplainedStall) {
        // CPU time well under the stall: the thread waited (for llvmpipe's threads, for the
        // CPU, or for pages read back from disk: the major faults).
        // The rest of the stall the GUI thread slept: in the event loop's poll, or on a lock.
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        std::printf(
            "    stall %.0f ms at %.3f s (GUI thread: %.0f ms of CPU, %.0f ms runnable without a "
            "CPU, %ld major page faults; process: %.0f ms of CPU):",
            lateness.back(), toMs(now) / 1e3, usage.cpuMs - lastUsage.cpuMs,
            usage.runnableMs - lastUsage.runnableMs, usage.majorFaults - lastUsage.majorFaults,
            usage.processCpuMs - lastUsage.processCpuMs);
        for (const std::string& event : stallLog.events) std::printf(" %s", event.c_str());
        std::printf(" and %d shorter events (%.0f ms)\n", stallLog.shortEvents, stallLog.shortMs);
        if (cpuWatch) {
          std::printf("      GUI thread now on CPU %d; CPU watchers woken late meanwhile:",
                      sched_getcpu());
          for (const LateWakeup& w :
               cpuWatch->between(toMs(now) - lateness.back() - 2.0, toMs(now) + 1.0))
            std::printf(" CPU %d %.0f ms late at %.3f s;", w.cpu, w.lateMs, w.atMs / 1e3);
          std::printf(" (end)\n");
        }
      }
      lastUsage = usage;
    }
    stallLog.clear();
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

// `view`: the tab shown while measuring (-1: the one the studio picks for the data).
void benchmarkStalls(const QString& spec, int milliseconds, int previewEvery, int trainThreads,
                     int view) {
  QSettings().clear();  // each run starts from the defaults, not from the last run's data
  MainWindow window;
  window.show();
  QApplication::processEvents();
  // As a user picks data: the panel applies its defaults for the kind of data (image data:
  // the small U-Net, previews every 50 steps). The clock runs from this choice: opening
  // and decoding the data counts toward the first preview.
  QElapsedTimer sinceChosen;
  sinceChosen.start();
  window.trainingPanel()->setDataSpec(spec);
  window.trainingPanel()->applyDataKindDefaults(ImageDataSpec::kindOf(spec) !=
                                                ImageDataSpec::Kind::None);
  if (previewEvery > 0) window.trainingPanel()->setPreviewEvery(previewEvery);
  if (trainThreads > 0) window.trainingPanel()->setThreads(trainThreads);
  double firstPreview = -1;
  QObject::connect(&window, &MainWindow::samplesReady, [&](bool preview) {
    if (preview && firstPreview < 0) firstPreview = sinceChosen.nsecsElapsed() / 1e9;
  });
  window.trainingPanel()->startButton()->click();
  int64_t steps = 0;
  QObject::connect(window.trainer(), &TrainingController::progressed,
                   [&](const TrainStatus& s) { steps = s.step; });
  // Warm-up: opening the data, the first snapshots and previews.
  while (firstPreview < 0 && sinceChosen.elapsed() < 300000) measureStall(500);
  if (view >= 0) {
    window.showView(view);
    measureStall(500);  // the tab's first frame
  }
  const int64_t before = steps;
  const auto [trainMax, trainP99] = measureStall(milliseconds);
  std::printf("main window, training %s (%s, previews every %d steps), %s shown:\n",
              qPrintable(spec), window.trainingPanel()->config().network.kind.c_str(),
              window.trainingPanel()->previewEvery(),
              window.currentView()->metaObject()->className());
  std::printf("  first preview on screen %.1f s after the data was chosen; %lld steps in %.1f s\n",
              firstPreview, static_cast<long long>(steps - before), milliseconds / 1000.0);
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

// The view a VTK surface belongs to, or the receiver's parent.
const char* ownerName(QObject* receiver) {
  for (QWidget* widget : QApplication::allWidgets())
    if (auto* vtk = qobject_cast<VtkWidget*>(widget); vtk && vtk->surface() == receiver)
      return vtk->parentWidget() ? vtk->parentWidget()->metaObject()->className() : "VtkWidget";
  // A surface's timer: the surface's view.
  if (qobject_cast<QWindow*>(receiver->parent())) return ownerName(receiver->parent());
  return receiver->parent() ? receiver->parent()->metaObject()->className() : "-";
}

// Logs how long the GUI thread spends on each event (only with --explain-stalls).
class TimingApplication : public QApplication {
 public:
  using QApplication::QApplication;
  bool notify(QObject* receiver, QEvent* event) override {
    if (!stallLog.explain || depth_ > 0) return QApplication::notify(receiver, event);
    ++depth_;
    QElapsedTimer clock;
    clock.start();
    const bool result = QApplication::notify(receiver, event);
    --depth_;
    const double ms = clock.nsecsElapsed() / 1e6;
    if (ms <= kLoggedEvent) {
      ++stallLog.shortEvents;
      stallLog.shortMs += ms;
    } else {
      stallLog.events.push_back(QString("[%1 ms: event %2 to %3 of %4]")
                                    .arg(ms, 0, 'f', 0)
                                    .arg(int(event->type()))
                                    .arg(receiver->objectName().isEmpty()
                                             ? QString(receiver->metaObject()->className())
                                             : receiver->objectName(),
                                         ownerName(receiver))
                                    .toStdString());
    }
    return result;
  }

 private:
  int depth_ = 0;
};

int main(int argc, char** argv) {
  efm::tuneRuntime(argv);
  bool quick = false, frames = true, stalls = true;
  int previewEvery = 0, trainThreads = 0, view = -1;
  QStringList specs;
  for (int i = 1; i < argc; ++i) {
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    if (std::strcmp(argv[i], "--no-frames") == 0) frames = false;
    if (std::strcmp(argv[i], "--no-stalls") == 0) stalls = false;
    if (std::strcmp(argv[i], "--preview-every") == 0 && i + 1 < argc)
      previewEvery = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--train-threads") == 0 && i + 1 < argc)
      trainThreads = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) specs << argv[++i];
    if (std::strcmp(argv[i], "--view") == 0 && i + 1 < argc) {
      const QString name = argv[++i];
      for (int v = MainWindow::Trajectories; v <= MainWindow::LabelMaps; ++v)
        if (MainWindow::viewName(v) == name) view = v;
      if (view < 0) {
        std::fprintf(stderr, "--view takes trajectories, geodesics, meta-simplex or label-maps\n");
        return 2;
      }
    }
    if (std::strcmp(argv[i], "--engine-priority") == 0 && i + 1 < argc) {
      const auto priority = parseEnginePriority(argv[++i]);
      if (!priority) {
        std::fprintf(stderr, "--engine-priority takes idle, low or normal\n");
        return 2;
      }
      setEnginePriority(*priority);
    }
  }
  qputenv("EFM_STUDIO_RUNS", "/tmp/efm-bench-studio-runs");
  VtkWidget::installDefaultSurfaceFormat();
  chooseEventDispatcher();  // as the studio runs
  TimingApplication app(argc, argv);
  CpuWatch watch;
  for (int i = 1; i < argc; ++i) {
    stallLog.explain = stallLog.explain || std::strcmp(argv[i], "--explain-stalls") == 0;
    if (std::strcmp(argv[i], "--watch-cpus") == 0 && !cpuWatch) {
      watch.start();
      cpuWatch = &watch;
    }
  }
  std::printf("GUI thread's event dispatcher: %s\n",
              QAbstractEventDispatcher::instance()->metaObject()->className());
  QApplication::setOrganizationName("efm-bench");
  QApplication::setApplicationName("efm-bench-studio");
  if (frames) {
    benchmarkEmpty(quick ? 36 : 180);
    benchmarkFrames(quick ? 36 : 180);
  }
  // The three runs of issue 21: a table toy, a Dirichlet toy and the embedded street scenes
  // with the studio's image defaults (a small U-Net on 32 x 64 crops).
  if (specs.isEmpty())
    specs << TrainingPanel::toySpecs().at(0) << TrainingPanel::toySpecs().at(2)
          << ImageDataOptions::defaultCityscapesSpec("synthetic");
  if (stalls)
    for (const QString& spec : specs)
      benchmarkStalls(spec, quick ? 3000 : 10000, previewEvery, trainThreads, view);
  return 0;
}

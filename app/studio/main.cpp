// efm-studio: the desktop application. With --demo it trains, samples and saves one PNG per
// view without a person (README, "The studio"); otherwise it opens the window, optionally
// on a checkpoint given as argument.
#include <QApplication>
#include <QCommandLineParser>
#include <QRegularExpression>
#include <QTimer>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include "efm/base/runtime_tuning.h"

#include "bridge/vtk_widget.h"
#include "engine/thread_priority.h"
#include "window/demo_script.h"
#include "window/event_dispatcher_choice.h"
#include "window/main_window.h"

namespace {

// VTK in Debian is GLX-only and aborts without an X server (docs/STACK.md, item 3): say so
// before anything touches it.
bool ensureX11Display() {
  const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
  if (qEnvironmentVariableIsSet("WAYLAND_DISPLAY") &&
      (platform.isEmpty() || platform.startsWith("wayland")))
    qputenv("QT_QPA_PLATFORM", "xcb");  // XWayland gives VTK its GLX
  if (qEnvironmentVariableIsEmpty("DISPLAY")) {
    std::fprintf(
        stderr,
        "efm-studio: no X display (DISPLAY is not set). The views need OpenGL through "
        "X11; on a machine without a screen run\n"
        "  xvfb-run -a efm-studio --demo toy:coupled-binary --steps 1000 --screenshot-dir shots\n"
        "or train with the command line: efm train --help\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  efm::tuneRuntime(argv);
  bool wantsHelp = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    wantsHelp = wantsHelp || a == "--help" || a == "-h" || a == "--version" || a == "-v";
  }
  if (!wantsHelp && !ensureX11Display()) return 2;
  if (wantsHelp) qputenv("QT_QPA_PLATFORM", "offscreen");  // help needs no display

  efm::ui::VtkWidget::installDefaultSurfaceFormat();
  efm::ui::chooseEventDispatcher();
  QApplication app(argc, argv);
  QApplication::setOrganizationName("efm");
  QApplication::setApplicationName("efm-studio");
  QApplication::setApplicationVersion("0.1.0");

  QCommandLineParser parser;
  parser.setApplicationDescription(
      "Train e-geodesic flow matching models, watch them learn, sample, and explore the "
      "geometry of the simplex.");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(
      "checkpoint", "A checkpoint to open (written by efm train or the studio).", "[checkpoint]");
  QCommandLineOption demo("demo", "Train on SPEC, sample, save one PNG per view and exit.", "SPEC");
  QCommandLineOption steps("steps", "Training steps of the demo (default 1000).", "N", "1000");
  QCommandLineOption shots("screenshot-dir",
                           "Where the demo writes its pictures (default studio-screenshots).",
                           "DIR", "studio-screenshots");
  QCommandLineOption samples(
      "samples", "Labelings the demo samples (default 2000; 16 label maps for image data).", "N",
      "0");
  QCommandLineOption compare(
      "compare",
      "With --demo: train one run per path (two or more of ray, bridge, linear, dirichlet, "
      "fisher) side by side and picture the comparison.",
      "PATHS");
  QCommandLineOption maskTraining(
      "demo-mask-training", "With --demo: train with given nodes (efm train --mask-training).");
  QCommandLineOption conditionOnClass(
      "demo-condition-on-class",
      "With --demo: train a class-conditional model (data with class labels).");
  QCommandLineOption given("demo-given",
                           "With --demo: sample with these nodes given, e.g. 0=1,2=0.", "NODES");
  QCommandLineOption labelClass("demo-class", "With --demo: sample this class.", "K", "-1");
  QCommandLineOption guidance("demo-guidance", "With --demo --demo-class: the guidance weight.",
                              "W", "1");
  QCommandLineOption inpaint(
      "demo-inpaint",
      "With --demo on label maps: then keep the lower half of map 1, sample again and save "
      "label-maps-inpainted.png.");
  QCommandLineOption click(
      "demo-click",
      "With --demo on toys: show node NODE in the simplex view and click the vertex of class "
      "LABEL (both from 0), which fixes the node and samples its conditional.",
      "NODE=LABEL");
  QCommandLineOption likelihood(
      "demo-likelihood",
      "With --demo: then press Bound log p in the Likelihood dock (ray or bridge) and save "
      "likelihood.png when the bound is in.");
  QCommandLineOption paint(
      "demo-paint",
      "With --demo: paint a ring on the Target dock's painter (two variables, 12 classes) and "
      "train on it instead of SPEC; saves target.png.");
  QCommandLineOption edit(
      "demo-edit",
      "With --demo on a small table: type WEIGHT for labeling INDEX (from 0) in the Target "
      "dock's table editor and train on the edited table; saves target.png.",
      "INDEX=WEIGHT");
  QCommandLineOption tour("demo-tour",
                          "With --demo: after sampling, show each stage of the guided tour and "
                          "save tour-1-geodesic.png ... tour-5-label-maps.png.");
  QCommandLineOption priority(
      "engine-priority",
      "Scheduling of the training and sampling threads: low (default, nice +10), idle (only "
      "CPU time nothing else wants: frames slightly smoother while training toys, image "
      "models much slower) or normal (as the window).",
      "low|idle|normal", "low");
  parser.addOptions({demo, steps, shots, samples, compare, maskTraining, conditionOnClass, given,
                     labelClass, guidance, inpaint, click, likelihood, paint, edit, tour,
                     priority});
  parser.process(app);
  if (const auto chosen = efm::ui::parseEnginePriority(parser.value(priority).toStdString())) {
    efm::ui::setEnginePriority(*chosen);
  } else {
    std::fprintf(stderr, "efm-studio: --engine-priority takes idle, low or normal, got '%s'\n",
                 parser.value(priority).toLocal8Bit().constData());
    return 2;
  }

  efm::ui::MainWindow window;
  window.show();

  if (parser.isSet(demo)) {
    bool stepsOk = false, samplesOk = false;
    efm::ui::DemoOptions options;
    options.spec = parser.value(demo);
    options.steps = parser.value(steps).toInt(&stepsOk);
    options.samples = parser.value(samples).toInt(&samplesOk);
    options.screenshotDir = parser.value(shots);
    options.maskTraining = parser.isSet(maskTraining);
    options.conditionOnClass = parser.isSet(conditionOnClass);
    options.given = parser.value(given);
    options.inpaint = parser.isSet(inpaint);
    options.likelihood = parser.isSet(likelihood);
    options.paint = parser.isSet(paint);
    options.tour = parser.isSet(tour);
    if (parser.isSet(edit)) {
      const QRegularExpressionMatch match =
          QRegularExpression(R"(^\s*(\d+)\s*=\s*([0-9.eE+]+)\s*$)").match(parser.value(edit));
      bool weightOk = false;
      if (match.hasMatch()) options.editWeight = match.captured(2).toDouble(&weightOk);
      if (!match.hasMatch() || !weightOk || !(options.editWeight >= 0) ||
          !std::isfinite(options.editWeight)) {
        std::fprintf(stderr,
                     "efm-studio: --demo-edit takes INDEX=WEIGHT with a weight >= 0, e.g. 2=5, "
                     "got '%s'\n",
                     parser.value(edit).toLocal8Bit().constData());
        return 2;
      }
      options.editLabeling = match.captured(1).toInt();
    }
    bool classOk = false, guidanceOk = false;
    options.labelClass = parser.value(labelClass).toInt(&classOk);
    options.guidance = parser.value(guidance).toDouble(&guidanceOk);
    if (!classOk || options.labelClass < -1 || !guidanceOk || !(options.guidance >= 0)) {
      std::fprintf(
          stderr, "efm-studio: --demo-class takes a class number, --demo-guidance a number >= 0\n");
      return 2;
    }
    if (parser.isSet(click)) {
      const QRegularExpressionMatch match =
          QRegularExpression(R"(^\s*(\d+)\s*=\s*(\d+)\s*$)").match(parser.value(click));
      if (!match.hasMatch()) {
        std::fprintf(stderr, "efm-studio: --demo-click takes NODE=LABEL, e.g. 0=2, got '%s'\n",
                     parser.value(click).toLocal8Bit().constData());
        return 2;
      }
      options.clickNode = match.captured(1).toInt();
      options.clickClass = match.captured(2).toInt();
    }
    if (parser.isSet(compare)) {
      options.compare = parser.value(compare).split(',', Qt::SkipEmptyParts);
      if (options.compare.size() < 2 || options.compare.removeDuplicates() > 0) {
        std::fprintf(stderr,
                     "efm-studio: --compare takes two or more different paths, "
                     "e.g. --compare ray,dirichlet\n");
        return 2;
      }
    }
    if (!stepsOk || options.steps < 1 || !samplesOk || options.samples < 0 ||
        (parser.isSet(samples) && options.samples < 1)) {
      std::fprintf(stderr, "efm-studio: --steps and --samples take a positive whole number\n");
      return 2;
    }
    auto* script = new efm::ui::DemoScript(&window, options);
    QObject::connect(script, &efm::ui::DemoScript::done, &app,
                     [](int code) { QApplication::exit(code); });
    QTimer::singleShot(0, script, &efm::ui::DemoScript::start);
  } else if (!parser.positionalArguments().isEmpty()) {
    const QString file = parser.positionalArguments().front();
    QTimer::singleShot(0, &window, [&window, file] { window.openCheckpoint(file); });
  } else {
    QTimer::singleShot(0, &window, [&window] { window.openTourOnFirstStart(); });
  }
  return app.exec();
}

// The VTK views with known inputs: what they draw is where the geometry says, and the
// geodesic explorer follows the mouse.
#include <catch2/catch.hpp>

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkRenderer.h>
#include <QApplication>
#include <QElapsedTimer>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <utility>
#include <vector>
#include "efm/geometry/geometry_exact.h"

#include "bridge/vtk_surface.h"
#include "bridge/vtk_widget.h"
#include "views/geodesic_view.h"
#include "views/meta_simplex_view.h"
#include "views/trajectory_view.h"

using namespace efm::ui;
using Catch::Matchers::WithinAbs;

namespace {

// Flows along exact e-geodesics from the barycenter to smoothed vertices: S samples,
// n nodes, c classes, T times in [0, 15].
std::shared_ptr<SampleSet> geodesicFlows(int64_t s, int64_t n, int64_t c, int64_t t) {
  auto set = std::make_shared<SampleSet>();
  set->count = s;
  set->variables = n;
  set->classes = c;
  set->modelStep = 42;
  for (int64_t i = 0; i < t; ++i) set->times.push_back(15.0 * double(i) / double(t - 1));
  set->trajectories.resize(size_t(t * s * n * c));
  set->endPoints.resize(size_t(s * n * c));
  const Eigen::VectorXd center = Eigen::VectorXd::Constant(c, 1.0 / double(c));
  for (int64_t k = 0; k < s; ++k)
    for (int64_t node = 0; node < n; ++node) {
      Eigen::VectorXd target = Eigen::VectorXd::Constant(c, 0.01 / double(c));
      target[(k + node) % c] += 0.99;
      for (int64_t i = 0; i < t; ++i) {
        const Eigen::VectorXd w = efm::exact::eGeodesic(center, target, double(i) / double(t - 1));
        for (int64_t j = 0; j < c; ++j)
          set->trajectories[size_t(((i * s + k) * n + node) * c + j)] = float(w[j]);
      }
      for (int64_t j = 0; j < c; ++j)
        set->endPoints[size_t((k * n + node) * c + j)] = float(target[j]);
    }
  set->modelJoint.assign(size_t(std::pow(double(c), double(n))),
                         1.0 / std::pow(double(c), double(n)));
  return set;
}

int distinctColors(const QImage& image) {
  std::set<QRgb> colors;
  for (int y = 0; y < image.height(); y += 3)
    for (int x = 0; x < image.width(); x += 3) colors.insert(image.pixel(x, y));
  return int(colors.size());
}

}  // namespace

TEST_CASE("trajectory view draws every flow and puts points where the geometry says", "[views]") {
  TrajectoryView view;
  view.resize(640, 480);
  DataSummary data;
  data.variables = 2;
  data.classes = 3;
  data.marginals = {0.2, 0.3, 0.5, 0.6, 0.2, 0.2};
  view.setData(data);
  view.setSamples(geodesicFlows(50, 2, 3, 76));
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  CHECK(view.trajectoryLines() == 100);  // 50 flows x 2 nodes
  CHECK(view.particleCount() == 100);
  view.setNode(1);
  CHECK(view.trajectoryLines() == 50);
  CHECK(view.particleCount() == 50);

  const std::vector<Point3> v = simplexVertices(3);
  const float e2[3] = {0, 1, 0};
  CHECK((view.place(e2, 0) - v[1]).norm() < 1e-6);
  CHECK(view.timeEnd() == Approx(15.0));
  view.setTime(7.5);
  CHECK(view.time() == Approx(7.5).margin(0.01));
  const QImage image = view.vtkWidget()->renderToImage();
  CHECK(distinctColors(image) > 20);

  // Play animates the cloud: the time advances by itself, and Pause holds it.
  view.setTime(0);
  QTest::mouseClick(view.playButton(), Qt::LeftButton);
  QTest::qWait(400);
  QTest::mouseClick(view.playButton(), Qt::LeftButton);
  const double played = view.time();
  CHECK(played > 0.3);
  QTest::qWait(200);
  CHECK(view.time() == played);

  SECTION("a field slice is drawn as one arrow per grid point") {
    QSignalSpy requested(&view, &TrajectoryView::fieldRequested);
    view.setTime(3.0);
    REQUIRE(requested.wait(2000));
    auto field = std::make_shared<FieldSlice>();
    field->time = 3.0;
    field->classes = 3;
    field->points = view.fieldGrid();
    for (size_t i = 0; i < field->points.size(); i += 3) {
      // Toward vertex 1: v = e1 - p (a tangent vector).
      field->velocities.push_back(1 - field->points[i]);
      field->velocities.push_back(-field->points[i + 1]);
      field->velocities.push_back(-field->points[i + 2]);
    }
    view.setField(field);
    CHECK(distinctColors(view.vtkWidget()->renderToImage()) > 20);
  }
}

TEST_CASE("while the camera moves, the trajectory view draws a decimated copy", "[views]") {
  TrajectoryView view;
  view.resize(400, 300);
  view.setMaxFlows(5000);
  view.setSamples(geodesicFlows(5000, 1, 3, 76));
  CHECK(view.trajectoryPoints() == 5000 * 76);
  view.setInteracting(true);
  CHECK(view.trajectoryPoints() <= TrajectoryView::kInteractiveVertices);
  CHECK(view.trajectoryPoints() > TrajectoryView::kInteractiveVertices / 2);
  view.setInteracting(false);
  CHECK(view.trajectoryPoints() == 5000 * 76);
  // Small sets are drawn in full either way.
  view.setSamples(geodesicFlows(10, 1, 3, 76));
  view.setInteracting(true);
  CHECK(view.trajectoryPoints() == 760);
}

namespace {
// S flows W(t) = softmax(v0 + t d) from random starts v0 toward vertex s mod 3, T times.
std::shared_ptr<SampleSet> scatteredRays(int64_t s, int64_t t) {
  auto set = std::make_shared<SampleSet>();
  set->count = s;
  set->variables = 1;
  set->classes = 3;
  for (int64_t i = 0; i < t; ++i) set->times.push_back(15.0 * double(i) / double(t - 1));
  set->trajectories.resize(size_t(t * s * 3));
  set->endPoints.resize(size_t(s * 3));
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  for (int64_t k = 0; k < s; ++k) {
    const double v0[3] = {normal(rng), normal(rng), normal(rng)};
    for (int64_t i = 0; i < t; ++i) {
      double w[3], total = 0;
      for (int j = 0; j < 3; ++j)
        total += w[j] = std::exp(v0[j] + (j == k % 3 ? 0.3 * set->times[size_t(i)] : 0.0));
      for (int j = 0; j < 3; ++j)
        set->trajectories[size_t((i * s + k) * 3 + j)] = float(w[j] / total);
    }
  }
  set->modelJoint.assign(3, 1.0 / 3.0);
  return set;
}

double differingPixels(const QImage& a, const QImage& b) {
  const QImage x = a.convertToFormat(QImage::Format_RGB32),
               y = b.convertToFormat(QImage::Format_RGB32);
  if (x.size() != y.size()) return 1.0;
  int64_t differing = 0;
  for (int row = 0; row < x.height(); ++row)
    for (int col = 0; col < x.width(); ++col) {
      const QRgb p = x.pixel(col, row), q = y.pixel(col, row);
      differing += std::abs(qRed(p) - qRed(q)) + std::abs(qGreen(p) - qGreen(q)) +
                       std::abs(qBlue(p) - qBlue(q)) >
                   24;
    }
  return double(differing) / double(x.width() * x.height());
}
}  // namespace

TEST_CASE("when the camera stops, full detail is drawn in slices and shown at once", "[views]") {
  TrajectoryView view;
  view.resize(500, 400);
  view.setMaxFlows(3000);
  view.setSamples(scatteredRays(3000, 76));  // 228,000 points: twelve slices of 20,000 at most
  QSignalSpy refined(&view, &TrajectoryView::fullDetailShown);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  REQUIRE(refined.wait(10000));
  CHECK_FALSE(view.refining());
  CHECK(view.trajectoryPoints() == 3000 * 76);
  QApplication::processEvents();
  VtkWidget* vtk = view.vtkWidget();
  const QPoint at = vtk->mapTo(&view, QPoint(0, 0));
  const QImage shown = view.screen()
                           ->grabWindow(view.winId(), at.x(), at.y(), vtk->width(), vtk->height())
                           .toImage();
  const QImage exact = vtk->renderToImage();  // every point in one pass
  view.setInteracting(true);
  const QImage decimated = vtk->renderToImage();
  view.setInteracting(false);
  const double progressive = differingPixels(shown, exact);
  const double coarse = differingPixels(decimated, exact);
  INFO("pixels differing from the one-pass frame: refined on screen " << progressive
                                                                      << ", decimated " << coarse);
  CHECK(coarse > 0.01);  // the decimated copy is visibly another picture
  CHECK(progressive < coarse / 10);

  SECTION("moving the camera stops a refinement; the next still frame starts one") {
    refined.clear();
    view.setInteracting(true);
    CHECK_FALSE(view.refining());
    vtk->scheduleRender();
    QTest::qWait(200);
    CHECK(refined.isEmpty());
    view.setInteracting(false);
    REQUIRE(refined.wait(10000));
  }
}

namespace {
// Start and end of every vtkRenderer::Render of a view, in ms on one clock.
struct PassLog {
  QElapsedTimer clock;
  std::vector<std::pair<double, double>> passes;
  static void record(vtkObject*, unsigned long event, void* self, void*) {
    auto* log = static_cast<PassLog*>(self);
    const double now = double(log->clock.nsecsElapsed()) / 1e6;
    if (event == vtkCommand::StartEvent)
      log->passes.emplace_back(now, -1.0);
    else if (!log->passes.empty())
      log->passes.back().second = now;
  }
  void observe(vtkRenderer* renderer) {
    clock.start();
    for (unsigned long event : {vtkCommand::StartEvent, vtkCommand::EndEvent}) {
      vtkNew<vtkCallbackCommand> command;
      command->SetCallback(&PassLog::record);
      command->SetClientData(this);
      renderer->AddObserver(event, command);
    }
  }
};
}  // namespace

TEST_CASE("drawing passes of all views are kept apart: the event loop runs between them",
          "[views]") {
  TrajectoryView view, other;
  view.resize(500, 400);
  other.resize(300, 300);
  view.setMaxFlows(3000);
  view.setSamples(scatteredRays(3000, 76));  // refined in twelve slices
  other.setSamples(scatteredRays(200, 20));
  QSignalSpy refined(&view, &TrajectoryView::fullDetailShown);
  view.show();
  other.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  REQUIRE(QTest::qWaitForWindowExposed(&other));
  REQUIRE(refined.wait(10000));
  QTest::qWait(50);

  // Frames of both views asked for while the first is refined: every pass of either view
  // begins at least kPassGapMs after the one before it ended.
  PassLog log;
  log.observe(view.vtkWidget()->renderer());
  log.observe(other.vtkWidget()->renderer());
  refined.clear();
  for (int i = 0; i < 6; ++i) {
    view.vtkWidget()->scheduleRender();
    other.vtkWidget()->scheduleRender();
    QTest::qWait(15);
  }
  REQUIRE(refined.wait(10000));
  std::sort(log.passes.begin(), log.passes.end());
  REQUIRE(log.passes.size() >= 8);  // frames of both views and the slices
  for (size_t i = 1; i < log.passes.size(); ++i) {
    INFO("pass " << i << " began " << log.passes[i].first - log.passes[i - 1].second
                 << " ms after the one before ended");
    REQUIRE(log.passes[i - 1].second >= 0);
    CHECK(log.passes[i].first - log.passes[i - 1].second >= VtkSurface::kPassGapMs);
  }
}

TEST_CASE("trajectory view shows c = 2 on a time axis and c > 4 on a chosen face", "[views]") {
  TrajectoryView view;
  view.resize(400, 300);
  view.setSamples(geodesicFlows(10, 1, 2, 11));
  const float half[2] = {0.5f, 0.5f};
  CHECK((view.place(half, 15.0) - Point3(0, 1, 0)).norm() < 1e-6);  // top of the axis
  CHECK((view.place(half, 0.0) - Point3(0, 0, 0)).norm() < 1e-6);

  view.setSamples(geodesicFlows(10, 1, 7, 11));
  CHECK(view.selection().dimension() == 3);
  view.setShownClasses({6, 0, 3});
  const float p[7] = {0.1f, 0.2f, 0.1f, 0.3f, 0.1f, 0.1f, 0.1f};  // shown: 0.1, 0.1, 0.3
  const std::vector<Point3> v = simplexVertices(3);
  CHECK((view.place(p, 0) - (0.2 * v[0] + 0.2 * v[1] + 0.6 * v[2])).norm() < 1e-6);
  CHECK(view.trajectoryLines() == 10);
}

TEST_CASE("geodesic explorer: curves, lengths, balls and dragging", "[views]") {
  GeodesicView view;
  view.resize(600, 500);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  const Eigen::Vector3d p(0.7, 0.2, 0.1), q(0.1, 0.3, 0.6);
  view.setPoints(p, q);

  // Midpoints of the drawn polylines against closed forms (201 samples: index 100 is t = 1/2).
  Eigen::VectorXd e = (p.array() * q.array()).sqrt().matrix();
  e /= e.sum();
  Eigen::VectorXd f = (p.array().sqrt() + q.array().sqrt()).matrix();
  f = (f / f.norm()).array().square().matrix();
  CHECK((view.curvePoints(GeodesicKind::Exponential)[100] - embedSimplexPoint(e)).norm() <
        1e-6);  // float picture
  CHECK((view.curvePoints(GeodesicKind::Mixture)[100] - embedSimplexPoint((p + q) / 2)).norm() <
        1e-6);  // float picture
  CHECK((view.curvePoints(GeodesicKind::FisherRao)[100] - embedSimplexPoint(f)).norm() <
        1e-6);  // float picture

  // Lengths: the Fisher-Rao geodesic is the shortest and equals 2 arccos(sum sqrt(p q)).
  const double distance = 2 * std::acos((p.array() * q.array()).sqrt().sum());
  CHECK_THAT(view.lengths()[2], WithinAbs(distance, 1e-3));
  CHECK(view.lengths()[0] > distance);
  CHECK(view.lengths()[1] > distance);

  view.setBallsVisible(true);
  const std::vector<Point3> ring = view.ballPoints();
  REQUIRE(ring.size() > 100);
  for (const Point3& x : ring) {
    const double d = efm::exact::fisherRaoDistance(p, triangleBarycentric(x, 1e-9));
    double nearest = 1e9;
    for (double r : view.ballRadii()) nearest = std::min(nearest, std::abs(d - r));
    CHECK(nearest < 1e-3);  // the picture stores float coordinates
  }

  // Dragging p with the left button moves it to the point under the mouse.
  QSignalSpy changed(&view, &GeodesicView::pointsChanged);
  VtkWidget* canvas = view.vtkWidget();
  canvas->renderToImage();  // the camera is set up by the first frame
  vtkRenderer* renderer = canvas->renderer();
  auto toWidget = [&](const Eigen::Vector3d& b) {
    const Point3 x = embedSimplexPoint(b);
    renderer->SetWorldPoint(x.x(), x.y(), x.z(), 1.0);
    renderer->WorldToDisplay();
    double d[3];
    renderer->GetDisplayPoint(d);
    const double ratio = canvas->devicePixelRatioF();
    return QPoint(int(std::lround(d[0] / ratio)),
                  int(std::lround((canvas->height() * ratio - 1 - d[1]) / ratio)));
  };
  const Eigen::Vector3d target(0.4, 0.4, 0.2);
  QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, toWidget(p));
  QTest::mouseMove(canvas, toWidget(target));
  QMouseEvent move(QEvent::MouseMove, QPointF(toWidget(target)),
                   canvas->mapToGlobal(QPointF(toWidget(target))), Qt::NoButton, Qt::LeftButton,
                   Qt::NoModifier);
  QApplication::sendEvent(canvas, &move);
  QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, toWidget(target));
  CHECK(changed.count() >= 2);
  CHECK((view.p() - target).norm() < 0.02);  // within a pixel or two
  CHECK((view.q() - q).norm() < 1e-12);
}

TEST_CASE("meta-simplex: target, model and trail for two binary nodes; heat maps otherwise",
          "[views]") {
  MetaSimplexView view;
  view.resize(500, 400);
  DataSummary data;
  data.variables = 2;
  data.classes = 2;
  data.joint = {0.4, 0.1, 0.1, 0.4};
  data.marginals = {0.5, 0.5, 0.5, 0.5};
  view.setData(data);
  REQUIRE(view.showsTetrahedron());
  for (int step = 1; step <= 3; ++step) {
    auto samples = geodesicFlows(20, 2, 2, 5);
    samples->modelStep = step * 100;
    samples->modelJoint = {0.25 + 0.05 * step, 0.25 - 0.05 * step, 0.25 - 0.05 * step,
                           0.25 + 0.05 * step};
    view.setSamples(samples);
  }
  REQUIRE(view.trail().size() == 3);
  CHECK((view.trail().back() - embedJoint2x2(Eigen::Vector4d(0.4, 0.1, 0.1, 0.4))).norm() <
        1e-6);  // float picture
  for (const Point3& x : view.surfacePoints()) CHECK(x.norm() < 1.0);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  CHECK(distinctColors(view.vtkWidget()->renderToImage()) > 20);

  DataSummary big;
  big.variables = 2;
  big.classes = 5;
  big.joint.assign(25, 1.0 / 25);
  big.marginals.assign(10, 0.2);
  view.setData(big);
  CHECK_FALSE(view.showsTetrahedron());
  CHECK(view.trail().empty());
  CHECK(distinctColors(view.vtkWidget()->renderToImage()) > 10);
}

// Label maps at scale: a 64 x 128 map (n = 8192) that nothing draws in full per frame, and
// the label-map view's frame rate while it scrubs (hidden, for README's figures).
#include "gui_harness.h"
#include "label_map_fixtures.h"

#include <catch2/catch.hpp>

#include <QElapsedTimer>
#include <QTest>
#include <cstdio>
#include <memory>

#include "bridge/vtk_widget.h"
#include "views/label_map_images.h"
#include "views/label_map_view.h"
#include "views/meta_simplex_view.h"
#include "views/trajectory_view.h"

using namespace efm::ui;

using gui_test::palette;

TEST_CASE("a 64 x 128 label map (n = 8192): one pixel's flows, nothing drawn per node",
          "[images]") {
  const int64_t h = 64, w = 128, c = 8, n = h * w, times = 31;
  auto set = std::make_shared<SampleSet>();
  set->count = 8;
  set->variables = n;
  set->classes = c;
  set->image = palette(h, w, c);
  for (int64_t t = 0; t < times; ++t) set->times.push_back(0.5 * double(t));
  set->trajectories.assign(size_t(times * 2 * n * c), 1.0f / float(c));
  set->endPoints.assign(size_t(8 * n * c), 1.0f / float(c));
  set->labels.assign(size_t(8 * n), 3);
  DataSummary data;
  data.variables = n;
  data.classes = c;
  data.image = set->image;
  data.marginals.assign(size_t(n * c), 1.0 / double(c));

  QElapsedTimer clock;
  clock.start();
  TrajectoryView simplex;
  simplex.resize(500, 400);
  simplex.setData(data);
  simplex.setSamples(set);
  simplex.setNode(-1);  // "all nodes" does not exist for label maps: one pixel stays
  CHECK(simplex.node() == 0);
  CHECK(simplex.trajectoryLines() == 2);
  CHECK(simplex.particleCount() == 2);
  simplex.setNode(n - 1);
  CHECK(simplex.node() == n - 1);
  MetaSimplexView meta;
  meta.resize(500, 400);
  meta.setData(data);
  meta.setSamples(set);
  LabelMapView maps;
  maps.resize(900, 600);
  maps.setData(data);
  maps.setSamples(set, true);
  maps.show();
  REQUIRE(QTest::qWaitForWindowExposed(&maps));
  CHECK(maps.galleryCount() == 8);
  for (int i = 0; i < times; ++i) maps.setTimeIndex(i);
  maps.renderToImage();
  simplex.show();
  simplex.vtkWidget()->renderToImage();
  CHECK(clock.elapsed() < 10000);
}

// Not run by default (hidden tag): frames per second of the label-map view while it scrubs a
// 64 x 128 map, for README's figures. `efm_gui_tests "[.measure]"` under xvfb-run.
TEST_CASE("label-map view frame rate while scrubbing", "[.measure]") {
  const int64_t h = 64, w = 128, c = 8, n = h * w, times = 76;
  auto set = std::make_shared<SampleSet>();
  set->count = 16;
  set->variables = n;
  set->classes = c;
  set->image = palette(h, w, c);
  for (int64_t t = 0; t < times; ++t) set->times.push_back(0.2 * double(t));
  set->trajectories.resize(size_t(times * 4 * n * c));
  for (size_t i = 0; i < set->trajectories.size(); ++i)
    set->trajectories[i] = float((i * 2654435761u) % 1000) / 1000.0f;
  set->endPoints.assign(size_t(16 * n * c), 1.0f / float(c));
  set->labels.resize(size_t(16 * n));
  for (size_t i = 0; i < set->labels.size(); ++i) set->labels[i] = int64_t(i / 97 % c);
  LabelMapView view;
  view.resize(1100, 750);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  QElapsedTimer clock;
  clock.start();
  view.setSamples(set, false);
  const qint64 handOver = clock.restart();
  const long long frames = view.vtkWidget()->framesRendered();
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < times; ++i) {
      view.setTimeIndex(i);
      view.vtkWidget()->renderNow();
    }
  const double seconds = double(clock.elapsed()) / 1000.0;
  const double fps = double(view.vtkWidget()->framesRendered() - frames) / seconds;
  clock.restart();
  const long long still = view.vtkWidget()->framesRendered();
  for (int i = 0; i < 60; ++i) view.vtkWidget()->renderNow();
  std::printf(
      "unchanged frames: %.1f frames/s\n",
      double(view.vtkWidget()->framesRendered() - still) / (double(clock.elapsed()) / 1000.0));
  std::printf("label maps 64x128, 16 maps: hand-over %lld ms; scrubbing %.1f frames/s\n",
              static_cast<long long>(handOver), fps);
  CHECK(fps > 0);
}

// The label-map view and its helpers with hand-made sample sets: palette colours, argmax and
// entropy of W(t) at exact values, the gallery's layout, the time slider, and a pixel clicked
// with the mouse.
#include "gui_harness.h"
#include "label_map_fixtures.h"

#include <catch2/catch.hpp>

#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <QApplication>
#include <QComboBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>
#include <algorithm>
#include <cmath>

#include "bridge/vtk_widget.h"
#include "views/label_map_images.h"
#include "views/label_map_view.h"
#include "views/trajectory_view.h"
#include "views/vtk_scene.h"
#include "widgets/class_bars.h"

using namespace efm::ui;
using Catch::Matchers::WithinAbs;

using gui_test::kBlue;
using gui_test::kGreen;
using gui_test::kRed;
using gui_test::palette;
using gui_test::waitFor;

namespace {

// S samples of an H x W map with c classes, the first `kept` with flows of T = 3 times
// (0, 1, 2): at t = 0 every pixel is uniform; at t = 1 pixel i leans to class (i + s) % c
// with probability 0.6 (the rest shared); at t = 2 it is one-hot on that class. W_end is
// the last time and the labels its argmax.
std::shared_ptr<SampleSet> handMade(int64_t s, int64_t kept, int64_t h, int64_t w, int64_t c) {
  auto set = std::make_shared<SampleSet>();
  const int64_t n = h * w;
  set->count = s;
  set->variables = n;
  set->classes = c;
  set->modelStep = 77;
  set->image = palette(h, w, c);
  set->times = {0.0, 1.0, 2.0};
  auto state = [&](int64_t sample, int64_t t, int64_t node, int64_t k) {
    const int64_t favourite = (node + sample) % c;
    if (t == 0) return 1.0f / float(c);
    if (t == 1) return k == favourite ? 0.6f : 0.4f / float(c - 1);
    return k == favourite ? 1.0f : 0.0f;
  };
  for (int64_t t = 0; t < 3; ++t)
    for (int64_t f = 0; f < kept; ++f)
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < c; ++k) set->trajectories.push_back(state(f, t, i, k));
  for (int64_t f = 0; f < s; ++f)
    for (int64_t i = 0; i < n; ++i) {
      set->labels.push_back((i + f) % c);
      for (int64_t k = 0; k < c; ++k) set->endPoints.push_back(state(f, 2, i, k));
    }
  return set;
}

// The colour the view's frame shows at the centre of pixel `node` of `rect`.
Rgb renderedColour(LabelMapView& view, const QImage& frame, const MapRect& rect, int64_t node) {
  const auto centre = rect.centre(node);
  const QPoint at = view.widgetPosition(centre[0], centre[1]);
  const double ratio = view.vtkWidget()->devicePixelRatioF();
  const QRgb pixel = frame.pixel(int(at.x() * ratio), int(at.y() * ratio));
  return {uint8_t(qRed(pixel)), uint8_t(qGreen(pixel)), uint8_t(qBlue(pixel))};
}

}  // namespace

TEST_CASE("label maps: argmax, entropy, top classes and the gallery's grid", "[images]") {
  const auto set = handMade(2, 2, 2, 3, 3);
  REQUIRE(keptFlows(*set) == 2);
  CHECK(nearestTimeIndex(set->times, 0.4) == 0);
  CHECK(nearestTimeIndex(set->times, 0.5) == 0);  // a tie goes to the earlier time
  CHECK(nearestTimeIndex(set->times, 1.7) == 2);
  CHECK(nearestTimeIndex(set->times, 9.0) == 2);

  // Sample 1 at t = 1: pixel i leans to class (i + 1) % 3 with 0.6, the others 0.2 each.
  const float* w = flowState(*set, 1, 1);
  CHECK(argmaxClasses(w, 6, 3) == std::vector<int64_t>{1, 2, 0, 1, 2, 0});
  const std::vector<float> h = entropies(w, 6, 3);
  const double expected = -(0.6 * std::log(0.6) + 2 * 0.2 * std::log(0.2));
  for (float x : h) CHECK_THAT(x, WithinAbs(expected, 1e-6));
  for (float x : entropies(flowState(*set, 0, 0), 6, 3))
    CHECK_THAT(x, WithinAbs(std::log(3.0), 1e-6));
  for (float x : entropies(flowState(*set, 0, 2), 6, 3)) CHECK(x == 0.0f);
  // Ties go to the lower class, as the sampler reads labels out.
  const float tie[4] = {0.1f, 0.4f, 0.4f, 0.1f};
  CHECK(argmaxClasses(tie, 1, 4) == std::vector<int64_t>{1});
  CHECK(topClasses(tie, 4, 3) == std::vector<int>{1, 2, 0});

  const ImageInfo info = palette(2, 3, 3);
  const std::vector<uint8_t> rgb = colourLabels({0, 1, 2, 2, 1, 0}, info);
  CHECK(Rgb{rgb[3], rgb[4], rgb[5]} == kGreen);
  CHECK(Rgb{rgb[15], rgb[16], rgb[17]} == kRed);
  CHECK(classColour(info, 7) != classColour(info, 8));  // outside the palette: still distinct

  // 8 maps of 32 x 64 in a box twice as wide as high: 3 columns (scale 1/96) beat 4 (1/128).
  const std::vector<MapRect> grid = galleryLayout(8, 32, 64, 2.0, 0.0);
  REQUIRE(grid.size() == 8);
  CHECK(grid[2].x == 128);
  CHECK(grid[3].x == 0);
  CHECK(grid[3].y == -32);
  CHECK(grid[7].y == -64);
  CHECK(galleryLayout(8, 32, 64, 8.0, 0.0)[7].x == 7 * 64);  // a wide box: one row
  // The view's picture: 16 maps of 32 x 64 and the scrubbed row in a 456 x 638 room are
  // largest with 3 columns (2.31 pixels per map pixel; 4 columns: 1.73, 2 columns: 1.92).
  const LabelMapLayout layout = labelMapLayout(16, 32, 64, true, 456, 638, 24);
  REQUIRE(layout.gallery.size() == 16);
  CHECK(layout.gallery[2].x > 0);
  CHECK(layout.gallery[3].x == 0);
  CHECK_THAT(layout.pixelsPerUnit, WithinAbs(456 / 197.12, 1e-9));
  CHECK(layout.scrub[0].scale == 1.0);  // never smaller than the gallery's maps
  // Titles get their room: the scrubbed row starts a title below the gallery.
  CHECK(layout.scrub[0].y == Approx(layout.gallery.back().bottom() - layout.title - 1.28));
  CHECK(layout.scrub[2].right() <= layout.right + 1e-9);
  CHECK((layout.top - layout.bottom) * layout.pixelsPerUnit <= 638 + 1e-6);
  CHECK(labelMapLayout(16, 32, 64, false, 456, 638, 24).scrub[0].width == 0);

  MapRect rect;
  rect.x = 10;
  rect.y = 5;
  rect.scale = 2;
  rect.height = 2;
  rect.width = 3;
  CHECK(rect.nodeAt(10.1, 4.9) == 0);
  CHECK(rect.nodeAt(15.9, 1.1) == 5);  // row 1, column 2
  CHECK(rect.nodeAt(16.1, 4.0) == -1);
  CHECK(rect.centre(4)[0] == 13.0);
  CHECK(rect.centre(4)[1] == 2.0);
}

TEST_CASE("label-map view: palette colours, the time slider and Play", "[images]") {
  LabelMapView view;
  view.resize(900, 600);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  const auto set = handMade(5, 2, 4, 6, 3);
  view.setSamples(set, true);
  REQUIRE(view.showsImages());
  CHECK(view.galleryCount() == 5);
  CHECK(view.classBars()->classCount() == 3);

  // Sample 3's labels in the palette's colours, in the vtkImageData and on the screen.
  const QImage frame = view.vtkWidget()->renderToImage();
  for (int64_t node : {0, 7, 23}) {
    const Rgb colour = classColour(set->image, (node + 3) % 3);
    CHECK(LabelMapView::pixelColour(view.galleryImage(3), node / 6, node % 6) == colour);
    CHECK(renderedColour(view, frame, view.galleryRects()[3], node) == colour);
  }

  // The slider starts at t_end: argmax is the favourite class, entropy 0.
  REQUIRE(view.timeSlider()->maximum() == 2);
  CHECK(view.timeIndex() == 2);
  vtkSmartPointer<vtkLookupTable> entropyColours = viridis(0, std::log(3.0));
  auto entropyColour = [&](double h) {
    const unsigned char* c = entropyColours->MapValue(h);
    return Rgb{c[0], c[1], c[2]};
  };
  CHECK(LabelMapView::pixelColour(view.scrubImage(0), 0, 1) == kGreen);  // node 1: class 1
  CHECK(LabelMapView::pixelColour(view.scrubImage(1), 0, 1) == entropyColour(0.0));
  // t = 0: uniform, so argmax is class 0 everywhere and the entropy log 3.
  view.timeSlider()->setValue(0);
  CHECK(view.time() == 0.0);
  CHECK(LabelMapView::pixelColour(view.scrubImage(0), 0, 1) == kRed);
  CHECK(LabelMapView::pixelColour(view.scrubImage(1), 0, 1) == entropyColour(std::log(3.0)));
  CHECK(LabelMapView::pixelColour(view.scrubImage(2), 0, 1) == entropyColour(0.0));  // W_end
  view.timeSlider()->setValue(1);
  const double h1 = -(0.6 * std::log(0.6) + 2 * 0.2 * std::log(0.2));
  CHECK(LabelMapView::pixelColour(view.scrubImage(1), 0, 1) == entropyColour(h1));
  const QImage scrubbed = view.vtkWidget()->renderToImage();
  CHECK(renderedColour(view, scrubbed, view.scrubRect(0), 1) == kGreen);

  // Another sample: its own flow.
  view.sampleSpin()->setValue(2);
  CHECK(view.selectedSample() == 1);
  CHECK(LabelMapView::pixelColour(view.scrubImage(0), 0, 1) == kBlue);  // (1 + 1) % 3

  // Play runs through the recorded times and Pause holds them.
  view.timeSlider()->setValue(0);
  QTest::mouseClick(view.playButton(), Qt::LeftButton);
  REQUIRE(waitFor([&] { return view.timeIndex() > 0; }));
  QTest::mouseClick(view.playButton(), Qt::LeftButton);
  const int held = view.timeIndex();
  QTest::qWait(300);
  CHECK(view.timeIndex() == held);

  // The gallery can show the entropy of W_end instead (0 everywhere here).
  view.galleryColours()->setCurrentIndex(1);
  CHECK(LabelMapView::pixelColour(view.galleryImage(4), 1, 1) == entropyColour(0.0));
  CHECK(view.renderToImage().width() > view.vtkWidget()->width());  // the legend beside it
}

TEST_CASE("clicking a pixel inspects it and sends its flows to the simplex view", "[images]") {
  LabelMapView view;
  view.resize(900, 600);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  TrajectoryView simplex;
  QObject::connect(&view, &LabelMapView::pixelInspected,
                   [&](int node, const std::vector<int>& classes) {
                     simplex.setNode(node);
                     simplex.setShownClasses(classes);
                   });
  const auto set = handMade(4, 3, 4, 6, 5);
  simplex.setSamples(set);
  view.setSamples(set);
  view.vtkWidget()->renderToImage();  // the camera of the first frame

  QSignalSpy inspected(&view, &LabelMapView::pixelInspected);
  // Pixel (row 2, column 4) = node 16 of the argmax map; sample 0 at t_end is one-hot on
  // class 16 % 5 = 1, so its top three are 1, then 0 and 2 (ties: lower class first).
  const auto centre = view.scrubRect(0).centre(16);
  QTest::mouseClick(view.vtkWidget(), Qt::LeftButton, Qt::NoModifier,
                    view.widgetPosition(centre[0], centre[1]));
  REQUIRE(inspected.count() == 1);
  CHECK(inspected.front().at(0).toInt() == 16);
  CHECK(view.inspectedPixel() == 16);
  CHECK(view.inspectedClasses() == std::vector<int>{1, 0, 2});
  CHECK(simplex.node() == 16);
  CHECK(simplex.selection().shown() == std::vector<int>{1, 0, 2});
  CHECK(simplex.trajectoryLines() == 3);  // the three kept flows of that pixel
  // The inspector shows W(t) of that pixel at the slider's time.
  view.setTimeIndex(1);
  const std::vector<float>& bars = view.classBars()->probabilities();
  REQUIRE(bars.size() == 5);
  CHECK(bars[1] == 0.6f);
  CHECK(bars[3] == 0.1f);

  // A click on the entropy map inspects the same way; pinning a class puts it first.
  const auto other = view.scrubRect(1).centre(3);
  QTest::mouseClick(view.vtkWidget(), Qt::LeftButton, Qt::NoModifier,
                    view.widgetPosition(other[0], other[1]));
  CHECK(view.inspectedPixel() == 3);
  QTest::mouseClick(view.classBars(), Qt::LeftButton, Qt::NoModifier,
                    view.classBars()->rowRect(4).center());
  CHECK(view.inspectedClasses() == std::vector<int>{4, 3, 0});
  CHECK(simplex.selection().shown() == std::vector<int>{4, 3, 0});

  // A click on a gallery map with a flow selects it; one without a flow does not.
  const MapRect& second = view.galleryRects()[2];
  QTest::mouseClick(view.vtkWidget(), Qt::LeftButton, Qt::NoModifier,
                    view.widgetPosition(second.x + 1, second.y - 1));
  CHECK(view.selectedSample() == 2);
  const MapRect& last = view.galleryRects()[3];
  QTest::mouseClick(view.vtkWidget(), Qt::LeftButton, Qt::NoModifier,
                    view.widgetPosition(last.x + 1, last.y - 1));
  CHECK(view.selectedSample() == 2);
}

TEST_CASE("painting given pixels: the brush paints the scrubbed map, and the picture shows it",
          "[images][conditioning]") {
  LabelMapView view;
  view.resize(900, 600);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  const auto set = handMade(4, 3, 4, 6, 3);  // sample 0 at t_end: pixel i has class i % 3
  view.setSamples(set);
  view.vtkWidget()->renderToImage();  // the camera of the first frame
  REQUIRE(view.paintClassBox()->count() == 3);

  QSignalSpy painted(&view, &LabelMapView::givenPainted);
  view.paintButton()->setChecked(true);
  view.paintClassBox()->setCurrentIndex(0);
  // A stroke from pixel 8 (row 1, column 2) to pixel 10 (row 1, column 4), brush 3 x 3.
  const auto from = view.scrubRect(0).centre(8), to = view.scrubRect(0).centre(10);
  const QPoint start = view.widgetPosition(from[0], from[1]);
  const QPoint end = view.widgetPosition(to[0], to[1]);
  QTest::mousePress(view.vtkWidget(), Qt::LeftButton, Qt::NoModifier, start);
  QMouseEvent move(QEvent::MouseMove, QPointF(end), QPointF(view.vtkWidget()->mapToGlobal(end)),
                   Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(view.vtkWidget(), &move);
  QTest::mouseRelease(view.vtkWidget(), Qt::LeftButton, Qt::NoModifier, end);
  CHECK(painted.count() >= 2);
  const std::vector<int64_t>& given = view.paintedPixels();
  REQUIRE(given.size() == 24);
  // Rows 0-2, columns 1-5 are painted with class 0; column 0 and row 3 are not.
  for (int64_t node = 0; node < 24; ++node) {
    const int64_t row = node / 6, column = node % 6;
    INFO("pixel " << node);
    CHECK(given[size_t(node)] == (row <= 2 && column >= 1 ? 0 : -1));
  }
  CHECK(view.inspectedPixel() != 8);  // painting does not inspect
  // The rendered scrubbed map shows the painted class where painted, the flow elsewhere.
  QImage frame = view.vtkWidget()->renderToImage();
  CHECK(renderedColour(view, frame, view.scrubRect(0), 8) == kRed);    // class 2 before
  CHECK(renderedColour(view, frame, view.scrubRect(0), 23) == kBlue);  // 23 % 3 = 2, unpainted
  // Clear paint: the flow's own classes again.
  view.clearPainted();
  frame = view.vtkWidget()->renderToImage();
  CHECK(renderedColour(view, frame, view.scrubRect(0), 8) == kBlue);
  CHECK(std::count(view.paintedPixels().begin(), view.paintedPixels().end(), -1) == 24);
}

TEST_CASE("image data is shown before any model: its maps and its class frequencies", "[images]") {
  // A 4 x 6 map with 3 classes: example map e is class e % 3 everywhere; every pixel has
  // marginals (0.5, 0.3, 0.2), so the class frequencies are those.
  DataSummary data;
  data.variables = 24;
  data.classes = 3;
  data.image = palette(4, 6, 3);
  for (int64_t node = 0; node < 24; ++node)
    data.marginals.insert(data.marginals.end(), {0.5, 0.3, 0.2});
  data.exampleCount = 5;
  for (int64_t e = 0; e < 5; ++e)
    for (int64_t node = 0; node < 24; ++node) data.examples.push_back(e % 3);

  LabelMapView view;
  view.resize(900, 650);
  view.setData(data);
  view.show();
  REQUIRE(QTest::qWaitForWindowExposed(&view));
  REQUIRE(view.showsData());
  REQUIRE(view.galleryCount() == 5);
  const Rgb colours[3] = {kRed, kGreen, kBlue};
  QImage frame = view.vtkWidget()->renderToImage();
  for (int e = 0; e < 5; ++e) {
    CHECK(LabelMapView::pixelColour(view.galleryImage(e), 1, 2) == colours[e % 3]);
    CHECK(renderedColour(view, frame, view.galleryRects()[size_t(e)], 9) == colours[e % 3]);
  }
  const std::vector<float> shares = view.classBars()->probabilities();
  REQUIRE(shares.size() == 3);
  CHECK_THAT(shares[0], WithinAbs(0.5, 1e-6));
  CHECK_THAT(shares[1], WithinAbs(0.3, 1e-6));
  CHECK_THAT(shares[2], WithinAbs(0.2, 1e-6));
  // A click on a map of the data scrubs nothing (there is no flow) and does not crash.
  const MapRect& first = view.galleryRects().front();
  const auto centre = first.centre(0);
  QTest::mouseClick(view.vtkWidget(), Qt::LeftButton, {},
                    view.widgetPosition(centre[0], centre[1]));

  SECTION("samples take the gallery; 'maps of the data' brings the data back") {
    view.setSamples(handMade(2, 2, 4, 6, 3));
    CHECK_FALSE(view.showsData());
    CHECK(view.galleryCount() == 2);
    // Sample 1's labels are (node + 1) % 3: pixel (1, 2) = node 8 is class 0.
    CHECK(LabelMapView::pixelColour(view.galleryImage(1), 1, 2) == kRed);
    view.galleryColours()->setCurrentIndex(LabelMapView::kDataGallery);
    CHECK(view.showsData());
    CHECK(view.galleryCount() == 5);
    frame = view.vtkWidget()->renderToImage();
    CHECK(renderedColour(view, frame, view.galleryRects()[1], 9) == kGreen);
    CHECK_THAT(view.classBars()->probabilities().at(0), WithinAbs(0.5, 1e-6));
  }
}

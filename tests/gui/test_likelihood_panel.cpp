// The studio's likelihood dock: the service bounds log p of a test set on its worker thread
// (and refuses what it cannot bound, with a message), the panel shows the result, and its
// chart draws the histogram bars and the error bars on screen.
#include <torch/torch.h>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>

#include "engine/likelihood_service.h"
#include "widgets/likelihood_chart.h"
#include "widgets/likelihood_panel.h"

// After LibTorch: its glog headers define CHECK too.
#include "gui_harness.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace efm::ui;

namespace {

// Pixels of `image` within a small distance of `color`.
int pixelsOf(const QImage& image, const QColor& color) {
  int count = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QColor p = image.pixelColor(x, y);
      if (std::abs(p.red() - color.red()) + std::abs(p.green() - color.green()) +
              std::abs(p.blue() - color.blue()) <
          12)
        ++count;
    }
  return count;
}

LikelihoodRequest smallRequest(SnapshotPtr model) {
  LikelihoodRequest request;
  request.model = std::move(model);
  request.items = 12;
  request.samples = 8;
  request.posteriorSteps = 5;
  request.seed = 3;
  return request;
}

}  // namespace

TEST_CASE("the likelihood service bounds log p of a test set on its own thread", "[likelihood]") {
  LikelihoodService service;
  QSignalSpy done(&service, &LikelihoodService::finished);
  QSignalSpy busy(&service, &LikelihoodService::busyChanged);
  QSignalSpy progress(&service, &LikelihoodService::progressed);
  service.submit(smallRequest(gui_test::untrainedModel("ray")));
  REQUIRE(done.wait(120000));
  const auto report = done.front().at(0).value<std::shared_ptr<const LikelihoodReport>>();
  REQUIRE(report->logLikelihood.size() == 12);  // drawn from the Dirichlet table
  CHECK(report->source.find("12 labelings drawn") != std::string::npos);
  CHECK(report->samples == 8);
  for (std::size_t k = 0; k < 12; ++k) {
    CHECK(report->logLikelihood[k] <= 0);
    CHECK(report->elbo[k] <= report->logLikelihood[k] + 1e-9);  // the ELBO is below L_K
    CHECK(report->effectiveSamples[k] >= 1);
    CHECK(report->effectiveSamples[k] <= 8);
  }
  CHECK(std::isfinite(report->bitsPerDimension));
  CHECK(report->bitsPerDimension > 0);
  CHECK(progress.count() > 0);
  CHECK_FALSE(service.busy());
  REQUIRE(busy.count() == 2);  // on, then off
  CHECK(busy.at(0).at(0).toBool());
  CHECK_FALSE(busy.at(1).at(0).toBool());

  // The same request again: the same numbers (seeded posterior, draws and test set).
  service.submit(smallRequest(gui_test::untrainedModel("ray")));
  REQUIRE(done.wait(120000));
  const auto again = done.at(1).at(0).value<std::shared_ptr<const LikelihoodReport>>();
  CHECK(again->logLikelihood == report->logLikelihood);
}

TEST_CASE("the likelihood service says what it cannot bound", "[likelihood]") {
  LikelihoodService service;
  QSignalSpy failed(&service, &LikelihoodService::failed);
  service.submit(smallRequest(gui_test::untrainedModel("linear")));
  REQUIRE(failed.wait(60000));
  CHECK(failed.front().at(0).toString().contains("e-geodesic"));
  service.submit(smallRequest(nullptr));
  REQUIRE(failed.wait(60000));
  CHECK(failed.at(1).at(0).toString().contains("no model yet"));
  LikelihoodRequest wrongShape = smallRequest(gui_test::untrainedModel("ray"));
  wrongShape.testData = "toy:coupled-binary";  // n = 2, c = 2 against the model's c = 3
  service.submit(wrongShape);
  REQUIRE(failed.wait(60000));
  CHECK(failed.at(2).at(0).toString().contains("c=2"));
  CHECK_FALSE(service.busy());

  // Cancelling a long job stops it and says so.
  LikelihoodRequest slow = smallRequest(gui_test::untrainedModel("ray"));
  slow.posteriorSteps = 1000000;
  service.submit(slow);
  REQUIRE(gui_test::waitFor([&] { return service.busy(); }));
  service.cancel();
  CHECK_FALSE(service.busy());
  CHECK(failed.back().at(0).toString() == "cancelled");
}

TEST_CASE("the likelihood panel shows the bound and draws its chart", "[likelihood]") {
  LikelihoodPanel panel;
  panel.resize(420, 620);
  panel.show();
  REQUIRE(QTest::qWaitForWindowExposed(&panel));
  const QImage empty = panel.chart()->grab().toImage();
  CHECK(pixelsOf(empty, LikelihoodChart::barColor()) == 0);

  LikelihoodReport report;
  report.modelStep = 1200;
  report.variables = 1024;
  report.samples = 16;
  report.source = "the first 40 items of idx:fashion-mnist-test?levels=2&pad=32";
  for (int k = 0; k < 40; ++k) {
    report.logLikelihood.push_back(-300.0 - 5.0 * k);
    report.standardError.push_back(4.0);
    report.elbo.push_back(-400.0 - 5.0 * k);
    report.effectiveSamples.push_back(1.5);
  }
  report.bitsPerDimension = 0.4512;
  report.bitsPerDimensionSe = 1e-4;
  report.meanElbo = -500;
  report.meanEffectiveSamples = 1.5;
  panel.showReport(report);
  QTest::qWait(50);
  const QString summary = panel.summaryLabel()->text();
  CHECK(summary.contains("0.4512"));
  CHECK(summary.contains("step 1200"));
  CHECK(summary.contains("K = 16"));

  // 40 values spread evenly: every one of the 24 bins holds one or two.
  const std::vector<int> bins = panel.chart()->binCounts();
  int total = 0;
  for (int count : bins) {
    CHECK(count >= 1);
    total += count;
  }
  CHECK(total == 40);
  const QImage drawn = panel.chart()->grab().toImage();
  CHECK(pixelsOf(drawn, LikelihoodChart::barColor()) > 500);       // histogram bars and dots
  CHECK(pixelsOf(drawn, LikelihoodChart::errorBarColor()) > 100);  // the error bars

  panel.setBusy(true);
  CHECK_FALSE(panel.boundButton()->isEnabled());
  CHECK(panel.cancelButton()->isEnabled());
  panel.showError("cancelled");
  panel.setBusy(false);
  CHECK(panel.boundButton()->isEnabled());
  CHECK(panel.summaryLabel()->text() == "Cancelled.");
}

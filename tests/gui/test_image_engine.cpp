// The engine on image data: opening a (synthetic) Cityscapes tree on the worker reports its
// progress and the label-map shape with the class palette; samples carry the shape, and the
// flows kept for the views are those of the first maps, also when they come from a run of
// their own.
#include <torch/torch.h>
#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include "efm/data/dataset.h"

#include "engine/model_snapshot.h"
#include "engine/sampling_service.h"
#include "engine/training_controller.h"
#include "label_map_fixtures.h"
#include "views/label_map_images.h"

// After LibTorch: its glog headers define CHECK too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>

using namespace efm::ui;

namespace {
// Four 64 x 128 street scenes, scaled to 16 x 32 and cut into 8 x 16 crops (n = 128).
QString streets(const QTemporaryDir& dir) {
  gui_test::writeSmallStreets(dir.path().toStdString(), 4, 7);
  return "cityscapes:" + dir.path() + "?scale=0.25&crop=8x16";
}
}  // namespace

TEST_CASE("image data: progress while opening, the palette in the summary and the samples",
          "[images]") {
  QTemporaryDir dir;
  const QString spec = streets(dir);

  TrainingController controller;
  QSignalSpy loading(&controller, &TrainingController::dataLoading);
  QSignalSpy changed(&controller, &TrainingController::dataChanged);
  QSignalSpy problem(&controller, &TrainingController::dataProblem);
  controller.inspectData(spec);
  REQUIRE(changed.wait(30000));
  INFO((problem.isEmpty() ? QString() : problem.front().at(0).toString()).toStdString());
  REQUIRE(loading.size() == 2);
  CHECK(loading[0].at(0).toBool());
  CHECK_FALSE(loading[1].at(0).toBool());
  const DataSummary summary = changed.front().at(0).value<DataSummary>();
  CHECK(summary.variables == 128);
  CHECK(summary.classes == 8);
  CHECK(summary.image.height == 8);
  CHECK(summary.image.width == 16);
  REQUIRE(summary.image.classNames.size() == 8);
  CHECK(summary.image.classNames[5] == "sky");
  CHECK(summary.image.classColours.size() == 8);
  CHECK(summary.joint.empty());  // 8^128 cells
  // Maps of the data for the Label maps tab: crops as training draws them, the same ones
  // each time the data is opened; class frequencies from the marginals.
  REQUIRE(summary.exampleCount == 16);
  REQUIRE(summary.examples.size() == size_t(16 * 128));
  CHECK(std::all_of(summary.examples.begin(), summary.examples.end(),
                    [](int64_t label) { return label >= 0 && label < 8; }));
  CHECK(std::set<int64_t>(summary.examples.begin(), summary.examples.end()).size() >= 3);
  const std::vector<double> frequencies = summary.classFrequencies();
  REQUIRE(frequencies.size() == 8);
  CHECK_THAT(std::accumulate(frequencies.begin(), frequencies.end(), 0.0),
             Catch::Matchers::WithinAbs(1.0, 1e-9));
  QSignalSpy again(&controller, &TrainingController::dataChanged);
  controller.inspectData(spec + "&crops=random");  // another SPEC: opened anew
  REQUIRE(again.wait(30000));
  controller.inspectData(spec);
  REQUIRE(again.wait(30000));
  CHECK(again.back().at(0).value<DataSummary>().examples == summary.examples);

  efm::RunConfig config;
  config.data = spec.toStdString();
  efm::DatasetPtr data = efm::openDataset(config.data);
  config.variables = data->variables();
  config.classes = data->classes();
  config.image = data->imageLayout();
  config.network.kind = "cnn";
  config.network.hidden = 16;
  efm::resolveAndValidate(config);
  torch::manual_seed(0);
  efm::VectorFieldPtr network =
      efm::makeVectorField(config.variables, config.classes, config.network, config.image);
  SamplingService service;
  SampleRequest request;
  request.model =
      makeSnapshot(config, 5, *network, efm::makeProbabilityPath(config.path), data, torch::kCPU);
  request.count = 6;
  request.keepTrajectories = 2;
  request.step = 1.0;
  for (double limit : {1e12, 1.0}) {  // flows cut from the run; then from a run of their own
    INFO("memory limit " << limit);
    service.setFlowMemoryLimit(limit);
    QSignalSpy sampled(&service, &SamplingService::sampled);
    service.submit(request);
    REQUIRE(sampled.wait(60000));
    const auto set = sampled.front().at(0).value<std::shared_ptr<const SampleSet>>();
    CHECK(set->image.height == 8);
    CHECK(set->image.width == 16);
    CHECK(set->image.classNames.size() == 8);
    REQUIRE(keptFlows(*set) == 2);
    REQUIRE(set->labels.size() == size_t(6 * 128));
    // Map k < 2 is the end of flow k: the views scrub the map the gallery shows.
    for (int64_t k = 0; k < 2; ++k) {
      const std::vector<int64_t> fromFlow =
          argmaxClasses(flowState(*set, k, int64_t(set->times.size()) - 1), 128, 8);
      const std::vector<int64_t> shown(set->labels.begin() + k * 128,
                                       set->labels.begin() + (k + 1) * 128);
      CHECK(fromFlow == shown);
    }
  }
}

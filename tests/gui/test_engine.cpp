// The sampling thread on a real (untrained) network: the flows it keeps, the labelings and
// the comparison with the data, whether the flows come from the big run or a second one.
#include <torch/torch.h>
#include <QSignalSpy>
#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"

#include "engine/model_snapshot.h"
#include "engine/sampling_service.h"

// After LibTorch: its glog headers define CHECK too.
#include "gui_harness.h"

#include <catch2/catch.hpp>

using namespace efm::ui;

using gui_test::untrainedModel;

namespace {
std::shared_ptr<const SampleSet> sampleWith(SamplingService& service,
                                            const SampleRequest& request) {
  QSignalSpy spy(&service, &SamplingService::sampled);
  service.submit(request);
  REQUIRE(spy.wait(60000));
  return spy.front().at(0).value<std::shared_ptr<const SampleSet>>();
}
}  // namespace

TEST_CASE("sampling keeps the asked-for flows from one run or from a second one", "[engine]") {
  SamplingService service;
  SampleRequest request;
  request.model = untrainedModel();
  request.count = 300;
  request.keepTrajectories = 25;
  request.step = 0.5;                 // 30 steps to t_end 15
  for (double limit : {1e12, 1.0}) {  // flows cut from the big run; then a run of their own
    service.setFlowMemoryLimit(limit);
    const auto s = sampleWith(service, request);
    INFO("memory limit " << limit);
    REQUIRE(s->times.size() == 31);
    CHECK(s->times.back() == Approx(15.0));
    CHECK(s->trajectories.size() == size_t(31 * 25 * 2 * 3));
    CHECK(s->labels.size() == size_t(300 * 2));
    CHECK(s->endPoints.size() == size_t(300 * 2 * 3));
    // Flows start at the reference distribution's draws and stay on the simplex.
    for (size_t i = 0; i < s->trajectories.size(); i += 3)
      CHECK(s->trajectories[i] + s->trajectories[i + 1] + s->trajectories[i + 2] ==
            Approx(1.0).margin(1e-5));
    REQUIRE(s->klTargetModel.has_value());
    CHECK(*s->klTargetModel >= 0);
    REQUIRE(s->modelJoint.size() == 9);
    double total = 0;
    for (double p : s->modelJoint) total += p;
    CHECK(total == Approx(1.0).margin(1e-9));
  }
}

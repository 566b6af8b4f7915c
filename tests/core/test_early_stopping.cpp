// Early decision stopping (efm/sampling/early_stopping.h, docs/METHOD.md §11): the top-two
// gaps and the rule, exactness where the velocity bound is exact (a constant field, whose
// gaps move linearly and may cross), the accounting of evaluations, and the refusals. The
// agreement with full integration on trained models is in test_learning.cpp.
#include "input_errors.h"

#include "efm/models/vector_field.h"
#include "efm/paths/path_registry.h"
#include "efm/sampling/early_stopping.h"
#include "efm/sampling/sampler.h"
#include "efm/sampling/sampling_request.h"

#include <string_view>

#include <torch/torch.h>
#include <catch2/catch.hpp>

using namespace efm;
using torch::Tensor;

namespace {

// F(W, t) = M for every W and t: in logit coordinates dV/dt = P0 M, a constant velocity, so
// the largest |velocity| seen at the first evaluation is the exact bound for all time.
class ConstantFieldImpl : public VectorFieldImpl {
 public:
  explicit ConstantFieldImpl(const Tensor& m) : m_(m) {}
  Tensor forward(const Tensor& w, const Tensor&) override {
    ++calls;
    rows += w.size(0);
    return m_.expand(w.sizes());
  }
  double multiplyAddsPerSample() const override { return 0; }
  int64_t calls = 0, rows = 0;

 private:
  Tensor m_;
};

ProbabilityPathPtr pathNamed(const std::string& name) {
  PathOptions options;
  options.kind = name;
  return makeProbabilityPath(options);
}

}  // namespace

TEST_CASE("Top-two gaps and the decision rule", "[math][early-stopping]") {
  const Tensor state = torch::tensor({3.0F, 1.0F, 0.5F, 0.0F, 0.2F, 0.1F}).view({1, 2, 3});
  const Tensor gaps = topTwoGaps(state);
  CHECK(gaps[0][0].item<float>() == Approx(2.0F));
  CHECK(gaps[0][1].item<float>() == Approx(0.1F));
  CHECK_THROWS_AS(topTwoGaps(torch::zeros({2, 3, 1})), InputError);

  DecisionMonitor monitor;
  CHECK_FALSE(monitor.decided(state, 1.0).item<bool>());  // nothing measured: nothing decided
  monitor.observeVelocity(torch::tensor({0.25F, -0.5F}));
  CHECK(monitor.bound() == Approx(0.5));
  // Node 2's gap 0.1 is overturned by 2 * 0.5 * t for t > 0.1: decided only with less left.
  CHECK_FALSE(monitor.decided(state, 0.2).item<bool>());
  CHECK(monitor.decided(state, 0.09).item<bool>());
  CHECK(monitor.decided(state, 0.0).item<bool>());
  DecisionMonitor careful(2.0);  // a safety factor doubles the reach
  careful.observeVelocity(torch::tensor({0.5F}));
  CHECK_FALSE(careful.decided(state, 0.09).item<bool>());
  CHECK_THROWS_AS(DecisionMonitor(0.5), InputError);
}

TEST_CASE("Early stopping on a constant field: every label kept, fewer evaluations",
          "[early-stopping]") {
  // 4 nodes, 3 classes; the field pulls each node towards one class from random starts, so
  // many gaps shrink, cross zero and grow again: stopping early on those would be wrong.
  const Tensor m = torch::tensor(
      {{1.0F, 0.0F, -1.0F}, {0.0F, 1.5F, 0.0F}, {-0.5F, 0.0F, 1.0F}, {-1.0F, 1.0F, 0.0F}});
  auto field = std::make_shared<ConstantFieldImpl>(m);
  for (const char* name : {"ray", "bridge"}) {
    INFO(name);
    const ProbabilityPathPtr path = pathNamed(name);
    SampleOptions options;
    options.count = 3000;
    options.variables = 4;
    options.classes = 3;
    options.solver = path->defaultSolver();
    options.seed = 5;
    const SampleResult full = sampleLabelings(*field, *path, options);
    CHECK(full.meanEvaluations == Approx(double(full.evaluations)));
    field->rows = 0;
    options.earlyStop = true;
    const SampleResult early = sampleLabelings(*field, *path, options);
    // The bound is exact here, so the rule never stops a labeling whose label would change.
    CHECK(torch::equal(early.labels, full.labels));
    CHECK(early.evaluations == full.evaluations);
    CHECK(early.meanEvaluations < full.evaluations);
    // Ray's 60 Euler steps give the rule many chances; bridge's own sampler takes 5.
    if (std::string_view(name) == "ray") CHECK(early.meanEvaluations < 0.9 * full.evaluations);
    // The network saw exactly the evaluations reported.
    CHECK(double(field->rows) == Approx(early.meanEvaluations * options.count));
  }
}

TEST_CASE("Early stopping refuses what it is not derived for", "[early-stopping][errors]") {
  auto field = std::make_shared<ConstantFieldImpl>(torch::zeros({2, 2}));
  SampleOptions options;
  options.count = 4;
  options.variables = 2;
  options.classes = 2;
  options.earlyStop = true;
  const ProbabilityPathPtr linear = pathNamed("linear");
  options.solver = linear->defaultSolver();
  CHECK_THAT(inputErrorMessage([&] { sampleLabelings(*field, *linear, options); }),
             Catch::Contains("not for the linear path"));
  const ProbabilityPathPtr ray = pathNamed("ray");
  options.solver = ray->defaultSolver();
  options.readout = Readout::Factorized;
  CHECK_THAT(inputErrorMessage([&] { sampleLabelings(*field, *ray, options); }),
             Catch::Contains("factorized readout"));
  SamplingRequest request;
  request.earlyStop = true;
  request.readout = "factorized";
  CHECK_THAT(inputErrorMessage([&] { sampleOptionsFor(*ray, 2, 2, request); }),
             Catch::Contains("factorized"));
  request.readout = "argmax";
  request.earlyStopSafety = 0.5;
  CHECK_THAT(inputErrorMessage([&] { sampleOptionsFor(*ray, 2, 2, request); }),
             Catch::Contains("at least 1"));
}

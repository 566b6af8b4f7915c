// Known distributions learned to a stated accuracy: seeded, small enough for CI.
#include "efm/eval/conditional_exactness.h"
#include "efm/eval/evaluation.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/trainer.h"
#include "scratch_directory.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace efm;

namespace {

// With `earlyStop`, the same labelings are drawn again from the same noise with early
// decision stopping: the same labels for at least 99.5% of them, at fewer evaluations.
Evaluation trainAndEvaluate(RunConfig config, int64_t samples, bool earlyStop = false) {
  resolveAndValidate(config);
  const DatasetPtr data = openDataset(config.data);
  Trainer trainer(config, data);
  double firstLoss = 0, lastLoss = 0;
  for (int64_t k = 0; k < config.train.steps; ++k) {
    const double loss = trainer.step();
    if (k < 50) firstLoss += loss / 50;
    if (k >= config.train.steps - 50) lastLoss += loss / 50;
  }
  INFO("loss " << firstLoss << " -> " << lastLoss);
  CHECK(lastLoss < firstLoss);
  SamplingRequest request;  // the path's own sampler
  request.count = samples;
  request.seed = 11;
  const SampleOptions options =
      sampleOptionsFor(trainer.path(), data->variables(), data->classes(), request);
  const SampleResult result = sampleLabelings(trainer.network(), trainer.path(), options);
  if (earlyStop) {
    SampleOptions stopping = options;
    stopping.earlyStop = true;
    const SampleResult early = sampleLabelings(trainer.network(), trainer.path(), stopping);
    const double agreement =
        (early.labels == result.labels).all(1).to(torch::kFloat64).mean().item<double>();
    INFO("early stopping: " << early.meanEvaluations << " of " << result.evaluations
                            << " evaluations on average, agreement " << agreement);
    CHECK(agreement >= 0.995);
    CHECK(early.meanEvaluations < result.evaluations);
  }
  return evaluateSamples(*data, result.labels);
}

// A 3-class Potts chain with strong pairwise dependence as a pmf file in `dir`:
// p(x) ∝ exp(2 [x1 = x2] + 2 [x2 = x3] + 0.5 [x1 = 0] - 0.5 [x3 = 2]).
std::string writePottsChain(const std::filesystem::path& dir) {
  const std::string table = (dir / "potts3.pmf").string();
  std::ofstream out(table);
  double total = 0;
  std::vector<std::pair<std::string, double>> rows;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 3; ++c) {
        const double energy = 2.0 * (a == b) + 2.0 * (b == c) + 0.5 * (a == 0) - 0.5 * (c == 2);
        rows.emplace_back(std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(c),
                          std::exp(energy));
        total += rows.back().second;
      }
  out.precision(17);
  for (const auto& [labels, weight] : rows) out << labels << " " << weight / total << "\n";
  return table;
}

// The budget every learning test shares: batch 256, lr 1e-3, seed 0.
RunConfig learningConfig(const std::string& data, int64_t steps) {
  RunConfig config;
  config.data = data;
  config.train.steps = steps;
  config.train.batch = 256;
  config.train.learningRate = 1e-3;
  config.train.seed = 0;
  return config;
}

}  // namespace

TEST_CASE("Coupled binary: KL(target || model) below 0.01 (and early stopping agrees)",
          "[learning]") {
  const RunConfig config = learningConfig("toy:coupled-binary", 3000);
  const Evaluation e = trainAndEvaluate(config, 40000, true);
  REQUIRE(e.joint);
  INFO("KL(target||model) " << e.joint->klTargetModel << ", TV " << e.joint->totalVariation);
  CHECK(e.joint->klTargetModel < 0.01);
  CHECK(e.joint->totalVariation < 0.06);
}

TEST_CASE("Random 3-variable Dirichlet table learned well (and early stopping agrees)",
          "[learning]") {
  const RunConfig config = learningConfig("toy:dirichlet?n=3&c=3&alpha=1&seed=0", 6000);
  const Evaluation e = trainAndEvaluate(config, 40000, true);
  REQUIRE(e.joint);
  INFO("KL(target||model) " << e.joint->klTargetModel << ", TV " << e.joint->totalVariation);
  CHECK(e.joint->klTargetModel < 0.025);
  CHECK(e.joint->totalVariation < 0.08);
}

// The MLP's ReLU (the default since issue 16) reaches 0.0071 here, SiLU 0.0037: ReLU learns
// joint structure better per step (docs/RESULTS.md §6) and these independent marginals less
// precisely; the bound catches a failure to learn them, not that trade.
TEST_CASE("Class-scaling toy K = 5: marginal KL below 0.01", "[learning]") {
  const RunConfig config = learningConfig("toy:kscaling?K=5&n=4&seed=0", 4000);
  const Evaluation e = trainAndEvaluate(config, 20000);
  INFO("marginal KL " << e.marginalKl);
  CHECK(e.marginalKl < 0.01);
}

// The peers learn the same non-factorizing table in the same small budget (each with its
// own sampler: Euler, 300 network evaluations, as many as ours).
TEST_CASE("Peer paths learn the coupled binary table", "[learning]") {
  for (const std::string kind : {"linear", "dirichlet", "fisher"}) {
    RunConfig config = learningConfig("toy:coupled-binary", 1200);
    config.path.kind = kind;
    const Evaluation e = trainAndEvaluate(config, 6000);
    REQUIRE(e.joint);
    INFO(kind << ": KL(target||model) " << e.joint->klTargetModel << ", TV "
              << e.joint->totalVariation);
    CHECK(e.joint->klTargetModel < 0.02);
    CHECK(e.joint->totalVariation < 0.08);
  }
}

// Per-step quality at the reference's configuration (docs/RESULTS.md, "Fidelity"): the
// default network, batch and learning rate (512, 5e-4) for 5000 steps on a 3-variable,
// 3-class Potts chain with strong pairwise dependence. The authors' code reached KL 0.0120
// (mean of 3 seeds) there and efm's earlier default 0.0152; the bound sits below both, so a
// return to the worse per-step quality fails here.
TEST_CASE("Potts chain at the reference's budget: KL below the reference's", "[learning]") {
  const auto dir = efm_test::freshDirectory("potts3");
  RunConfig config;  // the default network and its training defaults
  config.data = "pmf:" + writePottsChain(dir);
  config.train.steps = 5000;
  config.train.seed = 1;
  const Evaluation e = trainAndEvaluate(config, 32000);
  REQUIRE(e.joint);
  INFO("KL(target||model) " << e.joint->klTargetModel << ", TV " << e.joint->totalVariation);
  CHECK(e.joint->klTargetModel < 0.010);
  std::filesystem::remove_all(dir);
}

// Conditional sampling (docs/CONDITIONING.md): a model trained with --mask-training at the
// same budget as the unconditional tests, sampled with every given set and value; the goal
// of issue 18 is a mean conditional KL below 0.01 on coupled-binary and the Potts chain.
TEST_CASE("Mask-trained model: conditionals of coupled-binary and a Potts chain within KL 0.01",
          "[learning]") {
  const auto dir = efm_test::freshDirectory("conditional");
  for (const std::string& data :
       {std::string("toy:coupled-binary"), "pmf:" + writePottsChain(dir)}) {
    RunConfig config;  // the default network and its training defaults
    config.data = data;
    config.network.givenNodes = true;
    config.train.steps = 5000;
    config.train.seed = 1;
    resolveAndValidate(config);
    const DatasetPtr table = openDataset(config.data);
    Trainer trainer(config, table);
    for (int64_t k = 0; k < config.train.steps; ++k) trainer.step();
    SamplingRequest request;
    request.seed = 5;
    const SampleOptions options =
        sampleOptionsFor(trainer.path(), table->variables(), table->classes(), request);
    const ConditionalExactness e = measureConditionalExactness(
        trainer.network(), trainer.path(), *table->jointTable(), table->variables(),
        table->classes(), ConditioningMethod::Trained, 2500, options);
    INFO(data << ": mean conditional KL " << e.meanKl << " over " << e.cases.size()
              << " cases, max " << e.maxKl);
    CHECK(e.meanKl < 0.01);
  }
  std::filesystem::remove_all(dir);
}

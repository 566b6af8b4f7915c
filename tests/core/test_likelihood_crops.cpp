// The likelihood bound validated on real image data where an independent estimate is
// trustworthy: 4 x 4 crops of binarized Fashion-MNIST (n = 16). The reference is plain Monte
// Carlo over the flow's initial state (the bound's estimator with q = the prior, K = 4000),
// used only on the test crops where its effective sample size is at least 100; there the
// bound with a trained posterior must agree with it within their standard errors, and stay
// within the gap it reports (L_K - ELBO). At 8 x 8 crops no estimator reaches that effective
// sample size (docs/EVALUATION.md, "Where the bound can be checked").
#include "scratch_directory.h"

#include "efm/data/dataset.h"
#include "efm/sampling/likelihood_bound.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

using namespace efm;
using torch::Tensor;

namespace {

constexpr const char* kTrainingImages =
    "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

// The 4 x 4 crop at rows 6..9, columns 14..17 of the 32 x 32 padded images (the garments'
// upper middle, where edges are common): int64 [N, 16].
Tensor crops(const std::string& spec, int64_t images) {
  const DatasetPtr data = openDataset(spec + "?levels=2&pad=32&limit=" + std::to_string(images));
  return data->items(0, images)
      ->view({images, 32, 32})
      .narrow(1, 6, 4)
      .narrow(2, 14, 4)
      .reshape({images, 16})
      .contiguous();
}

// The crops as a CSV data file, so that the trainer reads them as any user's labelings.
DatasetPtr cropData(const Tensor& labels, const std::filesystem::path& file) {
  std::ofstream out(file);
  const auto rows = labels.accessor<int64_t, 2>();
  for (int64_t i = 0; i < labels.size(0); ++i)
    for (int64_t j = 0; j < labels.size(1); ++j)
      out << rows[i][j] << (j + 1 < labels.size(1) ? ',' : '\n');
  out.close();
  return openDataset("csv:" + file.string() + "?c=2");
}

}  // namespace

TEST_CASE(
    "Likelihood bound on 4 x 4 Fashion-MNIST crops: agrees with Monte Carlo where it is reliable",
    "[likelihood][bound][learning]") {
  if (!std::filesystem::exists(kTrainingImages)) {
    WARN("dataset-fashion-mnist is not installed; skipped");
    return;
  }
  const std::filesystem::path dir = efm_test::freshDirectory("likelihood-crops");
  const DatasetPtr train = cropData(crops("idx:fashion-mnist", 6000), dir / "crops.csv");
  const Tensor test = crops("idx:fashion-mnist-test", 20);

  RunConfig config;
  config.data = "csv:" + (dir / "crops.csv").string() + "?c=2";
  config.network.hidden = 128;
  config.train.steps = 1000;
  config.train.batch = 128;
  config.train.learningRate = 1e-3;
  config.train.seed = 0;
  resolveAndValidate(config);
  Trainer trainer(config, train);
  for (int64_t k = 0; k < config.train.steps; ++k) trainer.step();

  BoundOptions options;
  options.classes = 2;
  options.solver.kind = SolverKind::Rk4;
  options.solver.step = 0.5;
  NetworkOptions encoders = config.network;
  torch::manual_seed(1);
  NoisePosterior prior(16, 2, encoders, ImageLayout{},
                       config.path.smoothing);  // gains 0: q = prior
  options.samples = 4000;
  options.priorFraction = 0;
  options.seed = 5;
  const BoundResult reference =
      boundLikelihood(trainer.network(), trainer.path(), *prior, test, options);

  NoisePosterior posterior(16, 2, encoders, ImageLayout{}, config.path.smoothing);
  PosteriorTrainingOptions training;
  training.steps = 300;
  training.batch = 32;
  training.learningRate = 3e-3;
  trainNoisePosterior(
      trainer.network(), trainer.path(), *posterior,
      [&](int64_t batch, at::Generator& g) { return train->sample(batch, g); }, options, training);
  options.samples = 1000;
  options.priorFraction = 0.25;
  options.seed = 6;
  const BoundResult bound =
      boundLikelihood(trainer.network(), trainer.path(), *posterior, test, options);

  int64_t compared = 0;
  double meanDifference = 0;
  for (std::size_t k = 0; k < bound.bound.items.size(); ++k) {
    const LabelingLikelihood& truth = reference.bound.items[k];
    const LabelingLikelihood& b = bound.bound.items[k];
    if (truth.effectiveSamples < 100) continue;
    ++compared;
    const double se = std::hypot(truth.standardError, b.standardError);
    const double reportedGap = b.logLikelihood - bound.elbo[k];
    INFO("crop " << k << ": bound " << b.logLikelihood << " +- " << b.standardError << " (ESS "
                 << b.effectiveSamples << ", ELBO " << bound.elbo[k] << "), Monte Carlo "
                 << truth.logLikelihood << " +- " << truth.standardError << " (ESS "
                 << truth.effectiveSamples << ")");
    CHECK(b.logLikelihood <= truth.logLikelihood + 4 * se);                   // a lower bound
    CHECK(truth.logLikelihood - b.logLikelihood <= reportedGap + 4 * se);     // within its gap
    CHECK(std::abs(truth.logLikelihood - b.logLikelihood) <= 4 * se + 0.05);  // and tight
    meanDifference += truth.logLikelihood - b.logLikelihood;
  }
  std::cout << "4 x 4 crops: " << compared << " of " << test.size(0)
            << " test crops with Monte Carlo ESS >= 100; mean (Monte Carlo - bound) "
            << meanDifference / static_cast<double>(std::max<int64_t>(compared, 1))
            << " nats; mean ESS of the bound " << bound.bound.meanEffectiveSamples << " of "
            << options.samples << "\n";
  // Most crops are common (all ink, all background, an edge): measured 12 of 20, mean
  // difference -0.009 nats (39 s on 2 cores).
  CHECK(compared >= 10);
  std::filesystem::remove_all(dir);
}

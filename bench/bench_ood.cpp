// Out-of-distribution detection with the likelihood (issue 5, docs/METHOD.md section 6): train on
// one Fashion-MNIST class (binarized 28 x 28 images), then score test images of that class
// and of the nine others by log p(a); AUROC of "in-class" against "other classes", overall
// and per class, next to a baseline of independent pixels (the training class's per-pixel
// marginals). Budgeted for a 2-core CPU: a small MLP, Hutchinson's divergence, a coarse
// solver and a subsample of the test images.
//
//   build/bin/efm_bench_ood [--class K] [--steps N] [--items N] [--proposals K]
//                           [--solver rk4|heun|euler] [--step H] [--readout argmax|factorized]
//                           [--proposal reference|path-end] [--probe rademacher|gaussian] [--hidden
//                           H] [--threads T]
//                           [--seed S] [--estimator importance|bound] [--posterior-steps N]
//                           [--refine-steps R]
//
// With --estimator bound the scores are the likelihood bound of efm/sampling/likelihood_bound.h
// (factorized read-out, a posterior trained on the training class first, then refined for
// each scored image by R steps, default 0; --proposals is K).
//
// Needs the Debian package dataset-fashion-mnist (images and labels, train and test).
#include "bench_report.h"
#include "efm/base/runtime_tuning.h"
#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/sampling/likelihood.h"
#include "efm/sampling/likelihood_bound.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

using namespace efm;
using efm::bench::Clock;
using efm::bench::seconds;

namespace {

const char* const kClassNames[10] = {"T-shirt/top", "trouser", "pullover", "dress", "coat",
                                     "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};

struct Options {
  int64_t inClass = 7;  // sneaker
  int64_t steps = 3000;
  int64_t items = 200;  // in-class test images; as many from the other classes together
  int64_t proposals = 32;
  std::string solver = "rk4";
  double step = 0.5;
  std::string readout = "argmax";
  std::string proposal = "reference";
  std::string probe = "rademacher";
  int64_t hidden = 256;
  int threads = 2;
  uint64_t seed = 0;
  std::string estimator = "importance";
  int64_t posteriorSteps = 300;
  int64_t refineSteps = 0;
};

// Mann-Whitney: P(score_in > score_out) + P(tie) / 2.
double auroc(const std::vector<double>& in, const std::vector<double>& out) {
  double wins = 0;
  for (double a : in)
    for (double b : out) wins += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  return wins / static_cast<double>(in.size() * out.size());
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

std::string spec(bool test, int64_t label, int64_t limit) {
  return std::string("idx:") + (test ? "fashion-mnist-test" : "fashion-mnist") +
         "?levels=2&label=" + std::to_string(label) +
         (limit > 0 ? "&limit=" + std::to_string(limit) : "");
}

Options parse(int argc, char** argv) {
  Options o;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    auto next = [&]() -> std::string {
      if (k + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++k];
    };
    if (a == "--class")
      o.inClass = std::stoll(next());
    else if (a == "--steps")
      o.steps = std::stoll(next());
    else if (a == "--items")
      o.items = std::stoll(next());
    else if (a == "--proposals")
      o.proposals = std::stoll(next());
    else if (a == "--solver")
      o.solver = next();
    else if (a == "--step")
      o.step = std::stod(next());
    else if (a == "--readout")
      o.readout = next();
    else if (a == "--proposal")
      o.proposal = next();
    else if (a == "--probe")
      o.probe = next();
    else if (a == "--hidden")
      o.hidden = std::stoll(next());
    else if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--seed")
      o.seed = std::stoull(next());
    else if (a == "--estimator")
      o.estimator = next();
    else if (a == "--posterior-steps")
      o.posteriorSteps = std::stoll(next());
    else if (a == "--refine-steps")
      o.refineSteps = std::stoll(next());
    else
      throw std::invalid_argument("unknown option " + a);
  }
  if (o.inClass < 0 || o.inClass > 9) throw std::invalid_argument("--class must be 0..9");
  if (o.estimator != "importance" && o.estimator != "bound")
    throw std::invalid_argument("--estimator must be importance or bound");
  parseProposal(o.proposal);  // these throw, naming the value, before any training
  parseProbe(o.probe);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  tuneRuntime(argv);
  Options o;
  try {
    o = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "efm_bench_ood: " << e.what() << "\n";
    return 2;
  }
  torch::set_num_threads(o.threads);
  std::cout << "OOD detection on binarized Fashion-MNIST (28x28, n = 784, c = 2): trained on "
            << "class " << o.inClass << " (" << kClassNames[o.inClass] << ")\n";

  // 1. Train on the training images of one class.
  RunConfig config;
  config.data = spec(false, o.inClass, 0);
  config.network.kind = "mlp";
  config.network.hidden = o.hidden;
  config.train.steps = o.steps;
  config.train.batch = 128;
  config.train.learningRate = 1e-3;
  config.train.seed = o.seed;
  resolveAndValidate(config);
  const DatasetPtr train = openDataset(config.data);
  Trainer trainer(config, train);
  auto start = Clock::now();
  double loss = 0;
  for (int64_t k = 0; k < o.steps; ++k) {
    const double l = trainer.step();
    if (k >= o.steps - 100) loss += l / std::min<int64_t>(100, o.steps);
  }
  const double trainSeconds = seconds(start);
  std::cout << "train: " << *train->count() << " images, MLP 2x" << o.hidden << ", " << o.steps
            << " steps of batch 128 in " << std::fixed << std::setprecision(1) << trainSeconds
            << " s, final loss " << std::setprecision(4) << loss << "\n";

  // 2. Test images: `items` of the class, `items` of the others (an equal share per class).
  const Tensor inItems = *openDataset(spec(true, o.inClass, o.items))->items(0, o.items);
  std::vector<Tensor> outItems;
  std::vector<int64_t> outClass;
  const int64_t perOther = (o.items + 8) / 9;
  for (int64_t j = 0; j < 10; ++j) {
    if (j == o.inClass) continue;
    outItems.push_back(*openDataset(spec(true, j, perOther))->items(0, perOther));
    for (int64_t i = 0; i < perOther; ++i) outClass.push_back(j);
  }
  const Tensor labels = torch::cat({inItems, torch::cat(outItems)});

  // 3. Likelihoods.
  LikelihoodOptions options;
  options.classes = 2;
  options.proposalSamples = o.proposals;
  options.divergence = DivergenceKind::Hutchinson;
  options.readout = parseReadout(o.readout);
  options.proposal = parseProposal(o.proposal);
  options.probe = parseProbe(o.probe);
  options.smoothing = config.path.smoothing;
  options.solver.kind = parseSolverKind(o.solver);
  options.solver.step = o.step;
  options.seed = o.seed + 1;
  LikelihoodResult r;
  if (o.estimator == "bound") {
    BoundOptions bound;
    bound.classes = 2;
    bound.samples = o.proposals;
    bound.solver = options.solver;
    bound.seed = options.seed;
    bound.refineSteps = o.refineSteps;
    PosteriorTrainingOptions training;
    training.steps = o.posteriorSteps;
    training.batch = 16;
    training.learningRate = 3e-3;
    training.seed = o.seed;
    torch::manual_seed(o.seed);
    NoisePosterior posterior(784, 2, config.network, ImageLayout{}, config.path.smoothing);
    start = Clock::now();
    trainNoisePosterior(
        trainer.network(), trainer.path(), *posterior,
        [&](int64_t batch, at::Generator& g) { return train->sample(batch, g); }, bound, training);
    std::cout << "posterior: " << o.posteriorSteps << " steps of 16 in " << std::fixed
              << std::setprecision(1) << seconds(start) << " s\n";
    start = Clock::now();
    r = boundLikelihood(trainer.network(), trainer.path(), *posterior, labels, bound).bound;
  } else {
    start = Clock::now();
    r = estimateLikelihood(trainer.network(), trainer.path(), labels, options);
  }
  const double likelihoodSeconds = seconds(start);
  std::cout << "likelihood (" << o.estimator << "): " << labels.size(0)
            << " images, K = " << o.proposals << ", " << o.solver << " step "
            << std::setprecision(2) << o.step << " (" << r.evaluations << " evaluations)";
  if (o.estimator == "importance")
    std::cout << ", Hutchinson (" << o.probe << " probes), readout " << o.readout << ", proposal "
              << o.proposal << " (s = " << std::setprecision(4) << r.proposalScale << ")";
  std::cout << " in " << std::setprecision(1) << likelihoodSeconds << " s (" << std::setprecision(3)
            << likelihoodSeconds / labels.size(0) << " s per image)\n";

  // 4. Baseline: independent pixels with the training class's marginals (Laplace-smoothed).
  const Tensor marginals = train->marginals();  // [n, 2]
  const double images = static_cast<double>(*train->count());
  const Tensor smoothed = (marginals * images + 1) / (images + 2);
  const Tensor logMarginals = torch::log(smoothed);
  const Tensor baseline = logMarginals.unsqueeze(0)
                              .expand({labels.size(0), 784, 2})
                              .gather(2, labels.unsqueeze(2))
                              .sum({1, 2});

  std::vector<double> inScores, outScores, inBase, outBase, inSe, outSe, ess;
  const int64_t inCount = inItems.size(0);
  for (int64_t i = 0; i < labels.size(0); ++i) {
    const LabelingLikelihood& e = r.items[static_cast<std::size_t>(i)];
    (i < inCount ? inScores : outScores).push_back(e.logLikelihood);
    (i < inCount ? inSe : outSe).push_back(e.standardError);
    (i < inCount ? inBase : outBase).push_back(baseline[i].item<double>());
    ess.push_back(e.effectiveSamples);
  }
  const double bits = 784 * std::log(2.0);
  std::cout << std::setprecision(3) << "in-class  (" << inCount << "): mean log p "
            << mean(inScores) << " nats (" << -mean(inScores) / bits
            << " bits/dim), mean standard error of log p " << mean(inSe) << "\n"
            << "other     (" << outScores.size() << "): mean log p " << mean(outScores) << " nats ("
            << -mean(outScores) / bits << " bits/dim), mean standard error " << mean(outSe) << "\n"
            << "effective sample size of the importance weights: mean " << mean(ess) << " of "
            << o.proposals << " (1 = a single weight dominates)\n"
            << "AUROC likelihood " << auroc(inScores, outScores) << "   independent-pixel baseline "
            << auroc(inBase, outBase) << "\n"
            << "per class (AUROC likelihood / baseline, mean log p):\n";
  for (int64_t j = 0; j < 10; ++j) {
    if (j == o.inClass) continue;
    std::vector<double> scores, base;
    for (std::size_t k = 0; k < outClass.size(); ++k)
      if (outClass[k] == j) {
        scores.push_back(outScores[k]);
        base.push_back(outBase[k]);
      }
    std::cout << "  " << j << " " << std::left << std::setw(12) << kClassNames[j] << std::right
              << "  " << auroc(inScores, scores) << " / " << auroc(inBase, base) << "   "
              << mean(scores) << "\n";
  }
  return 0;
}

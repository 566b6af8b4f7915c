// The importance-weighted variational bound on log p(a) for the factorized read-out, with an
// amortized Gaussian posterior over the flow's initial state (efm/sampling/likelihood_bound.h).
#include "efm/sampling/likelihood_bound.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/models/network_registry.h"
#include "sampling/likelihood_internal.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace efm {

namespace {

// The refinement's draws come from their own streams, apart from the scoring draws.
constexpr uint64_t kRefineSeedOffset = 0xC2B2AE3D27D4EB4FULL;

void checkBoundPath(const ProbabilityPath& path) {
  const std::string name = path.name();
  if (name != "ray" && name != "bridge")
    throw InputError(
        "the likelihood bound is defined only for the e-geodesic paths (ray, bridge); this run "
        "uses the path '" +
        name + "'");
}

void checkBoundLabels(const Tensor& labels, const NoisePosteriorImpl& posterior) {
  if (labels.dim() != 2 || labels.size(0) < 1 || labels.size(1) != posterior.variables())
    throw InputError("likelihood bound: labelings must be a non-empty [N, " +
                     std::to_string(posterior.variables()) + "] table");
  const Tensor a = labels.to(torch::kCPU, torch::kLong);
  if (a.min().item<int64_t>() < 0 || a.max().item<int64_t>() >= posterior.classes())
    throw InputError("likelihood bound: a label is outside 0.." +
                     std::to_string(posterior.classes() - 1));
}

// The flow's end state from the initial states `start` [B, n, c] in T0, differentiable with
// respect to `start` unless gradients are off.
Tensor flowEndState(VectorFieldImpl& network, const ProbabilityPath& path, const Tensor& start,
                    const BoundOptions& options, const std::function<bool()>& cancelled,
                    int64_t* evaluations = nullptr) {
  const double tEnd = options.timeEnd > 0 ? options.timeEnd : path.timeEnd();
  auto velocity = [&](const Tensor& state, double t) { return path.velocity(network, state, t); };
  const OdeSolution solution =
      integrate(velocity, start, path.timeStart(), tEnd, options.solver, cancelled);
  if (evaluations) *evaluations = solution.evaluations;
  return solution.state;
}

// log w for initial states drawn from q = N(mean, exp(logScale)^2) (u0 = mean + exp(logScale)
// eps) or, in the rows where `fromPrior` (bool [B], optional) is set, from the prior (u0 = eps);
// all [B, n, c - 1]. With priorFraction alpha > 0 the proposal is the mixture
// (1 - alpha) q + alpha N(0, I) (defensive importance sampling), otherwise q alone. The
// constants -D/2 log(2 pi) of the prior and of q cancel.
Tensor boundWeights(VectorFieldImpl& network, const ProbabilityPath& path, const Tensor& labels,
                    const Tensor& mean, const Tensor& logScale, const Tensor& eps,
                    const Tensor& basisTransposed, const BoundOptions& options,
                    const std::function<bool()>& cancelled, const Tensor& fromPrior = {},
                    double priorFraction = 0, int64_t* evaluations = nullptr) {
  const Tensor scale = logScale.exp();
  const Tensor u0 = fromPrior.defined()
                        ? torch::where(fromPrior.view({-1, 1, 1}), eps, mean + scale * eps)
                        : mean + scale * eps;
  const Tensor end = flowEndState(network, path, torch::matmul(u0, basisTransposed), options,
                                  cancelled, evaluations);
  const Tensor readout = torch::log_softmax(end, -1).gather(-1, labels.unsqueeze(-1)).sum({1, 2});
  const Tensor logPrior = -0.5 * u0.pow(2).sum({1, 2});
  const Tensor standardized = fromPrior.defined() ? (u0 - mean) / scale : eps;
  Tensor logProposal = -logScale.sum({1, 2}) - 0.5 * standardized.pow(2).sum({1, 2});
  if (priorFraction > 0)
    logProposal = torch::logaddexp(std::log1p(-priorFraction) + logProposal,
                                   std::log(priorFraction) + logPrior);
  return (logPrior - logProposal + readout).to(torch::kFloat64);
}

// q's parameters for the labelings `labels` [B, n] (on the options' device): the encoder's,
// then, with refineSteps > 0, refined per labeling by Adam on each labeling's own ELBO.
// Labeling `firstItem + b` draws from its own stream, and Adam acts elementwise on a summed
// objective, so a labeling's refined q does not depend on which others share its block.
NoisePosteriorImpl::Gaussian posteriorFor(VectorFieldImpl& network, const ProbabilityPath& path,
                                          NoisePosteriorImpl& posterior, const Tensor& labels,
                                          const Tensor& basisTransposed,
                                          const BoundOptions& options, int64_t firstItem,
                                          const std::function<void(int64_t)>& stepDone,
                                          const std::function<bool()>& cancelled) {
  NoisePosteriorImpl::Gaussian q = posterior.forward(labels);
  if (options.refineSteps == 0) return q;
  torch::AutoGradMode enableGrad(true);
  Tensor mean = q.mean.detach().clone().requires_grad_(true);
  Tensor logScale = q.logScale.detach().clone().requires_grad_(true);
  torch::optim::Adam optimizer({mean, logScale},
                               torch::optim::AdamOptions(options.refineLearningRate));
  const int64_t count = labels.size(0);
  std::vector<at::Generator> streams;
  streams.reserve(static_cast<std::size_t>(count));
  for (int64_t b = 0; b < count; ++b)
    streams.push_back(makeGenerator(
        torch::kCPU, options.seed ^ (kRefineSeedOffset + static_cast<uint64_t>(firstItem + b))));
  const auto floats = torch::TensorOptions().dtype(torch::kFloat32);
  const auto shape = std::vector<int64_t>(mean.sizes().begin() + 1, mean.sizes().end());
  for (int64_t step = 0; step < options.refineSteps; ++step) {
    std::vector<Tensor> eps;
    eps.reserve(static_cast<std::size_t>(count));
    for (at::Generator& stream : streams) eps.push_back(torch::randn(shape, stream, floats));
    const Tensor logW =
        boundWeights(network, path, labels, mean, logScale, torch::stack(eps).to(mean.device()),
                     basisTransposed, options, cancelled);
    optimizer.zero_grad();
    (-logW.sum()).backward();
    optimizer.step();
    if (stepDone) stepDone(count);
  }
  return {mean.detach(), logScale.detach()};
}

}  // namespace

NoisePosteriorImpl::NoisePosteriorImpl(int64_t variables, int64_t classes,
                                       const NetworkOptions& network, const ImageLayout& image,
                                       double smoothing)
    : variables_(variables), classes_(classes), smoothing_(smoothing) {
  if (variables < 1 || classes < 2)
    throw InputError("likelihood bound: a posterior needs n >= 1 nodes and c >= 2 classes");
  meanNetwork_ = register_module("mean", makeVectorField(variables, classes, network, image));
  scaleNetwork_ = register_module("scale", makeVectorField(variables, classes, network, image));
  meanGain_ = register_parameter("mean_gain", torch::zeros({1}));
  scaleGain_ = register_parameter("scale_gain", torch::zeros({1}));
  basis_ = register_buffer("basis", tangentBasis(classes).to(torch::kFloat32).contiguous());
}

NoisePosteriorImpl::Gaussian NoisePosteriorImpl::forward(const Tensor& labels) {
  const auto options = meanGain_.options();
  const Tensor onehot =
      torch::one_hot(labels.to(options.device(), torch::kLong), classes_).to(options.dtype());
  const double c = static_cast<double>(classes_);
  const Tensor w = (1 - smoothing_) * onehot + smoothing_ / c;  // w1(a)
  const Tensor t = torch::zeros({1}, options);
  // Q^T of each output: any c values give c - 1 free coordinates.
  return {meanGain_ * torch::matmul(meanNetwork_->forward(w, t), basis_),
          scaleGain_ * torch::matmul(scaleNetwork_->forward(w, t), basis_)};
}

Tensor boundLogWeights(VectorFieldImpl& network, const ProbabilityPath& path,
                       NoisePosteriorImpl& posterior, const Tensor& labels,
                       const BoundOptions& options, at::Generator& generator,
                       const std::function<bool()>& cancelled) {
  checkBoundPath(path);
  const Tensor a = labels.to(options.device, torch::kLong);
  const NoisePosteriorImpl::Gaussian q = posterior.forward(a);
  const Tensor eps =
      torch::randn(q.mean.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32))
          .to(q.mean.device());
  const Tensor basisT =
      tangentBasis(posterior.classes()).t().to(q.mean.options().requires_grad(false)).contiguous();
  return boundWeights(network, path, a, q.mean, q.logScale, eps, basisT, options, cancelled);
}

std::vector<double> trainNoisePosterior(
    VectorFieldImpl& network, const ProbabilityPath& path, NoisePosteriorImpl& posterior,
    const std::function<Tensor(int64_t, at::Generator&)>& draw, const BoundOptions& options,
    const PosteriorTrainingOptions& training,
    const std::function<void(int64_t, int64_t, double)>& progress,
    const std::function<bool()>& cancelled) {
  checkBoundPath(path);
  if (training.steps < 0 || training.batch < 1 || !(training.learningRate > 0))
    throw InputError(
        "likelihood bound: the posterior's training needs steps >= 0, batch >= 1 and a "
        "positive learning rate");
  path.checkSampling(options.solver, options.timeEnd);
  detail::InputGradientsOnly frozen(network);
  posterior.train();
  torch::optim::Adam optimizer(posterior.parameters(),
                               torch::optim::AdamOptions(training.learningRate));
  at::Generator generator = makeGenerator(torch::kCPU, training.seed);
  const auto nodes = static_cast<double>(posterior.variables());
  std::vector<double> history;
  history.reserve(static_cast<std::size_t>(training.steps));
  for (int64_t step = 0; step < training.steps; ++step) {
    const Tensor labels = draw(training.batch, generator);
    checkBoundLabels(labels, posterior);
    const Tensor logW =
        boundLogWeights(network, path, posterior, labels, options, generator, cancelled);
    const Tensor elbo = logW.mean() / nodes;
    optimizer.zero_grad();
    (-elbo).backward();
    optimizer.step();
    history.push_back(elbo.item<double>());
    if (progress) progress(step + 1, training.steps, history.back());
  }
  posterior.eval();
  return history;
}

BoundResult boundLikelihood(VectorFieldImpl& network, const ProbabilityPath& path,
                            NoisePosteriorImpl& posterior, const Tensor& labels,
                            const BoundOptions& options,
                            const std::function<void(int64_t, int64_t)>& progress,
                            const std::function<bool()>& cancelled) {
  checkBoundPath(path);
  checkBoundLabels(labels, posterior);
  if (options.samples < 1)
    throw InputError("likelihood bound: the number of samples K must be at least 1");
  if (options.chunkRows < 1) throw InputError("likelihood bound: chunk rows must be positive");
  if (options.refineSteps < 0 || !(options.refineLearningRate > 0) ||
      !std::isfinite(options.refineLearningRate))
    throw InputError(
        "likelihood bound: the refinement needs steps >= 0 and a positive, finite learning rate");
  path.checkSampling(options.solver, options.timeEnd);
  detail::InputGradientsOnly frozen(network);
  const bool wasTraining = posterior.is_training();
  posterior.eval();
  torch::NoGradGuard noGrad;

  const Tensor a = labels.to(torch::kCPU, torch::kLong).contiguous();
  const int64_t items = a.size(0), n = a.size(1), k = options.samples;
  const int64_t coordinates = posterior.classes() - 1;
  const auto floats = torch::TensorOptions().dtype(torch::kFloat32);
  const Tensor basisT =
      tangentBasis(posterior.classes()).t().to(floats.device(options.device)).contiguous();
  if (!(options.priorFraction >= 0 && options.priorFraction <= 1))
    throw InputError("likelihood bound: the prior's share of the samples must be in [0, 1]");
  // The first `fromPriorCount` of each item's K draws come from the prior: the mixture's
  // weights alpha = fromPriorCount / K exactly, so the estimate stays unbiased.
  const auto fromPriorCount =
      static_cast<int64_t>(std::llround(options.priorFraction * static_cast<double>(k)));
  const double alpha = static_cast<double>(fromPriorCount) / static_cast<double>(k);
  const Tensor itemFromPrior = torch::arange(k) < fromPriorCount;
  at::Generator generator = makeGenerator(torch::kCPU, options.seed);
  const Tensor all = torch::empty({items, k}, torch::kFloat64);  // log w per item and sample

  // Progress counts the refinement's rows (one draw per labeling and step) with the draws.
  const int64_t totalRows = items * (k + options.refineSteps);
  int64_t refinedRows = 0;
  const auto stepDone = [&](int64_t rows) {
    refinedRows += rows;
    if (progress) progress(refinedRows, totalRows);
  };

  BoundResult out;
  // Rows waiting to be integrated: label, q's parameters and eps per row, in item order.
  std::vector<Tensor> pendingLabels, pendingMeans, pendingScales, pendingEps, pendingPrior;
  int64_t pending = 0, written = 0;
  auto integrateRows = [&](int64_t rows) {
    const Tensor labelRows = torch::cat(pendingLabels), means = torch::cat(pendingMeans);
    const Tensor scales = torch::cat(pendingScales), eps = torch::cat(pendingEps);
    const Tensor prior = torch::cat(pendingPrior);
    int64_t evaluations = 0;
    const Tensor logW =
        boundWeights(network, path, labelRows.narrow(0, 0, rows).to(options.device),
                     means.narrow(0, 0, rows), scales.narrow(0, 0, rows),
                     eps.narrow(0, 0, rows).to(options.device), basisT, options, cancelled,
                     prior.narrow(0, 0, rows).to(options.device), alpha, &evaluations)
            .cpu();
    out.bound.evaluations = std::max(out.bound.evaluations, evaluations);
    all.view({-1}).narrow(0, written, rows).copy_(logW);
    written += rows;
    out.bound.integratedSamples += rows;
    const int64_t rest = labelRows.size(0) - rows;
    pendingLabels = {labelRows.narrow(0, rows, rest)};
    pendingMeans = {means.narrow(0, rows, rest)};
    pendingScales = {scales.narrow(0, rows, rest)};
    pendingEps = {eps.narrow(0, rows, rest)};
    pendingPrior = {prior.narrow(0, rows, rest)};
    pending = rest;
    if (progress) progress(refinedRows + written, totalRows);
  };
  // q for a block of labelings at a time (the refinement integrates a block together).
  NoisePosteriorImpl::Gaussian block;
  int64_t blockStart = 0, blockEnd = 0;
  for (int64_t item = 0; item < items; ++item) {
    if (cancelled && cancelled()) throw Cancelled();
    if (item >= blockEnd) {
      blockStart = item;
      blockEnd = std::min(items, item + options.chunkRows);
      block = posteriorFor(network, path, posterior,
                           a.narrow(0, blockStart, blockEnd - blockStart).to(options.device),
                           basisT, options, blockStart, stepDone, cancelled);
    }
    const Tensor label = a.narrow(0, item, 1);
    // One block of draws per item: the same draws whatever the chunk size.
    pendingEps.push_back(torch::randn({k, n, coordinates}, generator, floats));
    pendingPrior.push_back(itemFromPrior);
    pendingLabels.push_back(label.expand({k, n}));
    pendingMeans.push_back(block.mean.narrow(0, item - blockStart, 1).expand({k, n, coordinates}));
    pendingScales.push_back(
        block.logScale.narrow(0, item - blockStart, 1).expand({k, n, coordinates}));
    pending += k;
    while (pending >= options.chunkRows) integrateRows(options.chunkRows);
  }
  if (pending > 0) integrateRows(pending);
  if (wasTraining) posterior.train();

  LikelihoodResult& result = out.bound;
  result.items.reserve(static_cast<std::size_t>(items));
  out.elbo.reserve(static_cast<std::size_t>(items));
  double sumLog = 0, sumVariance = 0, sumEffective = 0, sumElbo = 0;
  for (int64_t item = 0; item < items; ++item) {
    result.items.push_back(summarizeLogWeights(all[item], n));
    // The ELBO from the draws of q (the prior's, whose log weights are far lower wherever q
    // has learned anything, would drag a plain mean down): their mean log weight plus
    // log(1 - alpha), which keeps it below L_K (Jensen on the q draws' share of the mean).
    out.elbo.push_back(
        fromPriorCount < k
            ? all[item].narrow(0, fromPriorCount, k - fromPriorCount).mean().item<double>() +
                  std::log1p(-alpha)
            : all[item].mean().item<double>());
    sumLog += result.items.back().logLikelihood;
    sumVariance += std::pow(result.items.back().standardError, 2);
    sumEffective += result.items.back().effectiveSamples;
    sumElbo += out.elbo.back();
  }
  const double count = static_cast<double>(items);
  const double bitsScale = static_cast<double>(n) * std::log(2.0);
  result.meanLogLikelihood = sumLog / count;
  result.meanStandardError = std::sqrt(sumVariance) / count;
  result.meanEffectiveSamples = sumEffective / count;
  result.bitsPerDimension = -result.meanLogLikelihood / bitsScale;
  result.bitsPerDimensionStandardError = result.meanStandardError / bitsScale;
  out.meanElbo = sumElbo / count;
  return out;
}

}  // namespace efm

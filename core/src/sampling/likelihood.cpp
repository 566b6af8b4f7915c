// Likelihood of labelings by importance sampling over the flow's end point (docs/METHOD.md
// section 6). The ODE state of a proposal sample is [V (n c values, in T0), l], integrated
// backward from t_end to 0 with dl/dt = div; then log nu(V_end) = log N(u_0) + l(0).
#include "efm/sampling/likelihood.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "sampling/likelihood_internal.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace efm {

namespace {

using detail::backwardLogDensity;
using detail::InputGradientsOnly;
using detail::kLog2Pi;
using detail::kProbeSeedOffset;
using detail::labelGap;

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Proposal samples drawn per call of the generator (fixed, so that the draws never depend on
// how the samples are batched for the network).
constexpr int64_t kDrawBlock = 256;

// Running log-mean-exp of importance weights: the largest log weight and the sums of w and
// w^2 relative to it (rescaled when a larger one arrives), so that nothing overflows and K
// can be large without keeping every weight.
class WeightAccumulator {
 public:
  void add(double logWeight) {
    if (logWeight == -kInfinity) return;
    if (std::isnan(logWeight))
      throw std::runtime_error("likelihood: an importance weight is NaN (the flow diverged?)");
    if (logWeight > top_) {
      const double scale = std::exp(top_ - logWeight);  // 0 for the first weight
      sum_ *= scale;
      sumSquares_ *= scale * scale;
      top_ = logWeight;
    }
    const double w = std::exp(logWeight - top_);
    sum_ += w;
    sumSquares_ += w * w;
    ++nonzero_;
  }

  // Over `count` weights in all (those never added are 0).
  LabelingLikelihood summary(int64_t count, int64_t variables) const {
    LabelingLikelihood out;
    out.nonzeroWeights = nonzero_;
    if (nonzero_ == 0) {
      out.logLikelihood = -kInfinity;
      out.standardError = kNaN;
      out.bitsPerDimension = kInfinity;
      return out;
    }
    const double k = static_cast<double>(count);
    const double mean = sum_ / k;
    out.logLikelihood = top_ + std::log(mean);
    out.effectiveSamples = sum_ * sum_ / sumSquares_;
    if (count > 1) {
      const double variance = std::max(0.0, (sumSquares_ - sum_ * mean) / (k - 1));
      out.standardError = std::sqrt(variance) / (std::sqrt(k) * mean);
    } else {
      out.standardError = kNaN;
    }
    out.bitsPerDimension = -out.logLikelihood / (static_cast<double>(variables) * std::log(2.0));
    return out;
  }

 private:
  double top_ = -kInfinity, sum_ = 0, sumSquares_ = 0;
  int64_t nonzero_ = 0;
};

}  // namespace

LabelingLikelihood summarizeLogWeights(const Tensor& logWeights, int64_t variables) {
  const Tensor lw = logWeights.to(torch::kCPU, torch::kFloat64).contiguous().flatten();
  if (lw.numel() == 0) throw std::invalid_argument("summarizeLogWeights: no weights");
  WeightAccumulator accumulator;
  const double* values = lw.data_ptr<double>();
  for (int64_t k = 0; k < lw.numel(); ++k) accumulator.add(values[k]);
  return accumulator.summary(lw.numel(), variables);
}

LikelihoodResult estimateLikelihood(VectorFieldImpl& network, const ProbabilityPath& path,
                                    const Tensor& labels, const LikelihoodOptions& options,
                                    const std::function<void(int64_t, int64_t)>& progress,
                                    const std::function<bool()>& cancelled) {
  const std::string pathName = path.name();
  if (pathName != "ray" && pathName != "bridge")
    throw InputError(
        "likelihood is defined only for the e-geodesic paths (ray, bridge); this run uses the "
        "path '" +
        pathName + "'");
  if (labels.dim() != 2 || labels.size(0) < 1 || labels.size(1) < 1)
    throw InputError("likelihood: labelings must be a non-empty [N, n] table");
  if (options.proposalSamples < 1)
    throw InputError("likelihood: the number of proposal samples must be at least 1");
  if (!(options.mass > 0 && options.mass < 1))
    throw InputError("likelihood: the proposal mass M must lie in (0, 1)");
  if (!(options.scale >= 0))
    throw InputError("likelihood: the proposal scale must be positive (0 = automatic)");
  if (options.chunkRows < 1 || options.maxChunkElements < 1)
    throw InputError("likelihood: chunk sizes must be positive");
  const int64_t items = labels.size(0), n = labels.size(1), c = options.classes;
  if (c < 2) throw InputError("likelihood: the number of classes must be at least 2");
  const Tensor a = labels.to(torch::kCPU, torch::kLong).contiguous();
  if (a.min().item<int64_t>() < 0 || a.max().item<int64_t>() >= c)
    throw InputError("likelihood: a label is outside 0.." + std::to_string(c - 1));

  const int64_t k = options.proposalSamples;
  const int64_t d = (c - 1) * n;
  const double tEnd = options.timeEnd > 0 ? options.timeEnd : path.timeEnd();
  LikelihoodResult result;
  result.divergence = options.divergence;
  result.nodeMass = std::exp(std::log(options.mass) / static_cast<double>(n));
  const double massScale = proposalScale(c, options.smoothing, result.nodeMass);
  const bool pathEnd = options.proposal == ProposalKind::PathEnd;
  auto conditionalLaw = [&](const Tensor& label) {
    std::optional<ConditionalLaw> law = path.conditionalLaw(label.view({1, n}), c, tEnd);
    if (!law) throw InputError("likelihood: the path '" + pathName + "' has no conditional law");
    return *law;
  };
  // Never narrower than the path's own noise around its end: a proposal with lighter tails
  // than the target makes the weights' variance explode.
  const double s = options.scale > 0 ? options.scale
                   : pathEnd         ? std::max(massScale, conditionalLaw(a[0]).spread)
                                     : massScale;
  result.proposalScale = s;

  InputGradientsOnly inputGradients(network);
  const auto cpu = torch::TensorOptions().dtype(torch::kFloat64);
  const Tensor qt = tangentBasis(c).t().contiguous();  // [c-1, c]
  const double gap = labelGap(c, options.smoothing);
  at::Generator proposals = makeGenerator(torch::kCPU, options.seed);
  at::Generator probes = makeGenerator(torch::kCPU, options.seed + kProbeSeedOffset);
  // log N(m, s^2 I_D) at m + s Q z is -D/2 log(2 pi s^2) - |z|^2 / 2.
  const double logRhoConstant = -0.5 * static_cast<double>(d) * (kLog2Pi + 2 * std::log(s));
  const bool exact = options.divergence == DivergenceKind::Exact;
  const int64_t replicas = exact ? d : 1;
  const int64_t perChunk = std::max<int64_t>(
      1, std::min(options.chunkRows, options.maxChunkElements / std::max<int64_t>(1, n * c)) /
             replicas);

  std::vector<WeightAccumulator> weights(static_cast<std::size_t>(items));
  double centreNorm = 0;
  // Rows waiting to be integrated (first in, first out): end points, probes, -log rho plus
  // the log readout, and the item each belongs to.
  std::vector<Tensor> pendingStates, pendingProbes, pendingOffsets, pendingItems;
  int64_t pending = 0, done = 0;
  const int64_t total = items * k;

  auto integrateRows = [&](int64_t rows) {
    const Tensor states = torch::cat(pendingStates);
    const Tensor offsets = torch::cat(pendingOffsets);
    const Tensor owners = torch::cat(pendingItems);
    const Tensor probeAll = exact ? Tensor() : torch::cat(pendingProbes);
    int64_t evaluations = 0;
    const Tensor logNu = backwardLogDensity(network, path, states.narrow(0, 0, rows),
                                            exact ? Tensor() : probeAll.narrow(0, 0, rows), options,
                                            tEnd, cancelled, evaluations);
    result.evaluations = std::max(result.evaluations, evaluations);
    const Tensor logW = logNu + offsets.narrow(0, 0, rows);
    const Tensor values = logW.contiguous();
    const double* w = values.data_ptr<double>();
    const int64_t* owner = owners.data_ptr<int64_t>();
    for (int64_t r = 0; r < rows; ++r) weights[static_cast<std::size_t>(owner[r])].add(w[r]);
    result.integratedSamples += rows;
    done += rows;
    // Keep what did not fit into this batch.
    const int64_t rest = states.size(0) - rows;
    pendingStates = {states.narrow(0, rows, rest)};
    pendingOffsets = {offsets.narrow(0, rows, rest)};
    pendingItems = {owners.narrow(0, rows, rest)};
    pendingProbes.clear();
    if (!exact) pendingProbes.push_back(probeAll.narrow(0, rows, rest));
    pending = rest;
    if (progress) progress(done, total);
  };

  for (int64_t item = 0; item < items; ++item) {
    const Tensor label = a[item];                                        // [n]
    const Tensor onehot = torch::one_hot(label, c).to(torch::kFloat64);  // [n, c]
    const Tensor mean = pathEnd ? conditionalLaw(label).mean[0]  // the path's centre at t_end
                                : gap * (onehot - 1.0 / static_cast<double>(c));  // P0(log w1(a))
    centreNorm += mean.norm().item<double>() / std::sqrt(static_cast<double>(n));
    // Proposals are drawn in blocks of a fixed size, each whether or not it is integrated:
    // the same draws for both divergences, both readouts and any chunk size.
    for (int64_t first = 0; first < k; first += kDrawBlock) {
      if (cancelled && cancelled()) throw Cancelled();
      const int64_t b = std::min(kDrawBlock, k - first);
      const Tensor z = torch::randn({b, n, c - 1}, proposals, cpu);
      Tensor end = mean + s * torch::matmul(z, qt);  // [b, n, c]
      Tensor probe;
      if (!exact) probe = hutchinsonProbes(b, n, c, options.probe, probes);
      Tensor offset = 0.5 * z.pow(2).sum({1, 2}) - logRhoConstant;  // -log rho
      if (options.readout == Readout::Argmax) {
        // Outside a's cone the weight is 0: those samples are never integrated.
        const Tensor inside = (end.argmax(-1) == label.unsqueeze(0)).all(1).nonzero().flatten();
        end = end.index_select(0, inside);
        offset = offset.index_select(0, inside);
        if (!exact) probe = probe.index_select(0, inside);
        done += b - inside.numel();
      } else {
        offset = offset + torch::log_softmax(end, -1)
                              .gather(-1, label.view({1, n, 1}).expand({b, n, 1}))
                              .sum({1, 2});
      }
      const int64_t rows = end.size(0);
      if (rows > 0) {
        pendingStates.push_back(end);
        pendingOffsets.push_back(offset);
        pendingItems.push_back(torch::full({rows}, item, torch::kLong));
        if (!exact) pendingProbes.push_back(probe);
        pending += rows;
      }
      while (pending >= perChunk) integrateRows(perChunk);
    }
  }
  if (pending > 0) integrateRows(pending);
  if (progress && done < total) progress(total, total);

  result.items.reserve(static_cast<std::size_t>(items));
  double sumLog = 0, sumVariance = 0, sumEffective = 0;
  for (const WeightAccumulator& w : weights) {
    result.items.push_back(w.summary(k, n));
    sumLog += result.items.back().logLikelihood;
    sumVariance += std::pow(result.items.back().standardError, 2);
    sumEffective += result.items.back().effectiveSamples;
  }
  const double count = static_cast<double>(items);
  result.proposalCentreNorm = centreNorm / count;
  result.meanEffectiveSamples = sumEffective / count;
  result.meanLogLikelihood = sumLog / count;
  result.meanStandardError = std::sqrt(sumVariance) / count;
  const double bitsScale = static_cast<double>(n) * std::log(2.0);
  result.bitsPerDimension = -result.meanLogLikelihood / bitsScale;
  result.bitsPerDimensionStandardError = result.meanStandardError / bitsScale;
  return result;
}

}  // namespace efm

// Likelihood of labelings by importance sampling over the flow's end point (METHOD.md
// section 6). The ODE state of a proposal sample is [V (n c values, in T0), l], integrated
// backward from t_end to 0 with dl/dt = div; then log nu(V_end) = log N(u_0) + l(0).
#include "efm/likelihood.h"

#include "efm/errors.h"
#include "efm/geometry.h"
#include "efm/random.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace efm {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;  // log(2 pi)
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Gap between the label's and the other classes' logit of the smoothed one-hot point.
double labelGap(int64_t classes, double smoothing) {
  const double c = static_cast<double>(classes);
  return std::log((1 - smoothing + smoothing / c) / (smoothing / c));
}

// Upper tail of the standard normal, 1 - Phi(x).
double normalTail(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }

// 1 - (cone mass) = integral phi(x) (1 - Phi(x + r)^(c - 1)) dx, computed as a complement
// so that masses close to 1 (large n: M^(1/n)) keep their precision. Trapezoidal rule on a
// Gaussian integrand: accurate to rounding on this grid.
double coneMassComplement(int64_t classes, double r) {
  constexpr double half = 14, h = 1.0 / 64;
  const auto points = static_cast<int64_t>(2 * half / h);
  double sum = 0;
  for (int64_t k = 0; k <= points; ++k) {
    const double x = -half + h * static_cast<double>(k);
    const double phi = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    const double outside =
        -std::expm1(static_cast<double>(classes - 1) * std::log1p(-normalTail(x + r)));
    sum += (k == 0 || k == points ? 0.5 : 1.0) * phi * outside;
  }
  return sum * h;
}

// Proposal samples drawn per call of the generator (fixed, so that the draws never depend on
// how the samples are batched for the network).
constexpr int64_t kDrawBlock = 256;
// Hutchinson's probes come from their own stream: the same proposals with either divergence.
constexpr uint64_t kProbeSeedOffset = 0x9E3779B97F4A7C15ULL;

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

// Parameters' requires_grad switched off while the divergence is differentiated with
// respect to the input only; restored (with train mode) however the estimate ends.
class InputGradientsOnly {
 public:
  explicit InputGradientsOnly(VectorFieldImpl& network)
      : network_(network), wasTraining_(network.is_training()) {
    for (Tensor& p : network_.parameters()) {
      flags_.push_back(p.requires_grad());
      p.requires_grad_(false);
    }
    network_.eval();
  }
  ~InputGradientsOnly() {
    auto parameters = network_.parameters();
    for (std::size_t k = 0; k < parameters.size() && k < flags_.size(); ++k)
      parameters[k].requires_grad_(flags_[k]);
    if (wasTraining_) network_.train();
  }

 private:
  VectorFieldImpl& network_;
  bool wasTraining_;
  std::vector<bool> flags_;
};

torch::Dtype networkDtype(VectorFieldImpl& network) {
  for (const Tensor& p : network.parameters()) return p.scalar_type();
  return torch::kFloat32;
}

// The D basis vectors of T0^n as states: [D, n, c], vector i (c - 1) + j is column j of Q at
// node i and zero elsewhere.
Tensor coordinateDirections(int64_t variables, int64_t classes,
                            const torch::TensorOptions& options) {
  const Tensor q = tangentBasis(classes).to(options);  // [c, c-1]
  const Tensor eye = torch::eye(variables, options);   // [n, n]
  return torch::einsum("ik,cj->ijkc", {eye, q}).reshape({-1, variables, classes});
}

// log nu at the end states [B, n, c] (float64, CPU): the flow integrated backward from tEnd to
// 0 with the divergence in an extra coordinate l (dl/dt = div, l(tEnd) = 0), then
// log nu = log N(u_0; 0, I_D) + l(0). `probes` [B, n, c] for Hutchinson, else undefined.
Tensor backwardLogDensity(VectorFieldImpl& network, const ProbabilityPath& path,
                          const Tensor& endStates, const Tensor& probes,
                          const LikelihoodOptions& options, double tEnd,
                          const std::function<bool()>& cancelled, int64_t& evaluations) {
  const int64_t rows = endStates.size(0), n = endStates.size(1), c = endStates.size(2);
  const auto cpu = torch::TensorOptions().dtype(torch::kFloat64);
  const Tensor x0 =
      torch::cat(
          {endStates.reshape({rows, n * c}).to(torch::kFloat64), torch::zeros({rows, 1}, cpu)}, 1)
          .to(options.device);
  const Tensor probe = probes.defined() ? probes.to(options.device) : Tensor();
  auto velocity = [&](const Tensor& x, double t) {
    const Tensor v = x.narrow(1, 0, n * c).view({rows, n, c});
    const FieldDivergence f = velocityAndDivergence(network, path, v, t, options.divergence, probe);
    return torch::cat({f.velocity.reshape({rows, n * c}), f.divergence.unsqueeze(1)}, 1);
  };
  const OdeSolution solution = integrate(velocity, x0, tEnd, 0.0, options.solver, cancelled);
  evaluations = solution.evaluations;
  const Tensor x = solution.state.to(torch::kCPU, torch::kFloat64);
  const Tensor v0 = geometry::projectTangent(x.narrow(1, 0, n * c).view({rows, n, c}));
  const double d = static_cast<double>((c - 1) * n);
  return -0.5 * d * kLog2Pi - 0.5 * v0.pow(2).sum({1, 2}) + x.select(1, n * c);
}

}  // namespace

DivergenceKind parseDivergence(const std::string& name) {
  if (name == "exact") return DivergenceKind::Exact;
  if (name == "hutchinson") return DivergenceKind::Hutchinson;
  throw InputError("unknown divergence '" + name + "' (expected exact or hutchinson)");
}

std::string divergenceName(DivergenceKind kind) {
  return kind == DivergenceKind::Exact ? "exact" : "hutchinson";
}

ProposalKind parseProposal(const std::string& name) {
  if (name == "path-end") return ProposalKind::PathEnd;
  if (name == "reference") return ProposalKind::Reference;
  throw InputError("unknown proposal '" + name + "' (expected path-end or reference)");
}

std::string proposalName(ProposalKind kind) {
  return kind == ProposalKind::PathEnd ? "path-end" : "reference";
}

ProbeKind parseProbe(const std::string& name) {
  if (name == "rademacher") return ProbeKind::Rademacher;
  if (name == "gaussian") return ProbeKind::Gaussian;
  throw InputError("unknown probe '" + name + "' (expected rademacher or gaussian)");
}

std::string probeName(ProbeKind kind) {
  return kind == ProbeKind::Rademacher ? "rademacher" : "gaussian";
}

Tensor hutchinsonProbes(int64_t count, int64_t variables, int64_t classes, ProbeKind kind,
                        at::Generator& generator) {
  const auto cpu = torch::TensorOptions().dtype(torch::kFloat64);
  const std::vector<int64_t> shape = {count, variables, classes - 1};
  const Tensor eps = kind == ProbeKind::Gaussian
                         ? torch::randn(shape, generator, cpu)
                         : torch::randint(0, 2, shape, generator, cpu) * 2.0 - 1.0;
  return torch::matmul(eps, tangentBasis(classes).t());
}

DivergenceKind defaultDivergence(int64_t variables, int64_t classes) {
  return (classes - 1) * variables <= kExactDivergenceMaxDimension ? DivergenceKind::Exact
                                                                   : DivergenceKind::Hutchinson;
}

Tensor tangentBasis(int64_t classes) {
  if (classes < 2) throw InputError("the tangent space needs at least 2 classes");
  Tensor q = torch::zeros({classes, classes - 1}, torch::kFloat64);
  auto a = q.accessor<double, 2>();
  for (int64_t j = 1; j < classes; ++j) {
    const double norm = std::sqrt(static_cast<double>(j * (j + 1)));
    for (int64_t k = 0; k < j; ++k) a[k][j - 1] = 1 / norm;
    a[j][j - 1] = -static_cast<double>(j) / norm;
  }
  return q;
}

double proposalConeMass(int64_t classes, double smoothing, double scale) {
  if (!(scale > 0)) throw InputError("the proposal scale must be positive");
  return 1 - coneMassComplement(classes, labelGap(classes, smoothing) / scale);
}

double proposalScale(int64_t classes, double smoothing, double perNodeMass) {
  if (classes < 2) throw InputError("likelihood: at least 2 classes are needed");
  if (!(smoothing > 0 && smoothing < 1))
    throw InputError("likelihood: the path's smoothing must be in (0, 1)");
  const double c = static_cast<double>(classes);
  if (!(perNodeMass > 1 / c && perNodeMass < 1))
    throw InputError(
        "likelihood: the proposal mass per node (M^(1/n) = " + std::to_string(perNodeMass) +
        ") must lie between 1/c = " + std::to_string(1 / c) + " and 1; choose a larger --mass");
  const double gap = labelGap(classes, smoothing);
  const double target = 1 - perNodeMass;
  // The complement grows with s: from 0 (s -> 0) to 1 - 1/c (s -> infinity).
  double lo = gap / 64, hi = gap;
  while (coneMassComplement(classes, gap / lo) > target) lo /= 2;
  while (coneMassComplement(classes, gap / hi) < target) {
    hi *= 2;
    if (hi > 1e12 * gap)
      throw InputError("likelihood: no proposal scale reaches the mass " +
                       std::to_string(perNodeMass) + " per node");
  }
  for (int k = 0; k < 200 && hi - lo > 1e-14 * hi; ++k) {
    const double mid = std::sqrt(lo * hi);
    (coneMassComplement(classes, gap / mid) < target ? lo : hi) = mid;
  }
  return std::sqrt(lo * hi);
}

FieldDivergence velocityAndDivergence(VectorFieldImpl& network, const ProbabilityPath& path,
                                      const Tensor& state, double t, DivergenceKind kind,
                                      const Tensor& probe) {
  c10::InferenceMode notInference(false);
  torch::AutoGradMode gradients(true);
  const auto dtype = networkDtype(network);
  const int64_t batch = state.size(0), n = state.size(1), c = state.size(2);
  const auto options = state.options().dtype(dtype);
  Tensor input, directions;
  if (kind == DivergenceKind::Exact) {
    const Tensor basis = coordinateDirections(n, c, options);  // [D, n, c]
    const int64_t d = basis.size(0);
    input = state.to(dtype).unsqueeze(1).expand({batch, d, n, c}).reshape({batch * d, n, c});
    directions = basis.unsqueeze(0).expand({batch, d, n, c}).reshape({batch * d, n, c});
  } else {
    if (!probe.defined() || probe.sizes() != state.sizes())
      throw std::invalid_argument("velocityAndDivergence: Hutchinson needs a probe per state");
    input = state.to(dtype);
    directions = probe.to(dtype);
  }
  input = input.detach().requires_grad_(true);
  const Tensor velocity = path.velocity(network, input, t);
  Tensor divergence = torch::zeros({input.size(0)}, options);
  if (velocity.requires_grad()) {
    const auto grads = torch::autograd::grad({(velocity * directions).sum()}, {input}, {},
                                             /*retain_graph=*/false, /*create_graph=*/false,
                                             /*allow_unused=*/true);
    if (grads[0].defined()) divergence = (grads[0] * directions).sum({1, 2});
  }
  FieldDivergence out;
  if (kind == DivergenceKind::Exact) {
    const int64_t d = input.size(0) / batch;
    out.velocity = velocity.detach().view({batch, d, n, c}).select(1, 0);
    out.divergence = divergence.detach().view({batch, d}).sum(1);
  } else {
    out.velocity = velocity.detach();
    out.divergence = divergence.detach();
  }
  out.velocity = out.velocity.to(state.scalar_type());
  out.divergence = out.divergence.to(state.scalar_type());
  return out;
}

Tensor flowLogDensity(VectorFieldImpl& network, const ProbabilityPath& path,
                      const Tensor& endStates, const LikelihoodOptions& options,
                      const std::function<bool()>& cancelled) {
  if (endStates.dim() != 3 || endStates.size(2) < 2)
    throw InputError("flowLogDensity: end states must be [B, n, c] with c >= 2");
  InputGradientsOnly inputGradients(network);
  const int64_t c = endStates.size(2);
  Tensor probes;
  if (options.divergence == DivergenceKind::Hutchinson) {
    at::Generator generator = makeGenerator(torch::kCPU, options.seed + kProbeSeedOffset);
    probes = hutchinsonProbes(endStates.size(0), endStates.size(1), c, options.probe, generator);
  }
  const double tEnd = options.timeEnd > 0 ? options.timeEnd : path.timeEnd();
  int64_t evaluations = 0;
  return backwardLogDensity(network, path,
                            geometry::projectTangent(endStates.to(torch::kCPU, torch::kFloat64)),
                            probes, options, tEnd, cancelled, evaluations);
}

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

#pragma once
// Likelihood of unseen labelings under a trained e-geodesic model (docs/METHOD.md section 6):
// importance sampling over the end point of the flow, with the flow run backward as a
// continuous normalizing flow.
//
// Coordinates: an orthonormal basis Q of T0 = {v : sum_j v_j = 0} per node, so a state
// V in T0^n has D = (c - 1) n coordinates u (V_i = Q u_i, |u| = |V|). The reference
// distribution V0 = P0(z), z ~ N(0, I_c), is N(0, I_D) in these coordinates; the flow
// du/dt = Q^T P0 F(softmax(Q u), t) pushes it to a density nu at t_end, and
//   log nu(u_end) = log N(u_0; 0, I_D) - integral_0^t_end div_u(du/dt) dt
// along the path integrated backward from u_end. For a labeling a the proposal is
// rho = N(m_a, s^2 I_D). docs/METHOD.md's reference proposal (the default) takes
// m_a = P0(log w1(a)) (w1 the smoothed one-hot of training) and s such that rho puts mass M
// inside a's decision cone. That is where the bridge path ends; the ray path's flow ends
// near m t_end vhat_a with unit noise around it (twice as far out at the reference
// settings), which the path-end proposal centres on instead. With K proposal samples v_k,
//   rounding readout    w_k = 1[argmax v_k = a] nu(v_k) / rho(v_k)
//   factorized readout  w_k = prod_i softmax(v_k)_{i, a_i} nu(v_k) / rho(v_k)
// and log p(a) = log mean_k w_k (biased low by Jensen's inequality for small K; the bias is
// of the order of the squared standard error below).
#include "efm/models/vector_field.h"
#include "efm/paths/probability_path.h"
#include "efm/sampling/sampler.h"
#include "efm/solvers/ode_solver.h"

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace efm {

// How the divergence of the field is computed: exactly, as the trace of the Jacobian in the
// orthonormal coordinates (D vector-Jacobian products per evaluation, all in one batch), or
// by Hutchinson's unbiased estimator eps^T Q^T J Q eps, with eps drawn once per proposal
// sample and kept over the whole integration (one vector-Jacobian product).
enum class DivergenceKind { Exact, Hutchinson };
DivergenceKind parseDivergence(const std::string& name);  // throws InputError
// Hutchinson's probe eps in the orthonormal coordinates: Rademacher (+-1 entries, the
// default) or standard normal. Both have E[eps eps^T] = I; Rademacher's estimate has the
// smaller variance, 2 sum_{i != j} A_ij^2 against 2 sum_ij A_ij^2 for the symmetric part A of
// the Jacobian (it is exact when A is diagonal), and that variance is what biases
// exp(log nu) upward (flowLogDensity).
enum class ProbeKind { Rademacher, Gaussian };
ProbeKind parseProbe(const std::string& name);  // "rademacher" or "gaussian"; InputError else
std::string probeName(ProbeKind kind);
// `count` probes Q eps for states of n nodes with c classes: float64 [count, n, c] in T0.
Tensor hutchinsonProbes(int64_t count, int64_t variables, int64_t classes, ProbeKind kind,
                        at::Generator& generator);
std::string divergenceName(DivergenceKind kind);
// Exact up to this many coordinates (c - 1) n, Hutchinson above.
inline constexpr int64_t kExactDivergenceMaxDimension = 64;
DivergenceKind defaultDivergence(int64_t variables, int64_t classes);

// Orthonormal basis of T0 in R^c: float64 [c, c - 1], Q^T Q = I, Q^T 1 = 0 (Helmert's
// contrasts: column j is (1, ..., 1, -j, 0, ..., 0) / sqrt(j (j + 1)) with j ones).
Tensor tangentBasis(int64_t classes);

// The proposal's spread for a labeling of n nodes with c classes: the s at which
// P(argmax(m + s P0(z)) = a) = perNodeMass for one node, where m = P0(log w1(a)):
//   integral phi(x) Phi(x + Delta / s)^(c - 1) dx = perNodeMass,
//   Delta = log((1 - eps + eps / c) / (eps / c)).
// Throws InputError unless 1/c < perNodeMass < 1 (the cone of a holds 1/c at s -> infinity).
double proposalScale(int64_t classes, double smoothing, double perNodeMass);
// The left-hand side above (exposed for tests): mass of N(m, s^2 I) in a's cone, one node.
double proposalConeMass(int64_t classes, double smoothing, double scale);

// The velocity P0 F(softmax V, t) of an e-geodesic path's flow and the divergence of the
// flow in the orthonormal coordinates. `state` V: [B, n, c] in T0 (any floating dtype; the
// network runs in the dtype of its parameters). `probe` (Hutchinson only): [B, n, c] vectors
// Q eps. Returns velocity [B, n, c] and divergence [B] in the dtype of `state`.
struct FieldDivergence {
  Tensor velocity;
  Tensor divergence;
};
FieldDivergence velocityAndDivergence(VectorFieldImpl& network, const ProbabilityPath& path,
                                      const Tensor& state, double t, DivergenceKind kind,
                                      const Tensor& probe = {});

// Where the proposal of a labeling a is centred: on P0(log w1(a)) with s(M), as docs/METHOD.md
// section 6 states (Reference, the default); or on the path's conditional law at t_end
// (PathEnd: ray m t_end vhat_a, bridge P0(log w1(a))), spread max(its noise, s(M)). Both
// are unbiased; they differ in variance.
enum class ProposalKind { Reference, PathEnd };
ProposalKind parseProposal(const std::string& name);  // "reference" or "path-end"
std::string proposalName(ProposalKind kind);

struct LikelihoodOptions {
  int64_t classes = 0;             // c of the run (required)
  int64_t proposalSamples = 1000;  // K per labeling
  DivergenceKind divergence = DivergenceKind::Exact;
  ProbeKind probe = ProbeKind::Rademacher;  // Hutchinson's
  Readout readout = Readout::Argmax;
  ProposalKind proposal = ProposalKind::Reference;
  double mass = 0.5;        // M: proposal mass inside the labeling's decision cone
  double scale = 0;         // s, when positive: replaces the rule above (for experiments)
  double smoothing = 0.01;  // eps of the run's path (config.path.smoothing)
  SolverOptions solver;     // the same solver as sampling (RK4, step 0.2 by default)
  double timeEnd = 0;       // 0 = the path's default
  uint64_t seed = 0;
  // Rows of one network evaluation (proposal samples x D for the exact divergence); also
  // capped so that rows x n x c stays below maxChunkElements.
  int64_t chunkRows = 2048;
  int64_t maxChunkElements = int64_t{1} << 20;
  torch::Device device = torch::kCPU;
};

struct LabelingLikelihood {
  double logLikelihood = 0;     // log p(a) in nats; -infinity when every weight is 0
  double standardError = 0;     // of logLikelihood: sd(w) / (sqrt(K) mean(w)); NaN if undefined
  double bitsPerDimension = 0;  // -log p(a) / (n ln 2)
  double effectiveSamples = 0;  // (sum w)^2 / sum w^2
  int64_t nonzeroWeights = 0;   // rounding readout: proposal samples inside the cone
};

struct LikelihoodResult {
  std::vector<LabelingLikelihood> items;
  double meanLogLikelihood = 0;  // over items
  // Of the mean, from the estimators alone: sqrt(sum se_i^2) / N (not the spread of the data).
  double meanStandardError = 0;
  double bitsPerDimension = 0;  // -meanLogLikelihood / (n ln 2)
  double bitsPerDimensionStandardError = 0;
  double proposalScale = 0;  // s
  // Distance of the proposal's centre from the origin, per node (|m_a| / sqrt(n)).
  double proposalCentreNorm = 0;
  double meanEffectiveSamples = 0;  // over items
  double nodeMass = 0;              // M^(1/n)
  DivergenceKind divergence = DivergenceKind::Exact;
  int64_t evaluations = 0;        // network evaluations per integrated proposal sample
  int64_t integratedSamples = 0;  // proposal samples integrated (rounding: those in the cone)
};

// log p(a) for every labeling a of `labels` (int64 [N, n], CPU). `path` must be an e-geodesic
// path ("ray" or "bridge"; InputError naming it otherwise). progress(done, total) counts
// proposal samples and is called after each batch; `cancelled` is polled between solver steps
// (throws efm::Cancelled). The same proposal draws for a seed, whatever the chunk size. The
// network must not be trained concurrently (use a snapshot); its parameters' requires_grad
// flags and train mode are restored on return.
LikelihoodResult estimateLikelihood(VectorFieldImpl& network, const ProbabilityPath& path,
                                    const Tensor& labels, const LikelihoodOptions& options,
                                    const std::function<void(int64_t, int64_t)>& progress = nullptr,
                                    const std::function<bool()>& cancelled = nullptr);

// log nu(v), the density of the flow's end point at end states v (float [B, n, c] in T0) in
// the orthonormal coordinates: the flow integrated backward from t_end with the divergence
// (options' solver, t_end, divergence; Hutchinson's probes drawn from options.seed). With
// Hutchinson's estimator log nu is unbiased, but exp(log nu) is not: the importance weights'
// exponent carries the estimator's noise, and E[exp] > exp(E) (Jensen), so likelihoods from
// Hutchinson's divergence are biased upward by about half the variance of that noise.
Tensor flowLogDensity(VectorFieldImpl& network, const ProbabilityPath& path,
                      const Tensor& endStates, const LikelihoodOptions& options,
                      const std::function<bool()>& cancelled = nullptr);

// log mean exp of log-weights (float64 [K]) with the delta-method standard error of the
// result and the effective sample size, all computed stably in log space.
LabelingLikelihood summarizeLogWeights(const Tensor& logWeights, int64_t variables);

}  // namespace efm

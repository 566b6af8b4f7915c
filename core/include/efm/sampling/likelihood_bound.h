#pragma once
// A variational lower bound on log p(a) for the factorized read-out (docs/METHOD.md section 6,
// "The bound"): importance-weighted, with a posterior over the flow's initial state learned
// per model.
//
// The model's factorized likelihood is an expectation over the reference noise u0 ~ N(0, I_D)
// (D = (c - 1) n coordinates in the orthonormal basis Q of T0, efm/sampling/likelihood.h):
//   p(a) = E_u0[ prod_i softmax(phi(u0))_{i, a_i} ],   phi = the flow map to t_end.
// For any density q(u0 | a) and K draws u0_k ~ q, with the weights
//   log w_k = log N(u0_k; 0, I) - log q(u0_k | a) + sum_i log softmax(phi(u0_k))_{i, a_i},
// L_K = log mean_k w_k satisfies E[L_K] <= log p(a) (Burda et al. 2016: the importance-
// weighted bound; K = 1 is the evidence lower bound), and L_K rises to log p(a) as K grows.
// The flow is a bijection, so q over u0 is a posterior over the end state as well (its push-
// forward): this is the variational dequantization of the read-out, written where the
// reference density is known in closed form, so no divergence of the field is needed and the
// bound is exact in expectation whatever the solver's error (it bounds the model that solver
// samples from).
//
// q(u0 | a) = N(mu(a), diag sigma(a)^2), mu and log sigma from two networks of the model's own
// kind that read the smoothed one-hot point w1(a) (an amortized posterior), trained on the
// data by maximizing the evidence lower bound through the flow (the model's weights frozen).
#include "efm/base/image_layout.h"
#include "efm/models/network_options.h"
#include "efm/models/vector_field.h"
#include "efm/paths/probability_path.h"
#include "efm/sampling/likelihood.h"
#include "efm/solvers/ode_solver.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace efm {

// q(u0 | a): a diagonal Gaussian over the flow's initial state in the orthonormal coordinates.
class NoisePosteriorImpl : public torch::nn::Module {
 public:
  // `network`: the kind and width of the two encoder networks (the run's own, normally);
  // `smoothing`: eps of w1(a), the point the encoders read.
  NoisePosteriorImpl(int64_t variables, int64_t classes, const NetworkOptions& network,
                     const ImageLayout& image, double smoothing);

  struct Gaussian {
    Tensor mean;      // [B, n, c - 1]
    Tensor logScale;  // [B, n, c - 1]
  };
  // For labelings int64 [B, n] (on the module's device).
  Gaussian forward(const Tensor& labels);

  int64_t variables() const { return variables_; }
  int64_t classes() const { return classes_; }

 private:
  int64_t variables_, classes_;
  double smoothing_;
  VectorFieldPtr meanNetwork_, scaleNetwork_;
  // Gains on the two outputs, 0 at the start: q starts as the prior N(0, I), so an untrained
  // posterior already gives a valid (loose) bound and training only tightens it.
  Tensor meanGain_, scaleGain_;
  Tensor basis_;  // Q, [c, c - 1]
};
TORCH_MODULE(NoisePosterior);

struct BoundOptions {
  int64_t classes = 0;   // c of the run (required)
  int64_t samples = 64;  // K per labeling
  // Share of the K draws taken from the prior N(0, I) instead of q (boundLikelihood only;
  // training draws from q alone). The proposal is then the mixture (1 - alpha) q + alpha
  // N(0, I), alpha = round(share K) / K: a defensive mixture (Hesterberg 1995) whose weights
  // are at most 1 / alpha. Where the prior's draws carry no weight (large n) it is no worse
  // than the bound of (1 - alpha) K draws of q; where they do (small n), it catches the
  // probability that q misses, q being trained on the training data, mode-seeking: on rare
  // 4 x 4 Fashion-MNIST crops q alone sat 3 to 12 nats below a plain Monte Carlo estimate
  // from the prior, and the mixture recovered 1 to 4 of them.
  double priorFraction = 0.25;
  // Per-labeling refinement before the bound is taken (boundLikelihood only): starting at the
  // encoder's mean and scale for a labeling, `refineSteps` Adam steps (rate
  // `refineLearningRate`) on that labeling's own evidence lower bound, one draw of u0 per step,
  // move q(. | a) closer to that labeling's posterior. The amortized encoder must serve every
  // labeling with one network (the amortization gap; Cremer et al. 2018); this closes part of
  // that gap for the labelings scored. The bound stays valid: q is any density chosen without
  // the scoring draws (the refinement's draws come from their own stream).
  int64_t refineSteps = 0;
  double refineLearningRate = 0.02;
  SolverOptions solver;  // the flow's solver: the bound is on the model this solver samples
  double timeEnd = 0;    // 0 = the path's default
  uint64_t seed = 0;
  int64_t chunkRows = 256;  // rows (labelings x samples) integrated together
  torch::Device device = torch::kCPU;
};

struct PosteriorTrainingOptions {
  int64_t steps = 300;
  int64_t batch = 32;  // labelings per step, one draw of u0 each
  double learningRate = 1e-3;
  uint64_t seed = 0;
};

// Log weights log w (float64 [B]) of one draw u0 ~ q(. | a) per row of `labels` (int64 [B, n]),
// differentiable with respect to the posterior's parameters. The model's parameters must not
// require gradients (the flow is differentiated with respect to its input only).
Tensor boundLogWeights(VectorFieldImpl& network, const ProbabilityPath& path,
                       NoisePosteriorImpl& posterior, const Tensor& labels,
                       const BoundOptions& options, at::Generator& generator,
                       const std::function<bool()>& cancelled = nullptr);

// Fits q by stochastic gradient ascent on the evidence lower bound over labelings drawn by
// `draw(batch, generator)` (int64 [batch, n], normally the training data). Returns the ELBO
// per node after every step. progress(step, steps, elbo per node); `cancelled` is polled
// between solver steps (throws efm::Cancelled). The model's requires_grad flags and train
// mode are restored on return.
std::vector<double> trainNoisePosterior(
    VectorFieldImpl& network, const ProbabilityPath& path, NoisePosteriorImpl& posterior,
    const std::function<Tensor(int64_t, at::Generator&)>& draw, const BoundOptions& options,
    const PosteriorTrainingOptions& training,
    const std::function<void(int64_t, int64_t, double)>& progress = nullptr,
    const std::function<bool()>& cancelled = nullptr);

// L_K per labeling of `labels` (int64 [N, n], CPU) and their mean, with the delta-method
// standard errors and the effective sample size of the K weights (efm/sampling/likelihood.h's
// LikelihoodResult; `logLikelihood` holds the bound). Also the ELBO per labeling: the mean log
// weight of the draws from q plus log(1 - alpha) (the prior's share), or of all draws when
// every one comes from the prior: L_K - ELBO >= 0 is how much K samples gained over one, a measure
// of how far q is from the posterior. Same draws for a seed whatever the chunk size.
struct BoundResult {
  LikelihoodResult bound;
  std::vector<double> elbo;  // per labeling
  double meanElbo = 0;
};
BoundResult boundLikelihood(VectorFieldImpl& network, const ProbabilityPath& path,
                            NoisePosteriorImpl& posterior, const Tensor& labels,
                            const BoundOptions& options,
                            const std::function<void(int64_t, int64_t)>& progress = nullptr,
                            const std::function<bool()>& cancelled = nullptr);

}  // namespace efm

#pragma once
// Probability paths (docs/METHOD.md section 4 for ours, section 7 for the peers): how a data
// labeling becomes a training pair (a point on a conditional path plus its target), the
// loss, and the generative ODE that the trained network defines. One interface, so the
// trainer, the sampler and the desktop application never need to know which geometry they
// are running, and a comparison of paths differs in nothing but the path. The paths, and
// how to build one: efm/paths/path_registry.h.
#include "efm/models/vector_field.h"
#include "efm/paths/path_options.h"
#include "efm/solvers/ode_solver.h"

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace efm {

using torch::Tensor;

// A batch of points on conditional paths, ready for the network and the loss.
struct PathBatch {
  Tensor point;  // W_t [B, n, c]: the network's input
  Tensor time;   // t [B]
  // What the loss compares the network output with: the regression target [B, n, c] (an
  // affinity for the e-geodesic paths, a sphere tangent for Fisher-Rao), or the labels
  // (int64 [B, n]) for the paths with a cross-entropy denoiser (linear, Dirichlet).
  Tensor target;
  // Which nodes the loss counts, float [B, n] of 0 and 1 (training with given nodes: the
  // given ones are not counted); undefined: every node.
  Tensor nodeWeight;
};

// The state of a conditional path at one time when it is Gaussian in logit coordinates:
// N(mean, spread^2 I) on the tangent space T0 of every node (spread 0: a single point).
struct ConditionalLaw {
  Tensor mean;  // [N, n, c], rows in T0
  double spread = 0;
};

class ProbabilityPath {
 public:
  virtual ~ProbabilityPath() = default;
  virtual std::string name() const = 0;

  // Conditional-path samples for data labelings x (int64 [B, n], on the training device).
  // Random draws (t, noise) come from `generator`, which lives on the same device.
  virtual PathBatch sample(const Tensor& labels, int64_t classes,
                           at::Generator& generator) const = 0;

  // Scalar training loss for the network output F at the sampled points.
  virtual Tensor loss(const Tensor& output, const PathBatch& batch) const = 0;

  // --- The generative ODE. Its state is path specific (logit coordinates V here). ---
  // Initial states for `count` labelings of n nodes: [count, n, c].
  virtual Tensor initialState(int64_t count, int64_t variables, int64_t classes,
                              at::Generator& generator,
                              const torch::TensorOptions& options) const = 0;
  // d state / dt at time t (same t for the whole batch).
  virtual Tensor velocity(VectorFieldImpl& network, const Tensor& state, double t) const = 0;
  // The point W [.., n, c] of the assignment manifold that a state represents.
  virtual Tensor probabilities(const Tensor& state) const = 0;
  // Time at which sampling stops unless the user says otherwise.
  virtual double timeEnd() const = 0;
  // Time at which the flow starts (the Dirichlet path's time is alpha, from 1).
  virtual double timeStart() const { return 0; }
  // The path's own sampler: for ray Euler with 60 steps to t_end (as good as the reference's
  // RK4 with step 0.2 on the measured tables, 5x cheaper), for bridge RK4 with step 0.2
  // over [0, 1] (20 evaluations), for the peers Euler with 300 steps (as their authors
  // sample them, with the evaluations of the reference's sampler).
  virtual SolverOptions defaultSolver() const;
  // Throws InputError if the path cannot be integrated with these settings (the linear
  // path's velocity is singular at t = 1, which Heun, RK4 and Dopri5 evaluate) or to this
  // end time (0 = timeEnd()).
  virtual void checkSampling(const SolverOptions& solver, double timeEnd) const;
  // Moves a state by a solver increment: state + increment for states in a vector space;
  // the sphere path moves along the great circle, the simplex paths stay on the simplex.
  virtual Tensor retract(const Tensor& state, const Tensor& increment) const {
    return state + increment;
  }
  // The network output that moves a node along its own conditional path towards `labels`
  // (int64 [B or 1, n]) from wherever it is at time t (t: [1] or [B]); `w` = probabilities(
  // state) [B, n, c]. With it in place of the network's output, velocity() is the path's
  // conditional velocity u_t(. | x): how given nodes move when sampling with conditions
  // (docs/METHOD.md, "Conditioning"). Throws InputError for a path without one.
  virtual Tensor conditionalOutput(const Tensor& w, const Tensor& labels, const Tensor& t) const;
  // The probabilities read out at the end of the flow (argmax or a draw per node). The
  // point W itself, except for the Dirichlet path, whose end point at alpha_max is still
  // diffuse and is read out through its denoiser, as Stark et al. do.
  virtual Tensor endProbabilities(VectorFieldImpl& network, const Tensor& state, double t) const {
    (void)network;
    (void)t;
    return probabilities(state);
  }
  // True when the label read out at the end is the argmax of the flow's state itself (the
  // e-geodesic paths: logits), which early decision stopping needs.
  virtual bool decidesByStateArgmax() const { return false; }
  // Where the conditional path of labelings x (int64 [N, n]) is at time t, in the flow's
  // state coordinates, when that is Gaussian: the e-geodesic paths. A flow that has learned
  // its marginal path ends near the conditional law of a labeling, which is where the
  // likelihood's importance sampler looks for it. Computed in double precision.
  virtual std::optional<ConditionalLaw> conditionalLaw(const Tensor& labels, int64_t classes,
                                                       double t) const {
    (void)labels;
    (void)classes;
    (void)t;
    return std::nullopt;
  }
};

using ProbabilityPathPtr = std::shared_ptr<const ProbabilityPath>;

// Squared Fisher-Rao norm of R_W(F - target), summed over nodes and averaged over the
// batch: the e-geodesic flow matching loss shared by both variants.
Tensor fisherRaoRegressionLoss(const Tensor& output, const PathBatch& batch);

// A loss per node [B, n] summed over the nodes that batch.nodeWeight counts (all when it is
// undefined) and averaged over the batch: every path's loss ends here.
Tensor sumOverCountedNodes(const Tensor& perNode, const PathBatch& batch);

}  // namespace efm

#pragma once
// Probability paths (METHOD.md section 4, and section 7 for the peers later): how a data
// labeling becomes a training pair (a point on a conditional path plus its regression
// target), the loss, and the generative ODE that the trained network defines. One
// interface, so the trainer, the sampler and the desktop application never need to know
// which geometry they are running.
#include "efm/config.h"
#include "efm/vector_field.h"

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <memory>
#include <string>

namespace efm {

using torch::Tensor;

// A batch of points on conditional paths, ready for the network and the loss.
struct PathBatch {
  Tensor point;   // W_t [B, n, c]: the network's input
  Tensor time;    // t [B]
  Tensor target;  // regression target [B, n, c] (an affinity: compared through R_{W_t})
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
};

using ProbabilityPathPtr = std::shared_ptr<const ProbabilityPath>;

// Builds the path named by options.kind ("ray" or "bridge"); throws InputError otherwise.
ProbabilityPathPtr makeProbabilityPath(const PathOptions& options);

// Squared Fisher-Rao norm of R_W(F - target), summed over nodes and averaged over the
// batch: the e-geodesic flow matching loss shared by both variants.
Tensor fisherRaoRegressionLoss(const Tensor& output, const PathBatch& batch);

}  // namespace efm

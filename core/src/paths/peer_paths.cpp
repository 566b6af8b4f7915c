// The peers of docs/METHOD.md section 7, as probability paths of the same engine: the same
// network F(W, t) (its input is always a point of the simplex), the same data, optimizer
// and budget; only the geometry of the path and its sampler differ.
#include "paths/dirichlet_velocity.h"
#include "paths/path_factories.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <cmath>

namespace efm::detail {

namespace {

using torch::Tensor;

torch::TensorOptions floatOn(const Tensor& labels) {
  return torch::TensorOptions().dtype(torch::kFloat32).device(labels.device());
}

// Dir(concentration) draws through normalised Gamma variables (one per entry).
Tensor dirichletDraw(const Tensor& concentration, at::Generator& generator) {
  const Tensor gamma = at::_standard_gamma(concentration, generator);
  // A Gamma(1) draw underflows to 0 with probability ~1e-38 per entry; the floor keeps
  // every point strictly inside the simplex, as the network and the Dirichlet velocity
  // expect.
  const Tensor positive = gamma.clamp_min(1e-30);
  return positive / positive.sum(-1, true);
}

Tensor uniformSimplex(int64_t count, int64_t variables, int64_t classes, at::Generator& generator,
                      const torch::TensorOptions& options) {
  return dirichletDraw(torch::ones({count, variables, classes}, options), generator);
}

// Cross-entropy of the denoiser p(x1 | x_t) = softmax(F), summed over nodes, averaged over
// the batch (the scale of our Fisher-Rao loss, which also sums over nodes).
Tensor denoiserCrossEntropy(const Tensor& output, const PathBatch& batch) {
  const Tensor logP = torch::log_softmax(output, -1);
  return sumOverCountedNodes(-logP.gather(-1, batch.target.unsqueeze(-1)).squeeze(-1), batch);
}

// Denoiser logits sure of `labels`: softmax gives their one-hot points exactly in float32,
// so the linear and Dirichlet velocities become the conditional velocities of the label.
Tensor sureLogits(const Tensor& labels, int64_t classes, const torch::TensorOptions& options) {
  return 1e4 * torch::one_hot(labels, classes).to(options);
}

// Keeps simplex states on the simplex after a solver increment: an Euler step of the
// linear or Dirichlet velocity can overshoot a face when the denoiser is very sure.
Tensor stayOnSimplex(const Tensor& state, const Tensor& increment) {
  const Tensor moved = (state + increment).clamp_min(1e-12);
  return moved / moved.sum(-1, true);
}

class PeerPathBase : public ProbabilityPath {
 public:
  explicit PeerPathBase(const PathOptions& options) : options_(options) {}
  Tensor probabilities(const Tensor& state) const override { return state; }
  Tensor initialState(int64_t count, int64_t variables, int64_t classes, at::Generator& generator,
                      const torch::TensorOptions& options) const override {
    return uniformSimplex(count, variables, classes, generator, options);
  }
  SolverOptions defaultSolver() const override {
    // Euler (the peers' own sampler) with the evaluations of our reference, RK4 to t = 15
    // in steps of 0.2: 300.
    SolverOptions solver;
    solver.kind = SolverKind::Euler;
    solver.step = (timeEnd() - timeStart()) / 300;
    return solver;
  }
  void checkSampling(const SolverOptions& solver, double end) const override {
    ProbabilityPath::checkSampling(solver, 0);
    if (end != 0 && std::abs(end - timeEnd()) > 1e-12)
      throw InputError("the " + name() + " path ends at t = " + std::to_string(timeEnd()) +
                       ", where its conditional paths reach the data; t_end cannot be " +
                       std::to_string(end));
  }

 protected:
  Tensor networkTime(const Tensor& state, double t) const {
    return torch::full({1}, t, state.options());
  }
  PathOptions options_;
};

// Linear simplex flow matching: x_t = (1 - t) x0 + t onehot(x), x0 ~ Dir(1), t ~ U[0, 1];
// the marginal velocity (E[x1 | x_t] - x_t) / (1 - t) with E[x1 | x_t] = softmax(F).
class LinearPath final : public PeerPathBase {
 public:
  using PeerPathBase::PeerPathBase;
  std::string name() const override { return "linear"; }
  double timeEnd() const override { return 1.0; }

  PathBatch sample(const Tensor& labels, int64_t classes, at::Generator& generator) const override {
    const torch::TensorOptions options = floatOn(labels);
    const Tensor x0 = uniformSimplex(labels.size(0), labels.size(1), classes, generator, options);
    const Tensor t = torch::rand({labels.size(0)}, generator, options);
    const Tensor s = t.view({-1, 1, 1});
    const Tensor onehot = torch::one_hot(labels, classes).to(options);
    return {(1 - s) * x0 + s * onehot, t, labels, {}};
  }
  Tensor loss(const Tensor& output, const PathBatch& batch) const override {
    return denoiserCrossEntropy(output, batch);
  }
  // (onehot(x) - x_t) / (1 - t): the straight line to the label's vertex.
  Tensor conditionalOutput(const Tensor& w, const Tensor& labels, const Tensor& t) const override {
    (void)t;
    return sureLogits(labels, w.size(-1), w.options()).expand_as(w);
  }
  Tensor velocity(VectorFieldImpl& network, const Tensor& state, double t) const override {
    const Tensor denoised = torch::softmax(network.forward(state, networkTime(state, t)), -1);
    return (denoised - state) / (1 - t);
  }
  Tensor retract(const Tensor& state, const Tensor& increment) const override {
    return stayOnSimplex(state, increment);
  }
  void checkSampling(const SolverOptions& solver, double end) const override {
    PeerPathBase::checkSampling(solver, end);
    // The last step of Euler lands on t = 1 without evaluating there; every other solver
    // evaluates the velocity at t = 1, where it divides by 1 - t = 0.
    if (solver.kind != SolverKind::Euler)
      throw InputError("the linear path's velocity is singular at t = 1, which " +
                       solverName(solver.kind) + " evaluates; sample it with euler");
  }
};

// Dirichlet flow matching (Stark et al. 2024): x ~ Dir(1 + (alpha - 1) onehot(x)), alpha
// in [1, alpha_max] (uniform for training, the range Euler sampling walks), and the
// marginal velocity sum_i p_i C(x_i, alpha) (e_i - x) with p = softmax(F).
class DirichletPath final : public PeerPathBase {
 public:
  explicit DirichletPath(const PathOptions& options) : PeerPathBase(options) {}
  std::string name() const override { return "dirichlet"; }
  double timeStart() const override { return 1.0; }
  double timeEnd() const override { return options_.alphaMax; }

  PathBatch sample(const Tensor& labels, int64_t classes, at::Generator& generator) const override {
    const torch::TensorOptions options = floatOn(labels);
    const Tensor alpha =
        1 + (options_.alphaMax - 1) * torch::rand({labels.size(0)}, generator, options);
    const Tensor onehot = torch::one_hot(labels, classes).to(options);
    const Tensor concentration = 1 + (alpha.view({-1, 1, 1}) - 1) * onehot;
    return {dirichletDraw(concentration, generator), alpha, labels, {}};
  }
  Tensor loss(const Tensor& output, const PathBatch& batch) const override {
    return denoiserCrossEntropy(output, batch);
  }
  // C(x_i, alpha) (e_i - x) for the label i alone: the flow that carries Dir(1) to
  // Dir(1 + (alpha - 1) e_i) (Stark et al.'s conditional velocity).
  Tensor conditionalOutput(const Tensor& w, const Tensor& labels, const Tensor& t) const override {
    (void)t;
    return sureLogits(labels, w.size(-1), w.options()).expand_as(w);
  }
  Tensor velocity(VectorFieldImpl& network, const Tensor& state, double alpha) const override {
    const Tensor p = torch::softmax(network.forward(state, networkTime(state, alpha)), -1);
    const Tensor weighted = p * table(state.size(-1)).factors(state, alpha);
    return weighted - state * weighted.sum(-1, true);
  }
  Tensor retract(const Tensor& state, const Tensor& increment) const override {
    return stayOnSimplex(state, increment);
  }
  Tensor endProbabilities(VectorFieldImpl& network, const Tensor& state,
                          double alpha) const override {
    return torch::softmax(network.forward(state, networkTime(state, alpha)), -1);
  }

 private:
  const DirichletFlowTable& table(int64_t classes) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!table_ || table_->classes() != classes)
      table_ = std::make_shared<DirichletFlowTable>(classes);
    return *table_;
  }
  mutable std::mutex mutex_;
  mutable std::shared_ptr<DirichletFlowTable> table_;
};

// Fisher-Rao flow matching on the sphere (Davis et al. 2024; Cheng et al. 2024): s =
// sqrt(x) on the positive orthant of the unit sphere, great circles from s0 = sqrt(x0), x0
// ~ Dir(1), to s1 = onehot(x), regression of the tangent velocity, steps along great
// circles (the exponential map) when sampling. The network sees W = s^2.
class FisherPath final : public PeerPathBase {
 public:
  using PeerPathBase::PeerPathBase;
  std::string name() const override { return "fisher"; }
  double timeEnd() const override { return 1.0; }

  PathBatch sample(const Tensor& labels, int64_t classes, at::Generator& generator) const override {
    const torch::TensorOptions options = floatOn(labels);
    const Tensor s0 =
        uniformSimplex(labels.size(0), labels.size(1), classes, generator, options).sqrt();
    const Tensor s1 = torch::one_hot(labels, classes).to(options);
    const Tensor t = torch::rand({labels.size(0)}, generator, options);
    const Tensor s = t.view({-1, 1, 1});
    // Angle between s0 and s1 per node: cos a = sqrt(x0 at the label), so a > 0 always.
    const Tensor angle = (s0 * s1).sum(-1, true).clamp(-1, 1).acos();
    const Tensor sinAngle = angle.sin().clamp_min(1e-7);
    const Tensor point = ((1 - s) * angle).sin() * s0 + (s * angle).sin() * s1;
    const Tensor st = point / sinAngle;
    const Tensor target =
        angle * ((s * angle).cos() * s1 - ((1 - s) * angle).cos() * s0) / sinAngle;
    // Network input W = s_t^2; the target lives in the sphere's tangent space at s_t, and
    // `time` carries t. The loss needs s_t itself: W's square root.
    return {st * st, t, target, {}};
  }
  Tensor loss(const Tensor& output, const PathBatch& batch) const override {
    const Tensor s = batch.point.clamp_min(0).sqrt();
    return sumOverCountedNodes((tangent(s, output) - batch.target).pow(2).sum(-1), batch);
  }
  // Along the great circle from s_t to the label's vertex, its remaining angle in the
  // remaining time 1 - t (floored: Euler, the path's sampler, never evaluates t = 1, RK4
  // does, where the angle left is 0).
  Tensor conditionalOutput(const Tensor& w, const Tensor& labels, const Tensor& t) const override {
    const Tensor s = w.clamp_min(0).sqrt();
    const Tensor s1 = torch::one_hot(labels, w.size(-1)).to(w.options()).expand_as(w);
    const Tensor toward = tangent(s, s1);
    const Tensor angle = (s * s1).sum(-1, true).clamp(-1, 1).acos();
    const Tensor remaining = (1 - t.to(w.options())).view({-1, 1, 1}).clamp_min(1e-3);
    return angle / remaining * toward / toward.norm(2, -1, true).clamp_min(1e-20);
  }
  Tensor velocity(VectorFieldImpl& network, const Tensor& state, double t) const override {
    return tangent(state, network.forward(probabilities(state), networkTime(state, t)));
  }
  Tensor probabilities(const Tensor& state) const override {
    const Tensor squared = state * state;
    return squared / squared.sum(-1, true);
  }
  Tensor initialState(int64_t count, int64_t variables, int64_t classes, at::Generator& generator,
                      const torch::TensorOptions& options) const override {
    return uniformSimplex(count, variables, classes, generator, options).sqrt();
  }
  // The exponential map of the unit sphere: along the great circle in the direction of the
  // increment's tangent part, by its length.
  Tensor retract(const Tensor& state, const Tensor& increment) const override {
    const Tensor v = tangent(state, increment);
    const Tensor length = v.norm(2, -1, true);
    const Tensor direction = v / length.clamp_min(1e-20);
    const Tensor moved = length.cos() * state + length.sin() * direction;
    return moved / moved.norm(2, -1, true);
  }

 private:
  // Projection onto the tangent space of the sphere at s: v - <v, s> s.
  static Tensor tangent(const Tensor& s, const Tensor& v) { return v - (v * s).sum(-1, true) * s; }
};

}  // namespace

ProbabilityPathPtr makeLinearPath(const PathOptions& options) {
  return std::make_shared<LinearPath>(options);
}
ProbabilityPathPtr makeDirichletPath(const PathOptions& options) {
  return std::make_shared<DirichletPath>(options);
}
ProbabilityPathPtr makeFisherPath(const PathOptions& options) {
  return std::make_shared<FisherPath>(options);
}

}  // namespace efm::detail

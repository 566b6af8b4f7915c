// The two variants of e-geodesic flow matching (docs/METHOD.md section 4). Both integrate the
// assignment flow dV/dt = P0 F(softmax(V), t) in logit coordinates from V0 = P0(z).
#include "paths/path_factories.h"

#include "efm/geometry/geometry.h"

#include <torch/torch.h>

#include <cmath>

namespace efm {

namespace {

using geometry::projectTangent;

// Below float32's smallest normal number; keeps log W finite.
constexpr double kSmallestProbability = 1e-38;
// The least remaining time 1 - t a conditional velocity divides by (see BridgePath).
constexpr double kSmallestRemaining = 1e-3;

// P0(log w1) for the smoothed one-hot points w1 = (1 - eps) onehot(x) + eps / c, in closed
// form: log w1 takes two values, log(1 - eps + eps/c) on the label and log(eps/c) elsewhere.
Tensor smoothedDataLogits(const Tensor& labels, int64_t classes, double eps,
                          const torch::TensorOptions& options) {
  const double hi = std::log(1 - eps + eps / classes);
  const double lo = std::log(eps / classes);
  const Tensor onehot = torch::one_hot(labels, classes).to(options);
  return projectTangent(lo + (hi - lo) * onehot);
}

Tensor noiseLike(const Tensor& labels, int64_t classes, at::Generator& generator,
                 const torch::TensorOptions& options) {
  return torch::randn({labels.size(0), labels.size(1), classes}, generator, options);
}

class EGeodesicPathBase : public ProbabilityPath {
 public:
  explicit EGeodesicPathBase(const PathOptions& options) : options_(options) {}

  Tensor loss(const Tensor& output, const PathBatch& batch) const override {
    return fisherRaoRegressionLoss(output, batch);
  }

  Tensor initialState(int64_t count, int64_t variables, int64_t classes, at::Generator& generator,
                      const torch::TensorOptions& options) const override {
    return projectTangent(torch::randn({count, variables, classes}, generator, options));
  }

  Tensor velocity(VectorFieldImpl& network, const Tensor& state, double t) const override {
    // One time for the whole batch: the network broadcasts its time features.
    const Tensor time = torch::full({1}, t, state.options());
    return projectTangent(network.forward(torch::softmax(state, -1), time));
  }

  Tensor probabilities(const Tensor& state) const override { return torch::softmax(state, -1); }
  bool decidesByStateArgmax() const override { return true; }  // argmax softmax(V) = argmax V

 protected:
  PathOptions options_;
};

// Journal version: V_t = m t vhat + P0(z), t ~ Gamma(k, r), constant target m vhat.
class RayPath final : public EGeodesicPathBase {
 public:
  using EGeodesicPathBase::EGeodesicPathBase;
  std::string name() const override { return "ray"; }
  double timeEnd() const override { return options_.timeEnd > 0 ? options_.timeEnd : 15.0; }
  // Euler with 60 steps over [0, t_end]: the cheapest setting whose samples stayed within
  // the noise of RK4 at 300 evaluations (the reference's sampler) in the measured table of
  // docs/PERFORMANCE.md, "Network evaluations"; 5x fewer evaluations.
  SolverOptions defaultSolver() const override {
    SolverOptions solver;
    solver.kind = SolverKind::Euler;
    solver.step = timeEnd() / kDefaultEulerSteps;
    return solver;
  }
  static constexpr int kDefaultEulerSteps = 60;

  PathBatch sample(const Tensor& labels, int64_t classes, at::Generator& generator) const override {
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(labels.device());
    const Tensor v = smoothedDataLogits(labels, classes, options_.smoothing, options);
    const Tensor direction = options_.magnitude * v / v.norm(2, -1, /*keepdim=*/true);
    const Tensor shape = torch::full({labels.size(0)}, options_.gammaShape, options);
    const Tensor t = at::_standard_gamma(shape, generator) / options_.gammaRate;
    const Tensor z = projectTangent(noiseLike(labels, classes, generator, options));
    const Tensor point = torch::softmax(t.view({-1, 1, 1}) * direction + z, -1);
    return {point, t, direction, {}};
  }

  // The ray's constant velocity m vhat: V_t = m t vhat + P0(z) from every start.
  Tensor conditionalOutput(const Tensor& w, const Tensor& labels, const Tensor& t) const override {
    (void)t;
    const Tensor v = smoothedDataLogits(labels, w.size(-1), options_.smoothing, w.options());
    return (options_.magnitude * v / v.norm(2, -1, /*keepdim=*/true)).expand_as(w);
  }

  // V_t = m t vhat + P0(z): centred on the ray, unit spread at every time.
  std::optional<ConditionalLaw> conditionalLaw(const Tensor& labels, int64_t classes,
                                               double t) const override {
    const Tensor v = smoothedDataLogits(labels, classes, options_.smoothing, torch::kFloat64);
    return ConditionalLaw{options_.magnitude * t * v / v.norm(2, -1, /*keepdim=*/true), 1.0};
  }
};

// Preprint version: the e-geodesic from W0 = softmax(P0 z) to w1, t ~ U[0, 1].
class BridgePath final : public EGeodesicPathBase {
 public:
  using EGeodesicPathBase::EGeodesicPathBase;
  std::string name() const override { return "bridge"; }
  double timeEnd() const override { return options_.timeEnd > 0 ? options_.timeEnd : 1.0; }

  PathBatch sample(const Tensor& labels, int64_t classes, at::Generator& generator) const override {
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(labels.device());
    const Tensor v1 = smoothedDataLogits(labels, classes, options_.smoothing, options);
    const Tensor v0 = projectTangent(noiseLike(labels, classes, generator, options));
    const Tensor t = torch::rand({labels.size(0)}, generator, options);
    const Tensor s = t.view({-1, 1, 1});
    return {torch::softmax((1 - s) * v0 + s * v1, -1), t, v1 - v0, {}};
  }

  // On the e-geodesic V_t = (1 - t) V0 + t V1 the velocity V1 - V0 is (V1 - V_t) / (1 - t),
  // with V_t = P0 log W. Near t = 1 both vanish together; the floor on 1 - t keeps the
  // solver's last evaluation (RK4 evaluates at t = 1) finite where V_t has reached V1.
  Tensor conditionalOutput(const Tensor& w, const Tensor& labels, const Tensor& t) const override {
    const Tensor v1 = smoothedDataLogits(labels, w.size(-1), options_.smoothing, w.options());
    const Tensor vt = projectTangent(torch::log(w.clamp_min(kSmallestProbability)));
    const Tensor remaining = (1 - t.to(w.options())).view({-1, 1, 1}).clamp_min(kSmallestRemaining);
    return (v1 - vt) / remaining;
  }

  // V_t = (1 - t) P0(z) + t V1: the noise shrinks to nothing at t = 1.
  std::optional<ConditionalLaw> conditionalLaw(const Tensor& labels, int64_t classes,
                                               double t) const override {
    const Tensor v1 = smoothedDataLogits(labels, classes, options_.smoothing, torch::kFloat64);
    return ConditionalLaw{t * v1, std::abs(1 - t)};
  }
};

}  // namespace

Tensor fisherRaoRegressionLoss(const Tensor& output, const PathBatch& batch) {
  return sumOverCountedNodes(geometry::replicatorQuadratic(batch.point, output - batch.target),
                             batch);
}

namespace detail {
ProbabilityPathPtr makeRayPath(const PathOptions& options) {
  return std::make_shared<RayPath>(options);
}
ProbabilityPathPtr makeBridgePath(const PathOptions& options) {
  return std::make_shared<BridgePath>(options);
}
}  // namespace detail

}  // namespace efm

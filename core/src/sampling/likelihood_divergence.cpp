// The field's divergence for the likelihood, exactly or by Hutchinson's probes, and the flow's
// log density integrated backward from its end point.
#include "efm/sampling/likelihood.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/geometry/geometry.h"
#include "sampling/likelihood_internal.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace efm {

namespace detail {

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

}  // namespace detail

namespace {

using detail::backwardLogDensity;
using detail::InputGradientsOnly;
using detail::kProbeSeedOffset;

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

}  // namespace

DivergenceKind parseDivergence(const std::string& name) {
  if (name == "exact") return DivergenceKind::Exact;
  if (name == "hutchinson") return DivergenceKind::Hutchinson;
  throw InputError("unknown divergence '" + name + "' (expected exact or hutchinson)");
}

std::string divergenceName(DivergenceKind kind) {
  return kind == DivergenceKind::Exact ? "exact" : "hutchinson";
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

}  // namespace efm

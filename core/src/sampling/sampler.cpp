#include "efm/sampling/sampler.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/models/given_nodes_field.h"

#include <torch/torch.h>

namespace efm {

Readout parseReadout(const std::string& name) {
  if (name == "argmax") return Readout::Argmax;
  if (name == "factorized") return Readout::Factorized;
  throw InputError("unknown readout '" + name + "' (expected argmax or factorized)");
}

std::string readoutName(Readout readout) {
  return readout == Readout::Factorized ? "factorized" : "argmax";
}

ConditioningMethod parseConditioningMethod(const std::string& name) {
  if (name == "replace") return ConditioningMethod::Replace;
  if (name == "trained") return ConditioningMethod::Trained;
  throw InputError("unknown conditioning method '" + name + "' (expected replace or trained)");
}

std::string conditioningMethodName(ConditioningMethod method) {
  return method == ConditioningMethod::Trained ? "trained" : "replace";
}

namespace {

// The network as the flow sees it with given nodes, for one chunk: the given nodes' output
// moves them along their conditional path; the free nodes' output is the network's, which
// reads the given nodes either as points of the flow (replace) or as labels (trained).
class GivenNodesView final : public VectorFieldImpl {
 public:
  GivenNodesView(VectorFieldImpl& network, GivenNodesFieldImpl* trained,
                 const ProbabilityPath& path, Tensor labels, Tensor mask)
      : network_(network),
        trained_(trained),
        path_(path),
        labels_(std::move(labels)),
        mask_(std::move(mask)) {}
  Tensor forward(const Tensor& w, const Tensor& t) override {
    const Tensor free =
        trained_ ? trained_->forwardGiven(w, t, labels_, mask_) : network_.forward(w, t);
    return torch::where(mask_.unsqueeze(-1), path_.conditionalOutput(w, labels_, t), free);
  }
  double multiplyAddsPerSample() const override { return network_.multiplyAddsPerSample(); }

 private:
  VectorFieldImpl& network_;
  GivenNodesFieldImpl* trained_;
  const ProbabilityPath& path_;
  Tensor labels_, mask_;
};

// Throws InputError unless `given` fits `options` (shapes, labels in range) and, for the
// trained method, the network was trained with given nodes; returns that network then.
GivenNodesFieldImpl* checkGivenNodes(VectorFieldImpl& network, const SampleOptions& options) {
  const GivenNodes& given = options.given;
  const auto fits = [&](const Tensor& x) {
    return x.defined() && x.dim() == 2 && (x.size(0) == 1 || x.size(0) == options.count) &&
           x.size(1) == options.variables;
  };
  if (!fits(given.mask) || !fits(given.labels) || given.mask.scalar_type() != torch::kBool)
    throw InputError("given nodes: expected labels and a mask of " +
                     std::to_string(options.variables) + " nodes each");
  const Tensor labels = given.labels.masked_select(given.mask.expand_as(given.labels));
  if (labels.numel() > 0 &&
      (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= options.classes))
    throw InputError("given nodes: a label is outside the classes 0.." +
                     std::to_string(options.classes - 1));
  if (given.method == ConditioningMethod::Replace) return nullptr;
  auto* trained = dynamic_cast<GivenNodesFieldImpl*>(&network);
  if (!trained)
    throw InputError(
        "conditioning 'trained' needs a model trained with --mask-training; this one was not "
        "(use --conditioning replace)");
  return trained;
}

// Rows [first, first + size) of a per-labeling tensor, or the one row shared by all.
Tensor rowsOf(const Tensor& x, int64_t first, int64_t size, const torch::Device& device) {
  return (x.size(0) == 1 ? x : x.narrow(0, first, size)).to(device);
}

}  // namespace

SampleResult sampleLabelings(VectorFieldImpl& network, const ProbabilityPath& path,
                             const SampleOptions& options,
                             const std::function<void(int64_t, int64_t)>& progress,
                             const std::function<bool()>& cancelled) {
  if (options.count < 1) throw InputError("sample count must be at least 1");
  if (options.chunk < 1) throw InputError("sample chunk must be at least 1");
  c10::InferenceMode inference;
  // Restores train mode however sampling ends (finished, cancelled or failed).
  struct EvalModeGuard {
    VectorFieldImpl& net;
    bool wasTraining;
    explicit EvalModeGuard(VectorFieldImpl& n) : net(n), wasTraining(n.is_training()) {
      net.eval();
    }
    ~EvalModeGuard() {
      if (wasTraining) net.train();
    }
  } evalMode(network);
  path.checkSampling(options.solver, options.timeEnd);
  const double tStart = path.timeStart();
  const double tEnd = options.timeEnd > 0 ? options.timeEnd : path.timeEnd();
  const auto floatOptions = torch::TensorOptions().dtype(torch::kFloat32).device(options.device);
  at::Generator noise = makeGenerator(options.device, options.seed);
  at::Generator readout = makeGenerator(torch::kCPU, options.seed + 0x9E3779B97F4A7C15ULL);

  GivenNodesFieldImpl* trained = options.given.any() ? checkGivenNodes(network, options) : nullptr;
  // The network the flow evaluates: `network`, or its view with this chunk's given nodes.
  std::unique_ptr<GivenNodesView> view;
  const auto flowNetwork = [&]() -> VectorFieldImpl& {
    return view ? static_cast<VectorFieldImpl&>(*view) : network;
  };

  SolverOptions solver = options.solver;
  auto velocity = [&](const Tensor& state, double t) {
    return path.velocity(flowNetwork(), state, t);
  };
  solver.retract = [&](const Tensor& state, const Tensor& increment) {
    return path.retract(state, increment);
  };

  std::vector<Tensor> labels, ends, trajectories, lates;
  SampleResult result;
  Tensor late;
  if (options.lateFraction > 0)
    solver.observer = [&](const Tensor& state, double t) {
      if (!late.defined() && t >= tStart + options.lateFraction * (tEnd - tStart) * (1 - 1e-12)) {
        late = path.probabilities(state).to(torch::kCPU);
        result.lateTime = t;
      }
    };
  for (int64_t done = 0; done < options.count;) {
    const int64_t size = std::min(options.chunk, options.count - done);
    const Tensor x0 =
        path.initialState(size, options.variables, options.classes, noise, floatOptions);
    late = Tensor();
    Tensor givenLabels, givenMask;
    if (options.given.any()) {
      givenLabels = rowsOf(options.given.labels, done, size, options.device);
      givenMask = rowsOf(options.given.mask, done, size, options.device);
      view = std::make_unique<GivenNodesView>(network, trained, path, givenLabels, givenMask);
    }
    OdeSolution solution = integrate(velocity, x0, tStart, tEnd, solver, cancelled);
    const Tensor w = path.endProbabilities(flowNetwork(), solution.state, tEnd).to(torch::kCPU);
    ends.push_back(w);
    if (options.lateFraction > 0) lates.push_back(late.defined() ? late : w);
    Tensor drawn = options.readout == Readout::Argmax
                       ? w.argmax(-1)
                       : torch::multinomial(w.reshape({-1, options.classes}), 1, true, readout)
                             .view({size, options.variables});
    // Given nodes carry their label, whatever their end point rounds to.
    if (options.given.any()) drawn = torch::where(givenMask.cpu(), givenLabels.cpu(), drawn);
    labels.push_back(drawn);
    if (solver.keepTrajectory) {
      std::vector<Tensor> points;
      for (const Tensor& s : solution.trajectory)
        points.push_back(path.probabilities(s).to(torch::kCPU));
      // Adaptive steps differ between chunks; trajectories are kept for one chunk only then.
      if (trajectories.empty() || solver.kind != SolverKind::Dopri5) {
        trajectories.push_back(torch::stack(points));
        result.times = solution.times;
      }
    }
    result.evaluations = solution.evaluations;
    done += size;
    if (progress) progress(done, options.count);
  }
  result.labels = torch::cat(labels);
  result.endProbabilities = torch::cat(ends);
  if (!lates.empty()) result.lateProbabilities = torch::cat(lates);
  if (!trajectories.empty()) result.trajectories = torch::cat(trajectories, 1);
  return result;
}

}  // namespace efm

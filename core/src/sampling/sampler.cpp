#include "efm/sampling/sampler.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/sampling/early_stopping.h"
#include "sampling/conditioned_view.h"

#include <torch/torch.h>

#include <optional>

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

// Rows [first, first + size) of a per-labeling tensor, or the one row shared by all.
Tensor rowsOf(const Tensor& x, int64_t first, int64_t size, const torch::Device& device) {
  return (x.size(0) == 1 ? x : x.narrow(0, first, size)).to(device);
}

}  // namespace

void checkEarlyStopping(const ProbabilityPath& path, const SampleOptions& options) {
  if (!path.decidesByStateArgmax())
    throw InputError(
        "early stopping is derived for paths whose label is the argmax of the flow's "
        "state (ray, bridge), not for the " +
        path.name() + " path");
  if (options.readout != Readout::Argmax)
    throw InputError(
        "early stopping decides argmax labels; the factorized readout draws from "
        "the end point, which stopping early would change");
  if (detail::hasConditions(options))
    throw InputError("early stopping does not combine with given nodes or a class yet");
  if (!(options.earlyStopSafety >= 1))
    throw InputError("early stopping's safety factor must be at least 1");
}

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

  const bool conditioned = detail::hasConditions(options);
  ConditionedFieldImpl* conditions =
      conditioned ? detail::checkConditions(network, options) : nullptr;
  // The network the flow evaluates: `network`, or its view with this chunk's conditions.
  std::unique_ptr<detail::ConditionedView> view;
  const auto flowNetwork = [&]() -> VectorFieldImpl& {
    return view ? static_cast<VectorFieldImpl&>(*view) : network;
  };

  if (options.earlyStop) checkEarlyStopping(path, options);
  // Early decision stopping: labelings whose labels are decided stop integrating (their
  // velocity is 0 from then on and the network no longer sees them).
  Tensor active;  // bool [size]: still integrating
  std::optional<DecisionMonitor> monitor;
  int64_t rowEvaluations = 0;  // network evaluations summed over labelings

  SolverOptions solver = options.solver;
  auto velocity = [&](const Tensor& state, double t) -> Tensor {
    if (!monitor) {
      rowEvaluations += state.size(0);
      return path.velocity(flowNetwork(), state, t);
    }
    const Tensor rows = active.nonzero().squeeze(1);
    rowEvaluations += rows.size(0);
    if (rows.size(0) == state.size(0)) {
      Tensor v = path.velocity(flowNetwork(), state, t);
      monitor->observeVelocity(v);
      return v;
    }
    Tensor v = torch::zeros_like(state);
    if (rows.size(0) > 0) {
      const Tensor part = path.velocity(flowNetwork(), state.index_select(0, rows), t);
      monitor->observeVelocity(part);
      v.index_copy_(0, rows, part);
    }
    return v;
  };
  solver.retract = [&](const Tensor& state, const Tensor& increment) {
    return path.retract(state, increment);
  };

  std::vector<Tensor> labels, ends, trajectories, lates;
  SampleResult result;
  Tensor late;
  if (options.lateFraction > 0 || options.earlyStop)
    solver.observer = [&](const Tensor& state, double t) {
      if (options.lateFraction > 0 && !late.defined() &&
          t >= tStart + options.lateFraction * (tEnd - tStart) * (1 - 1e-12)) {
        late = path.probabilities(state).to(torch::kCPU);
        result.lateTime = t;
      }
      if (monitor) active = active & ~monitor->decided(state, tEnd - t);
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
    }
    if (conditioned)
      view = std::make_unique<detail::ConditionedView>(network, conditions, path, options,
                                                       givenLabels, givenMask);
    if (options.earlyStop) {
      monitor.emplace(options.earlyStopSafety);
      active =
          torch::ones({size}, torch::TensorOptions().dtype(torch::kBool).device(options.device));
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
    const int64_t passes = view ? view->passesPerEvaluation() : 1;
    result.evaluations = solution.evaluations * passes;
    result.meanEvaluations += static_cast<double>(rowEvaluations * passes);
    rowEvaluations = 0;
    done += size;
    if (progress) progress(done, options.count);
  }
  result.meanEvaluations /= static_cast<double>(options.count);
  result.labels = torch::cat(labels);
  result.endProbabilities = torch::cat(ends);
  if (!lates.empty()) result.lateProbabilities = torch::cat(lates);
  if (!trajectories.empty()) result.trajectories = torch::cat(trajectories, 1);
  return result;
}

}  // namespace efm

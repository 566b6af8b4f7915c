#include "efm/sampling/sampler.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"

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

  SolverOptions solver = options.solver;
  auto velocity = [&](const Tensor& state, double t) { return path.velocity(network, state, t); };
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
    OdeSolution solution = integrate(velocity, x0, tStart, tEnd, solver, cancelled);
    const Tensor w = path.endProbabilities(network, solution.state, tEnd).to(torch::kCPU);
    ends.push_back(w);
    if (options.lateFraction > 0) lates.push_back(late.defined() ? late : w);
    if (options.readout == Readout::Argmax) {
      labels.push_back(w.argmax(-1));
    } else {
      labels.push_back(torch::multinomial(w.reshape({-1, options.classes}), 1, true, readout)
                           .view({size, options.variables}));
    }
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

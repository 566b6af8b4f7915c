#pragma once
// ODE solvers for the generative flow. They integrate any velocity function of a tensor
// state (the flow's logit coordinates, for e-geodesic paths) and never see a network or a
// trainer. Fixed-step Euler, Heun and classical RK4 (the reference: step 0.2 to t_end 15,
// 75 steps, 300 evaluations), and adaptive Dormand-Prince 5(4).
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace efm {

using torch::Tensor;

enum class SolverKind { Euler, Heun, Rk4, Dopri5 };
SolverKind parseSolverKind(const std::string& name);  // throws InputError
std::string solverName(SolverKind kind);

struct SolverOptions {
  SolverKind kind = SolverKind::Rk4;
  double step = 0.2;                // fixed-step size; the initial step for dopri5 (0 = automatic)
  double relativeTolerance = 1e-5;  // dopri5
  double absoluteTolerance = 1e-6;  // dopri5
  int64_t maxSteps = 1000000;       // dopri5: accepted + rejected steps before giving up
  bool keepTrajectory = false;      // record the state after every accepted step
  // Called with the initial state and the state after every accepted step (and its time),
  // for callers that need a few states of the flow rather than all of them.
  std::function<void(const Tensor& state, double t)> observer;
  // Moves a state by an increment (every stage and step): state + increment when empty.
  // Paths whose states live on a sphere or a simplex keep them there (a retraction).
  std::function<Tensor(const Tensor& state, const Tensor& increment)> retract;
};

using VelocityFunction = std::function<Tensor(const Tensor& state, double t)>;

struct OdeSolution {
  Tensor state;                    // at t1
  std::vector<Tensor> trajectory;  // states at `times` (including t0 and t1) if kept
  std::vector<double> times;
  int64_t evaluations = 0;
  int64_t acceptedSteps = 0;
  int64_t rejectedSteps = 0;
};

// Integrates dx/dt = f(x, t) from t0 to t1. Fixed-step methods take ceil((t1 - t0) / step)
// equal steps that land exactly on t1. `cancelled` is polled between steps; when it returns
// true the solver throws efm::Cancelled.
OdeSolution integrate(const VelocityFunction& f, const Tensor& x0, double t0, double t1,
                      const SolverOptions& options,
                      const std::function<bool()>& cancelled = nullptr);

}  // namespace efm

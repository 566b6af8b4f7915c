#include "efm/solvers/ode_solver.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace efm {

SolverKind parseSolverKind(const std::string& name) {
  if (name == "euler") return SolverKind::Euler;
  if (name == "heun") return SolverKind::Heun;
  if (name == "rk4") return SolverKind::Rk4;
  if (name == "dopri5") return SolverKind::Dopri5;
  throw InputError("unknown solver '" + name + "' (expected euler, heun, rk4 or dopri5)");
}

std::string solverName(SolverKind kind) {
  switch (kind) {
    case SolverKind::Euler:
      return "euler";
    case SolverKind::Heun:
      return "heun";
    case SolverKind::Rk4:
      return "rk4";
    case SolverKind::Dopri5:
      return "dopri5";
  }
  return "?";
}

namespace {

class Integrator {
 public:
  Integrator(const VelocityFunction& f, const SolverOptions& options,
             const std::function<bool()>& cancelled)
      : f_(f), options_(options), cancelled_(cancelled) {}

  Tensor eval(const Tensor& x, double t) {
    ++solution_.evaluations;
    return f_(x, t);
  }

  // x + dx, or the caller's retraction (states on a sphere or a simplex).
  Tensor move(const Tensor& x, const Tensor& dx) const {
    return options_.retract ? options_.retract(x, dx) : x + dx;
  }

  void record(const Tensor& x, double t) {
    if (options_.observer) options_.observer(x, t);
    if (!options_.keepTrajectory) return;
    solution_.trajectory.push_back(x);
    solution_.times.push_back(t);
  }

  void checkCancelled() const {
    if (cancelled_ && cancelled_()) throw Cancelled();
  }

  OdeSolution fixedStep(Tensor x, double t0, double t1) {
    const double span = t1 - t0;
    const int64_t steps =
        span == 0 ? 0 : std::max<int64_t>(1, std::ceil(std::abs(span) / options_.step - 1e-9));
    record(x, t0);
    for (int64_t k = 0; k < steps; ++k) {
      checkCancelled();
      // Times from the step index, not by accumulation, so the last one is exactly t1.
      const double t = t0 + span * k / steps;
      const double tn = t0 + span * (k + 1) / steps;
      const double h = tn - t;
      x = advance(x, t, h);
      ++solution_.acceptedSteps;
      record(x, tn);
    }
    solution_.state = x;
    return std::move(solution_);
  }

  Tensor advance(const Tensor& x, double t, double h) {
    switch (options_.kind) {
      case SolverKind::Euler:
        return move(x, h * eval(x, t));
      case SolverKind::Heun: {
        const Tensor k1 = eval(x, t);
        const Tensor k2 = eval(move(x, h * k1), t + h);
        return move(x, (h / 2) * (k1 + k2));
      }
      case SolverKind::Rk4: {
        const Tensor k1 = eval(x, t);
        const Tensor k2 = eval(move(x, (h / 2) * k1), t + h / 2);
        const Tensor k3 = eval(move(x, (h / 2) * k2), t + h / 2);
        const Tensor k4 = eval(move(x, h * k3), t + h);
        return move(x, (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4));
      }
      case SolverKind::Dopri5:
        break;
    }
    throw std::logic_error("advance: not a fixed-step solver");
  }

  // Dormand-Prince 5(4) with the FSAL property, PI-free standard step control.
  OdeSolution dopri5(Tensor x, double t0, double t1) {
    static constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
    static constexpr double a21 = 1.0 / 5;
    static constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
    static constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
    static constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561,
                            a54 = -212.0 / 729;
    static constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247,
                            a64 = 49.0 / 176, a65 = -5103.0 / 18656;
    static constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192,
                            b5 = -2187.0 / 6784, b6 = 11.0 / 84;
    // Error weights: 5th-order minus embedded 4th-order coefficients.
    static constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920,
                            e5 = -17253.0 / 339200, e6 = 22.0 / 525, e7 = -1.0 / 40;

    const double direction = t1 >= t0 ? 1.0 : -1.0;
    const double span = std::abs(t1 - t0);
    record(x, t0);
    if (span == 0) {
      solution_.state = x;
      return std::move(solution_);
    }
    const double rtol = options_.relativeTolerance, atol = options_.absoluteTolerance;
    auto errorNorm = [&](const Tensor& err, const Tensor& a, const Tensor& b) {
      const Tensor scale = atol + rtol * torch::maximum(a.abs(), b.abs());
      return std::sqrt((err / scale).pow(2).mean().item<double>());
    };

    double t = t0;
    Tensor k1 = eval(x, t);
    double h = options_.step > 0 ? options_.step : initialStep(x, k1, t, direction, errorNorm);
    h = std::min(h, span);
    while (direction * (t1 - t) > 1e-12 * std::max(1.0, std::abs(t1))) {
      checkCancelled();
      if (solution_.acceptedSteps + solution_.rejectedSteps >= options_.maxSteps)
        throw std::runtime_error("dopri5: more than " + std::to_string(options_.maxSteps) +
                                 " steps; loosen the tolerances or raise the step limit");
      const double remaining = direction * (t1 - t);
      const bool last = h >= remaining * (1 - 1e-12);
      if (last) h = remaining;
      const double s = direction * h;
      const Tensor k2 = eval(move(x, s * (a21 * k1)), t + c2 * s);
      const Tensor k3 = eval(move(x, s * (a31 * k1 + a32 * k2)), t + c3 * s);
      const Tensor k4 = eval(move(x, s * (a41 * k1 + a42 * k2 + a43 * k3)), t + c4 * s);
      const Tensor k5 = eval(move(x, s * (a51 * k1 + a52 * k2 + a53 * k3 + a54 * k4)), t + c5 * s);
      const Tensor k6 =
          eval(move(x, s * (a61 * k1 + a62 * k2 + a63 * k3 + a64 * k4 + a65 * k5)), t + s);
      const Tensor xn = move(x, s * (b1 * k1 + b3 * k3 + b4 * k4 + b5 * k5 + b6 * k6));
      const Tensor k7 = eval(xn, t + s);
      const Tensor err = s * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6 + e7 * k7);
      const double norm = errorNorm(err, x, xn);
      if (!std::isfinite(norm))
        throw std::runtime_error("dopri5: the state became non-finite at t = " + std::to_string(t));
      const double factor = norm == 0 ? 5.0 : std::clamp(0.9 * std::pow(norm, -1.0 / 5), 0.2, 5.0);
      if (norm <= 1) {
        t = last ? t1 : t + s;
        x = xn;
        k1 = k7;  // first same as last
        ++solution_.acceptedSteps;
        record(x, t);
        h *= factor;
      } else {
        ++solution_.rejectedSteps;
        h *= std::min(1.0, factor);
      }
      if (h < 1e-12 * std::max(1.0, span))
        throw std::runtime_error("dopri5: step size underflow at t = " + std::to_string(t));
    }
    solution_.state = x;
    return std::move(solution_);
  }

  // Hairer, Norsett & Wanner's starting-step heuristic (Solving ODEs I, II.4).
  template <typename Norm>
  double initialStep(const Tensor& x, const Tensor& f0, double t, double direction, Norm& norm) {
    const double d0 = norm(x, x, x), d1 = norm(f0, x, x);
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    const Tensor f1 = eval(move(x, direction * h0 * f0), t + direction * h0);
    const double d2 = norm(f1 - f0, x, x) / h0;
    const double h1 = std::max(d1, d2) <= 1e-15 ? std::max(1e-6, h0 * 1e-3)
                                                : std::pow(0.01 / std::max(d1, d2), 1.0 / 5);
    return std::min(100 * h0, h1);
  }

 private:
  const VelocityFunction& f_;
  const SolverOptions& options_;
  const std::function<bool()>& cancelled_;
  OdeSolution solution_;
};

}  // namespace

OdeSolution integrate(const VelocityFunction& f, const Tensor& x0, double t0, double t1,
                      const SolverOptions& options, const std::function<bool()>& cancelled) {
  if (options.kind != SolverKind::Dopri5 && !(options.step > 0 && std::isfinite(options.step)))
    throw InputError("solver step must be a positive number");
  if (!(options.relativeTolerance > 0) || !(options.absoluteTolerance > 0))
    throw InputError("solver tolerances must be positive");
  if (!std::isfinite(t0) || !std::isfinite(t1))
    throw InputError("solver: the time span must be finite (t_end = " + std::to_string(t1) + ")");
  // A fixed-step run that would take days is a typo in the step or t_end, not a plan.
  constexpr double kMaxFixedSteps = 1e7;
  if (options.kind != SolverKind::Dopri5 && std::abs(t1 - t0) / options.step > kMaxFixedSteps)
    throw InputError("solver: " + std::to_string(std::abs(t1 - t0) / options.step) +
                     " steps from t = " + std::to_string(t0) + " to t_end = " + std::to_string(t1) +
                     " with step " + std::to_string(options.step) +
                     "; at most 10^7 (raise the step or lower t_end)");
  Integrator integrator(f, options, cancelled);
  return options.kind == SolverKind::Dopri5 ? integrator.dopri5(x0, t0, t1)
                                            : integrator.fixedStep(x0, t0, t1);
}

}  // namespace efm

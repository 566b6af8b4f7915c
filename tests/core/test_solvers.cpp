// ODE solvers show their order of convergence on an ODE with a known solution.
#include "efm/base/errors.h"
#include "efm/solvers/ode_solver.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>

using namespace efm;
using torch::Tensor;

namespace {
// dx/dt = cos(t) x, x(0) = x0  =>  x(t) = x0 exp(sin t). Non-autonomous on purpose.
const VelocityFunction kField = [](const Tensor& x, double t) { return std::cos(t) * x; };

double errorWithStep(SolverKind kind, double step) {
  const Tensor x0 = torch::tensor({1.0, -0.5, 2.0}, torch::kFloat64);
  SolverOptions options;
  options.kind = kind;
  options.step = step;
  const OdeSolution s = integrate(kField, x0, 0.0, 3.0, options);
  return (s.state - x0 * std::exp(std::sin(3.0))).abs().max().item<double>();
}
}  // namespace

TEST_CASE("Fixed-step solvers converge with orders 1, 2 and 4", "[math][solvers]") {
  struct Case {
    SolverKind kind;
    double order;
  };
  for (const Case c :
       {Case{SolverKind::Euler, 1}, Case{SolverKind::Heun, 2}, Case{SolverKind::Rk4, 4}}) {
    const double e1 = errorWithStep(c.kind, 0.05), e2 = errorWithStep(c.kind, 0.025);
    const double observed = std::log2(e1 / e2);
    INFO(solverName(c.kind) << ": errors " << e1 << " " << e2 << ", observed order " << observed);
    CHECK(observed == Approx(c.order).margin(0.15));
  }
}

TEST_CASE("RK4 reference settings: 75 steps and 300 evaluations landing on t_end", "[solvers]") {
  SolverOptions options;  // RK4, step 0.2
  options.keepTrajectory = true;
  const OdeSolution s = integrate(kField, torch::ones({2}, torch::kFloat64), 0.0, 15.0, options);
  CHECK(s.acceptedSteps == 75);
  CHECK(s.evaluations == 300);
  REQUIRE(s.trajectory.size() == 76);
  CHECK(s.times.front() == 0.0);
  CHECK(s.times.back() == 15.0);
  CHECK(s.times[1] == Approx(0.2));
  // Backward integration returns to the start.
  const OdeSolution back = integrate(kField, s.state, 15.0, 0.0, options);
  CHECK((back.state - 1).abs().max().item<double>() < 1e-4);
}

TEST_CASE("Dormand-Prince 5(4) meets its tolerance with few steps", "[math][solvers]") {
  const Tensor x0 = torch::tensor({1.0, 3.0}, torch::kFloat64);
  for (double tol : {1e-4, 1e-7, 1e-10}) {
    SolverOptions options;
    options.kind = SolverKind::Dopri5;
    options.step = 0;  // automatic initial step
    options.relativeTolerance = tol;
    options.absoluteTolerance = tol;
    const OdeSolution s = integrate(kField, x0, 0.0, 6.0, options);
    const double error = (s.state - x0 * std::exp(std::sin(6.0))).abs().max().item<double>();
    INFO("tol " << tol << ": error " << error << ", steps " << s.acceptedSteps << " + "
                << s.rejectedSteps << " rejected");
    CHECK(error < 50 * tol);
    CHECK(s.evaluations < 6 * (s.acceptedSteps + s.rejectedSteps) + 8);
  }
  // Tighter tolerance, more steps; fifth order means ~10^(3/5) = 4x more per 1000x tighter.
  SolverOptions loose, tight;
  loose.kind = tight.kind = SolverKind::Dopri5;
  loose.relativeTolerance = loose.absoluteTolerance = 1e-5;
  tight.relativeTolerance = tight.absoluteTolerance = 1e-8;
  const auto a = integrate(kField, x0, 0.0, 6.0, loose), b = integrate(kField, x0, 0.0, 6.0, tight);
  CHECK(b.acceptedSteps > a.acceptedSteps);
  CHECK(b.acceptedSteps < 8 * a.acceptedSteps);
}

TEST_CASE("Solvers reject bad options and honour cancellation", "[solvers]") {
  SolverOptions options;
  options.step = -1;
  CHECK_THROWS_AS(integrate(kField, torch::ones({1}), 0, 1, options), InputError);
  CHECK_THROWS_AS(parseSolverKind("midpoint"), InputError);
  options.step = 0.1;
  int polls = 0;
  CHECK_THROWS_AS(integrate(kField, torch::ones({1}), 0, 1, options, [&] { return ++polls > 3; }),
                  Cancelled);
  CHECK(polls == 4);
}

TEST_CASE("Every solver moves the state through the caller's retraction", "[math][solvers]") {
  // Rotation dx/dt = J x on the unit circle with a retraction that renormalises: the state
  // stays on the circle for every solver, and the angle is still 2 rad after t = 2.
  const VelocityFunction rotation = [](const Tensor& x, double) {
    return torch::stack({-x[1], x[0]});
  };
  for (SolverKind kind :
       {SolverKind::Euler, SolverKind::Heun, SolverKind::Rk4, SolverKind::Dopri5}) {
    SolverOptions options;
    options.kind = kind;
    options.step = 0.01;
    options.keepTrajectory = true;
    int64_t calls = 0;
    options.retract = [&calls](const Tensor& x, const Tensor& dx) {
      ++calls;
      const Tensor moved = x + dx;
      return moved / moved.norm();
    };
    const OdeSolution s =
        integrate(rotation, torch::tensor({1.0, 0.0}, torch::kFloat64), 0, 2, options);
    INFO(solverName(kind));
    CHECK(calls > 0);
    for (const Tensor& x : s.trajectory) CHECK(x.norm().item<double>() == Approx(1).epsilon(1e-12));
    CHECK(std::atan2(s.state[1].item<double>(), s.state[0].item<double>()) ==
          Approx(2.0).margin(1e-4));
  }
}

// --solver, --step, --t-end and --early-stop: how `efm sample` and `efm eval` integrate the flow.
#include "commands.h"

#include "efm/sampling/sampling_request.h"

namespace efm::cli {

void addSolverOptions(CLI::App& command, SamplingRequest& request) {
  command
      .add_option("--solver", request.solver,
                  "ODE solver (default: the path's own: euler for ray, rk4 for bridge, euler for "
                  "the peers; the reference's: --solver rk4 --step 0.2)")
      ->check(CLI::IsMember({"euler", "heun", "rk4", "dopri5"}));
  command
      .add_option("--step", request.step,
                  "step size (dopri5: initial step; default: the path's own, 1/60 of t_end for "
                  "ray, 0.2 for bridge, 1/300 of the time span for the peers)")
      ->check(PositiveFinite);
  command.add_option("--t-end", request.timeEnd, "end time (default: the path's, 15 for ray)")
      ->check(PositiveFinite);
  command.add_flag("--early-stop", request.earlyStop,
                   "stop integrating a labeling once its argmax labels cannot change any more "
                   "(ray and bridge, argmax readout; docs/METHOD.md section 11)");
  command
      .add_option("--early-stop-safety", request.earlyStopSafety,
                  "with --early-stop: factor >= 1 on the measured velocity bound (default 1)")
      ->check(CLI::Range(1.0, 1e6));
}

}  // namespace efm::cli

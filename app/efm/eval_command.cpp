// efm eval: sample from a trained run and compare with the data's known distribution.
#include "commands.h"
#include "json_output.h"

#include "efm/evaluation.h"
#include "efm/sampler.h"
#include "efm/training_run.h"

#include <torch/torch.h>

namespace efm::cli {

namespace {

struct EvalArgs {
  std::string run;
  int64_t samples = 20000;
  uint64_t seed = 0;
  ComputeOptions compute;
};

int runEval(const EvalArgs& args) {
  const c10::Device device = applyComputeOptions(args.compute);
  const TrainedModel model = loadTrainedModel(RunDirectory{args.run}, device);
  const DatasetPtr data = openDataset(model.config.data);
  SampleOptions options;
  options.count = args.samples;
  options.variables = model.config.variables;
  options.classes = model.config.classes;
  options.seed = args.seed;
  options.device = device;
  const SampleResult samples = sampleLabelings(*model.network, *model.path, options);
  const Evaluation evaluation = evaluateSamples(*data, samples.labels);

  nlohmann::json out;
  out["run"] = args.run;
  out["data"] = model.config.data;
  out["step"] = model.step;
  out["samples"] = evaluation.samples;
  out["solver"] = solverName(options.solver.kind);
  out["marginal_kl"] = finiteOrNull(evaluation.marginalKl);
  if (evaluation.joint) {
    const JointComparison& j = *evaluation.joint;
    out["kl_target_model"] = finiteOrNull(j.klTargetModel);
    out["kl_model_target"] = finiteOrNull(j.klModelTarget);
    out["tv"] = finiteOrNull(j.totalVariation);
    out["empty_model_cells"] = j.emptyModelCells;
    out["target_mass_on_empty_cells"] = j.targetMassOnEmptyCells;
    out["model_mass_outside_support"] = j.modelMassOutsideSupport;
  } else {
    // The joint table is too large to enumerate (c^n > 2^24): only marginals compare.
    out["kl_target_model"] = nullptr;
    out["kl_model_target"] = nullptr;
    out["tv"] = nullptr;
  }
  printJson(out);
  return 0;
}

}  // namespace

Runner addEvalCommand(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  app.add_option("--run", args->run, "run directory written by efm train")->required();
  app.add_option("--samples", args->samples, "labelings sampled from the model")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34))
      ->capture_default_str();
  app.add_option("--seed", args->seed, "random seed")->capture_default_str();
  addComputeOptions(app, args->compute);
  return [args] { return runEval(*args); };
}

}  // namespace efm::cli

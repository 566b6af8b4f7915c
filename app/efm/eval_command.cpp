// efm eval: sample from a trained run and compare with the data's known distribution.
#include "commands.h"
#include "data_progress_bar.h"
#include "json_output.h"

#include "efm/eval/evaluation.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/training_run.h"

#include <torch/torch.h>

namespace efm::cli {

namespace {

// Image maps cost hundreds of U-Net evaluations each: far fewer by default.
constexpr int64_t kDefaultSamples = 20000;
constexpr int64_t kDefaultImageSamples = 16;

struct EvalArgs {
  std::string run;
  int64_t samples = 0;     // 0: the default for the kind of data
  SamplingRequest solver;  // --solver, --step, --t-end; the rest is set here
  uint64_t seed = 0;
  ComputeOptions compute;
};

int runEval(const EvalArgs& args) {
  const c10::Device device = applyComputeOptions(args.compute);
  const TrainedModel model = loadTrainedModel(RunDirectory{args.run}, device);
  const Precision precision =
      applyPrecisionOption(args.compute, *model.network, device, "efm eval");
  const DatasetPtr data = openDatasetWithProgress(model.config.data);
  const bool image = model.config.image.isImage();
  SamplingRequest request = args.solver;  // the path's own sampler unless given
  request.count = args.samples > 0 ? args.samples : image ? kDefaultImageSamples : kDefaultSamples;
  if (image) request.lateFraction = 0.9;
  request.seed = args.seed;
  const SampleOptions options =
      sampleOptionsFor(*model.path, model.config.variables, model.config.classes, request, device);
  const SampleResult samples = sampleLabelings(*model.network, *model.path, options);
  const Evaluation evaluation = evaluateSamples(*data, samples.labels);

  nlohmann::json out;
  out["run"] = args.run;
  out["data"] = model.config.data;
  out["step"] = model.step;
  out["path"] = model.config.path.kind;
  out["samples"] = evaluation.samples;
  out["solver"] = solverName(options.solver.kind);
  out["solver_step"] = options.solver.step;
  out["network_evaluations"] = samples.meanEvaluations;  // per labeling, mean
  out["early_stop"] = options.earlyStop;
  out["precision"] = precisionName(precision);  // what ran (bf16 may have fallen back)
  out["marginal_kl"] = finiteOrNull(evaluation.marginalKl);
  if (image) {
    const ImageEvaluation maps = evaluateLabelMaps(*data, samples);
    out["image"] = {{"height", model.config.image.height},
                    {"width", model.config.image.width},
                    {"class_set", model.config.image.classSet}};
    out["class_frequencies_data"] = tensorToJson(maps.dataFrequencies);
    out["class_frequencies_model"] = tensorToJson(maps.modelFrequencies);
    out["class_kl_data_model"] = finiteOrNull(maps.klDataModel);
    out["class_kl_model_data"] = finiteOrNull(maps.klModelData);
    out["class_tv"] = maps.totalVariation;
    out["mean_pixel_entropy"] = maps.meanPixelEntropy;
    out["late_change_fraction"] = maps.lateChangeFraction;
    out["late_time"] = maps.lateTime;
  }
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
  app.add_option("--run", args->run, "run directory written by efm train")
      ->check(NonEmptyText)
      ->required();
  app.add_option("--samples", args->samples,
                 "labelings sampled from the model (default 20000; 16 for image data)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 34));
  app.add_option("--seed", args->seed, "random seed")->check(SeedNumber)->capture_default_str();
  addSolverOptions(app, args->solver);
  addComputeOptions(app, args->compute);
  addPrecisionOption(app, args->compute);
  return [args] { return runEval(*args); };
}

}  // namespace efm::cli

// Class-conditional sampling of a label-map run trained with --condition-on-class (issue 18,
// docs/CONDITIONING.md): a sheet with a row of samples per class, and a classifier-free
// guidance sweep with its effect on diversity. Diversity is the mean fraction of pixels in
// which two samples of the same class differ (over every pair), next to the same number for
// the training images of that class, so "less diverse than the data" can be read off.
//
//   efm_bench_guidance --run RUN [--data SPEC] [--per-class 8] [--guidance 0,1,2,4]
//                      [--sweep-classes 0,7] [--diversity-samples 64] [--step H]
//                      [--threads T] [--out DIR]
#include "efm/base/errors.h"
#include "efm/base/runtime_tuning.h"
#include "efm/data/dataset.h"
#include "efm/data/images/label_maps.h"
#include "efm/data/images/png_io.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/training_run.h"

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace efm;

namespace {

std::vector<double> numbers(const std::string& list) {
  std::vector<double> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(std::stod(item));
  return out;
}

// Mean over pairs of labelings (int64 [S, n]) of the fraction of nodes where they differ.
double meanPairwiseDisagreement(const Tensor& labels) {
  const int64_t count = labels.size(0);
  double total = 0;
  int64_t pairs = 0;
  for (int64_t a = 0; a < count; ++a) {
    const Tensor rest = labels.narrow(0, a + 1, count - a - 1);
    if (rest.size(0) == 0) break;
    total += (rest != labels[a]).to(torch::kFloat64).mean(1).sum().item<double>();
    pairs += rest.size(0);
  }
  return pairs ? total / static_cast<double>(pairs) : 0;
}

// `count` labelings of `labelClass` at guidance `w` from the run's model.
SampleResult drawClass(const TrainedModel& model, int64_t labelClass, double w, int64_t count,
                       double step, uint64_t seed) {
  SamplingRequest request;
  request.count = count;
  request.step = step;
  request.seed = seed;
  SampleOptions options =
      sampleOptionsFor(*model.path, model.config.variables, model.config.classes, request);
  options.labelClass = labelClass;
  options.guidance = w;
  return sampleLabelings(*model.network, *model.path, options);
}

// Label maps int64 [S, n] -> colour uint8 [S, H, W, 3] with the run's palette.
Tensor colourMaps(const TrainedModel& model, const Tensor& labels) {
  const ImageLayout& image = model.config.image;
  return colouriseLabels(labels.view({-1, image.height, image.width}),
                         classPalette(image.classSet, model.config.classes));
}

}  // namespace

int main(int argc, char** argv) {
  tuneRuntime(argv);
  CLI::App app{"Class-conditional sampling with classifier-free guidance: sheets and diversity"};
  std::string run, out = "bench-results/guidance", data, guidanceList = "0,1,2,4",
                   sweepList = "0,7";
  int64_t perClass = 8, diversitySamples = 64;
  double step = 0;
  int threads = 2;
  app.add_option("--run", run, "a run trained with --condition-on-class")->required();
  app.add_option("--data", data, "the labelled data, for its diversity (default: the run's)");
  app.add_option("--per-class", perClass, "samples per class on the sheet")->capture_default_str();
  app.add_option("--guidance", guidanceList, "guidance weights of the sweep")
      ->capture_default_str();
  app.add_option("--sweep-classes", sweepList, "classes of the sweep")->capture_default_str();
  app.add_option("--diversity-samples", diversitySamples, "samples per class and weight")
      ->capture_default_str();
  app.add_option("--step", step, "solver step (0 = the path's own)");
  app.add_option("--threads", threads, "LibTorch threads")->capture_default_str();
  app.add_option("--out", out, "output folder")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    torch::set_num_threads(threads);
    const TrainedModel model = loadTrainedModel(RunDirectory{run});
    const int64_t classes = model.config.network.labelClasses;
    if (classes <= 0)
      throw InputError("--run '" + run + "' was not trained with --condition-on-class");
    if (!model.config.image.isImage())
      throw InputError("--run '" + run + "' is not a label-map run");
    std::filesystem::create_directories(out);

    // One row per class at guidance 1.
    std::vector<Tensor> rows;
    for (int64_t k = 0; k < classes; ++k)
      rows.push_back(colourMaps(model, drawClass(model, k, 1, perClass, step, 100 + k).labels));
    writeRgbPng(out + "/classes.png", contactSheet(torch::cat(rows), perClass));

    // The sweep: a row per weight and class, and the diversity table.
    const DatasetPtr labelled = openDataset(data.empty() ? model.config.data : data);
    std::ostringstream md;
    md << "| class | data | ";
    const std::vector<double> weights = numbers(guidanceList);
    for (double w : weights) md << "w = " << w << " | ";
    md << "\n|---|---:|";
    for (size_t k = 0; k < weights.size(); ++k) md << "---:|";
    md << "\n";
    std::vector<Tensor> sweep;
    for (double listed : numbers(sweepList)) {
      const auto k = static_cast<int64_t>(listed);
      // The data's own diversity: images of this class drawn from the data.
      at::Generator generator = at::detail::createCPUGenerator(7);
      Tensor drawnClasses;
      const Tensor drawn = labelled->sampleLabelled(4096, generator, drawnClasses);
      const Tensor all = drawn.index({drawnClasses == k});
      const Tensor ofClass = all.narrow(0, 0, std::min<int64_t>(all.size(0), diversitySamples));
      md << "| " << k << " | " << std::fixed << std::setprecision(3)
         << meanPairwiseDisagreement(ofClass) << " |";
      for (double w : weights) {
        const SampleResult result = drawClass(model, k, w, diversitySamples, step, 200 + k);
        md << " " << meanPairwiseDisagreement(result.labels) << " |";
        sweep.push_back(colourMaps(model, result.labels.narrow(0, 0, perClass)));
        std::cerr << "class " << k << ", guidance " << w << ": done\n";
      }
      md << "\n";
    }
    writeRgbPng(out + "/guidance.png", contactSheet(torch::cat(sweep), perClass));
    const std::string table =
        "Diversity (mean fraction of pixels in which two samples of a class differ, " +
        std::to_string(diversitySamples) + " samples) by guidance weight w:\n\n" + md.str();
    std::ofstream(out + "/guidance.md") << table;
    std::cout << table;
    return 0;
  } catch (const InputError& e) {
    std::cerr << "efm_bench_guidance: " << e.what() << "\n";
    return 2;
  }
}

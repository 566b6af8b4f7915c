#include "engine/model_snapshot.h"
#include "efm/models/network_registry.h"

#include <torch/torch.h>

#include "efm/data/images/label_palette.h"

namespace efm::ui {

SnapshotPtr makeSnapshot(const RunConfig& config, int64_t step, VectorFieldImpl& network,
                         ProbabilityPathPtr path, DatasetPtr data, torch::Device device) {
  auto snapshot = std::make_shared<ModelSnapshot>();
  snapshot->config = config;
  snapshot->step = step;
  snapshot->path = std::move(path);
  snapshot->data = std::move(data);
  snapshot->device = device;
  VectorFieldPtr copy =
      makeVectorField(config.variables, config.classes, config.network, config.image);
  copy->to(device);
  {
    torch::NoGradGuard noGrad;
    auto source = network.named_parameters();
    for (auto& item : copy->named_parameters()) item.value().copy_(source[item.key()]);
    auto sourceBuffers = network.named_buffers();
    for (auto& item : copy->named_buffers()) item.value().copy_(sourceBuffers[item.key()]);
  }
  copy->eval();
  snapshot->network = copy;
  return snapshot;
}

namespace {
constexpr int64_t kDataExamples = 16;  // maps of the data shown before a model exists
constexpr uint64_t kDataExampleSeed = 20261206;
}  // namespace

DataSummary summarizeData(const Dataset& data, const std::string& spec, int64_t maxJoint) {
  DataSummary summary;
  summary.spec = spec;
  summary.description = data.description();
  summary.variables = data.variables();
  summary.classes = data.classes();
  const Tensor marginals = data.marginals().to(torch::kFloat64).contiguous();
  summary.marginals.assign(marginals.data_ptr<double>(),
                           marginals.data_ptr<double>() + marginals.numel());
  double cells = std::pow(double(data.classes()), double(data.variables()));
  if (cells <= double(maxJoint)) {
    if (std::optional<Tensor> joint = data.jointTable()) {
      const Tensor table = joint->to(torch::kFloat64).contiguous();
      summary.joint.assign(table.data_ptr<double>(), table.data_ptr<double>() + table.numel());
    }
  }
  summary.image = imageInfo(data.imageLayout(), data.classes());
  if (summary.image.isImage()) {
    // The same maps every time the data is opened: a fixed stream of its own.
    at::Generator generator = at::detail::createCPUGenerator(kDataExampleSeed);
    const Tensor examples = data.sample(kDataExamples, generator).to(torch::kInt64).contiguous();
    summary.exampleCount = examples.size(0);
    summary.examples.assign(examples.data_ptr<int64_t>(),
                            examples.data_ptr<int64_t>() + examples.numel());
  }
  return summary;
}

ImageInfo imageInfo(const ImageLayout& layout, int64_t classes) {
  ImageInfo info;
  if (!layout.isImage()) return info;
  info.height = layout.height;
  info.width = layout.width;
  const ClassPalette palette = classPalette(layout.classSet, classes);
  info.classNames = palette.names;
  info.classColours = palette.colours;
  return info;
}

}  // namespace efm::ui

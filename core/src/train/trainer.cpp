#include "efm/train/trainer.h"

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/io/checkpoint_io.h"
#include "efm/models/conditioned_field.h"
#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"
#include "efm/train/given_masks.h"

#include <torch/torch.h>

#include <cmath>
#include <functional>

namespace efm {

Trainer::Trainer(const RunConfig& config, DatasetPtr data, torch::Device device)
    : config_(config),
      data_(std::move(data)),
      path_(makeProbabilityPath(config.path)),
      device_(device),
      dataGenerator_(makeGenerator(torch::kCPU, config.train.seed)),
      noiseGenerator_(makeGenerator(device, config.train.seed * 2654435761ULL + 1)) {
  config_.variables = data_->variables();
  config_.classes = data_->classes();
  config_.image = data_->imageLayout();
  resolveLabelClasses();
  torch::manual_seed(config.train.seed);  // parameter initialisation
  network_ = makeVectorField(data_->variables(), data_->classes(), config_.network, config_.image);
  network_->to(device_);
  conditioned_ = std::dynamic_pointer_cast<ConditionedFieldImpl>(network_);
  optimizer_ = std::make_unique<torch::optim::Adam>(
      network_->parameters(), torch::optim::AdamOptions(config.train.learningRate));
}

void Trainer::resolveLabelClasses() {
  int64_t& wanted = config_.network.labelClasses;
  const int64_t available = data_->labelClasses();
  if (wanted < 0 && available == 0)
    throw InputError(
        "class-conditional training (--condition-on-class) needs class labels, "
        "and " +
        data_->description() +
        " has none (an idx: images file has them with its labels-idx1 file beside "
        "it, as Fashion-MNIST does)");
  if (wanted < 0) wanted = available;
  if (wanted > 0 && wanted != available)
    throw InputError("the run is conditioned on " + std::to_string(wanted) +
                     " class labels; the data " + data_->description() + " has " +
                     std::to_string(available));
}

void Trainer::replaceData(DatasetPtr data, const std::string& spec) {
  if (!data) throw InputError("replacing the training data: no data");
  const ImageLayout image = data->imageLayout();
  const auto shape = [](int64_t n, int64_t c, const ImageLayout& layout) {
    std::string text = "n=" + std::to_string(n) + ", c=" + std::to_string(c);
    if (layout.isImage())
      text += ", " + std::to_string(layout.height) + " x " + std::to_string(layout.width);
    return text;
  };
  if (data->variables() != config_.variables || data->classes() != config_.classes ||
      image.isImage() != config_.image.isImage() || image.height != config_.image.height ||
      image.width != config_.image.width)
    throw InputError("the new data " + spec + " has " +
                     shape(data->variables(), data->classes(), image) + " but the model has " +
                     shape(config_.variables, config_.classes, config_.image) +
                     "; start a new run for it");
  if (config_.network.labelClasses > 0 && data->labelClasses() != config_.network.labelClasses)
    throw InputError("the new data " + spec + " has " + std::to_string(data->labelClasses()) +
                     " class labels but the model is conditioned on " +
                     std::to_string(config_.network.labelClasses));
  data_ = std::move(data);
  config_.data = spec;
}

double Trainer::learningRate() const {
  const double base = config_.train.learningRate;
  if (config_.train.schedule != "cosine") return base;
  const double progress = std::min(1.0, static_cast<double>(step_) / config_.train.steps);
  return 0.5 * base * (1 + std::cos(M_PI * progress));
}

namespace {

// How often class-conditional training shows no class (Ho and Salimans, "Classifier-Free
// Diffusion Guidance", 2022, use 0.1 to 0.2).
constexpr double kClassDropout = 0.1;

constexpr const char* kDivergenceRemedy =
    "lower the learning rate (--lr), enable gradient clipping (train.grad_clip) or let the "
    "trainer roll back (--rollbacks N)";

// Throws TrainingDiverged naming the first parameter whose gradient is NaN or infinite.
void checkGradientsFinite(VectorFieldImpl& network, int64_t step) {
  // A finite loss can still have NaN or infinite gradients (an overflow in the backward
  // pass); one optimizer step with them would poison every parameter. One sum, one sync:
  // NaN and infinity survive it (no cancellation of absolute values).
  Tensor total;
  for (const auto& p : network.parameters())
    if (p.grad().defined()) {
      const Tensor part = p.grad().abs().sum();
      total = total.defined() ? total + part : part;
    }
  if (!total.defined() || std::isfinite(total.item<double>())) return;
  std::string where = "a parameter";
  for (const auto& named : network.named_parameters())
    if (named.value().grad().defined() &&
        !torch::isfinite(named.value().grad()).all().item<bool>()) {
      where = "'" + named.key() + "'";
      break;
    }
  throw TrainingDiverged("training diverged: the gradient of " + where + " is not finite at step " +
                             std::to_string(step) + " (the loss was finite); " + kDivergenceRemedy,
                         step);
}

}  // namespace

double Trainer::step() {
  const double lr = learningRate();
  for (auto& group : optimizer_->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

  const int64_t labelClasses = conditioned_ ? conditioned_->labelClasses() : 0;
  Tensor classes;  // int64 [B]: each labeling's class label, -1 where dropped
  Tensor labels = labelClasses > 0
                      ? data_->sampleLabelled(config_.train.batch, dataGenerator_, classes)
                      : data_->sample(config_.train.batch, dataGenerator_);
  labels = labels.to(device_);
  PathBatch batch = path_->sample(labels, data_->classes(), noiseGenerator_);
  if (classes.defined()) {
    // Classifier-free guidance needs the same network without the class: drop it sometimes.
    const Tensor dropped = torch::rand({config_.train.batch}, dataGenerator_) < kClassDropout;
    classes = torch::where(dropped, torch::full_like(classes, -1), classes).to(device_);
  }
  Tensor given;  // bool [B, n]: the nodes this step shows the network as given
  if (conditioned_ && conditioned_->takesGivenNodes())
    given = drawGivenMask(config_.train.batch, data_->variables(), config_.image, dataGenerator_)
                .to(device_);
  if (collective_) {
    // Every rank drew the same global batch (same generators); this rank takes its slice.
    const int64_t share = config_.train.batch / collective_->worldSize();
    const int64_t first = share * collective_->rank();
    batch = {batch.point.narrow(0, first, share),
             batch.time.narrow(0, first, share),
             batch.target.narrow(0, first, share),
             {}};
    labels = labels.narrow(0, first, share);
    if (given.defined()) given = given.narrow(0, first, share);
    if (classes.defined()) classes = classes.narrow(0, first, share);
  }
  Tensor output;
  if (conditioned_) {
    // The loss counts the free nodes only: the given ones are known, nothing to learn.
    if (given.defined()) batch.nodeWeight = given.logical_not().to(batch.point.dtype());
    output = conditioned_->forwardConditioned(
        batch.point, batch.time, {given.defined() ? labels : Tensor(), given, classes});
  } else {
    output = network_->forward(batch.point, batch.time);
  }
  const Tensor loss = path_->loss(output, batch);

  optimizer_->zero_grad();
  loss.backward();
  const double value = collective_ ? averageOverRanks(loss) : loss.item<double>();
  if (!std::isfinite(value))
    throw TrainingDiverged("training diverged: loss is " + std::to_string(value) + " at step " +
                               std::to_string(step_ + 1) + "; " + kDivergenceRemedy,
                           step_ + 1);
  checkGradientsFinite(*network_, step_ + 1);
  if (config_.train.gradClip > 0)
    torch::nn::utils::clip_grad_norm_(network_->parameters(), config_.train.gradClip);
  optimizer_->step();
  ++step_;
  return value;
}

double Trainer::averageOverRanks(const Tensor& loss) {
  // One allreduce for everything: the gradients, flattened, and the loss at the end.
  std::vector<Tensor> parts;
  for (auto& p : network_->parameters()) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    parts.push_back(p.grad().reshape({-1}));
  }
  parts.push_back(loss.detach().reshape({1}).to(parts.front().dtype()));
  Tensor flat = torch::cat(parts);
  collective_->allreduceSum(flat);
  flat.div_(collective_->worldSize());
  int64_t offset = 0;
  for (auto& p : network_->parameters()) {
    p.mutable_grad().copy_(flat.narrow(0, offset, p.numel()).view_as(p));
    offset += p.numel();
  }
  return flat[offset].item<double>();
}

CheckpointContents Trainer::state() const {
  CheckpointContents contents;
  contents.config = config_;
  contents.step = step_;
  contents.network = network_.get();
  contents.optimizer = optimizer_.get();
  contents.dataGeneratorState = dataGenerator_.get_state();
  if (device_.is_cpu()) contents.noiseGeneratorState = noiseGenerator_.get_state();
  return contents;
}

namespace {

// A generator state that LibTorch refuses (set_state throws c10::Error, e.g. "Invalid
// mt19937 state"); restoreOrExplain names its source. Its own type, so that other
// LibTorch errors in restore() (moving the network to a GPU) keep their own message.
struct DamagedGeneratorState {
  std::string reason;
};

void setGeneratorState(at::Generator& generator, const torch::Tensor& state) {
  try {
    generator.set_state(state);
  } catch (const c10::Error& e) {
    const std::string reason = e.what_without_backtrace();
    throw DamagedGeneratorState{reason.substr(0, reason.find('\n'))};
  }
}

}  // namespace

void Trainer::restore(const CheckpointContents& contents) {
  step_ = contents.step;
  if (contents.dataGeneratorState.defined())
    setGeneratorState(dataGenerator_, contents.dataGeneratorState);
  if (contents.noiseGeneratorState.defined() && device_.is_cpu())
    setGeneratorState(noiseGenerator_, contents.noiseGeneratorState);
  network_->to(device_);
}

void Trainer::saveCheckpoint(const std::string& file) const { writeCheckpoint(file, state()); }

namespace {

// restore() with a damaged generator state as InputError naming the source; found by
// fuzz_checkpoint.
void restoreOrExplain(const std::function<void()>& restore, const std::string& source) {
  try {
    restore();
  } catch (const DamagedGeneratorState& damaged) {
    throw InputError(source + ": the random-generator state is damaged (" + damaged.reason + ")");
  }
}

}  // namespace

void Trainer::loadCheckpoint(const std::string& file) {
  CheckpointContents contents;
  contents.network = network_.get();
  contents.optimizer = optimizer_.get();
  readCheckpoint(file, contents);
  restoreOrExplain([&] { restore(contents); }, "checkpoint '" + file + "'");
}

void Trainer::distribute(CollectivePtr collective) {
  requireEvenSplit(config_.train.batch, collective->worldSize());
  collective_ = std::move(collective);
  copyStateFromRankZero();
}

void Trainer::copyStateFromRankZero() {
  // The whole state travels as checkpoint bytes: one format, already tested for round trips.
  const std::string bytes =
      broadcastText(*collective_, collective_->rank() == 0 ? checkpointBytes(state()) : "");
  if (collective_->rank() == 0) return;
  CheckpointContents contents;
  contents.network = network_.get();
  contents.optimizer = optimizer_.get();
  readCheckpointBytes(bytes, "rank 0's state", contents);
  restoreOrExplain([&] { restore(contents); }, "rank 0's state");
}

void Trainer::rollBack(const std::string& checkpoint) {
  if (config_.train.rollbacks < 1)
    throw std::logic_error("Trainer::rollBack: no rollbacks left in the configuration");
  // Network, optimizer, step and generators; not config_. Only rank 0 has the file.
  if (writesFiles()) loadCheckpoint(checkpoint);
  if (collective_) copyStateFromRankZero();
  config_.train.learningRate *= config_.train.rollbackFactor;
  config_.train.rollbacks -= 1;
  config_.train.rollbacksDone += 1;
}

int64_t Trainer::checkpointBytesEstimate() const {
  // Parameters plus Adam's two moments, in the parameters' dtype, and a margin for the
  // archive's directory, the configuration and the generator states.
  int64_t bytes = 0;
  for (const auto& p : network_->parameters()) bytes += 3 * p.numel() * p.element_size();
  return bytes + (int64_t{1} << 20);
}

CheckpointInfo readCheckpointInfo(const std::string& file) {
  CheckpointContents contents;
  readCheckpoint(file, contents);
  return {contents.config, contents.step, contents.formatVersion};
}

VectorFieldPtr loadNetwork(const std::string& file, int64_t variables, int64_t classes,
                           const RunConfig& config, torch::Device device) {
  VectorFieldPtr network = makeVectorField(variables, classes, config.network, config.image);
  CheckpointContents contents;
  contents.network = network.get();
  readCheckpoint(file, contents);
  network->to(device);
  network->eval();
  return network;
}

}  // namespace efm

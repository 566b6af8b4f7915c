#pragma once
// The complete configuration of a run: what is trained on, which probability path, which
// network, how it is optimised. Written to RUN_DIR/config.json and into every checkpoint,
// read back by `efm sample`, `efm eval`, `--resume` and the desktop application. Defaults
// are the reference settings of METHOD.md section 4.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace efm {

// Image data: the n nodes are the pixels of a height x width label map in row-major order
// (node i = row * width + column). Recorded in the run configuration so that samples can be
// written as label maps without the data files.
struct ImageLayout {
  int64_t height = 0;
  int64_t width = 0;
  // Names the classes and their colours (efm/label_palette.h): "categories", "train" or
  // "ids" for Cityscapes' class sets, "levels" for quantised grey images; "" = generic.
  std::string classSet;
  bool isImage() const { return height > 0 && width > 0; }
  int64_t pixels() const { return height * width; }
};

struct PathOptions {
  // "ray" (journal version, default) or "bridge" (preprint): ours; "linear", "dirichlet"
  // or "fisher": the peers of METHOD.md section 7.
  std::string kind = "ray";
  double smoothing = 0.01;  // eps: w1 = (1 - eps) onehot(x) + eps / c
  double magnitude = 0.5;   // m: speed of the ray variant
  double gammaShape = 1.0;  // k: t ~ Gamma(k, rate r) for the ray variant
  double gammaRate = 0.25;  // r
  double timeEnd = 0;       // t_end used for sampling; 0 = the path's default (15 / 1)
  double alphaMax = 8;      // the Dirichlet path's largest concentration (Stark et al.)
};

struct NetworkOptions {
  std::string kind = "mlp";  // "mlp", "cnn" or "unet" (image data only)
  // MLP width / CNN channels / U-Net base channels; 0 = the model's default (256, 128, 32)
  int64_t hidden = 0;
  int64_t layers = 2;         // hidden layers of the MLP
  int64_t timeFeatures = 16;  // Fourier features of t (sin and cos pairs: half each)
  double maxFrequency = 4.0;  // highest Fourier frequency (cycles per unit of t)
  int64_t kernel = 9;         // CNN kernel size
  std::vector<int64_t> dilations = {1, 1, 4, 16, 64};  // one CNN layer each
  // U-Net (reference: 32 base channels, multipliers 1,2,2,2, two residual blocks per level,
  // "attention at 16"). Attention resolutions are downsampling factors (1, 2, 4, ...), as in
  // the reference implementation's U-Net.
  std::vector<int64_t> channelMultipliers = {1, 2, 2, 2};
  int64_t residualBlocks = 2;
  std::vector<int64_t> attentionResolutions = {16};
  int64_t attentionHeads = 1;
  // GroupNorm groups (reference 32); a layer whose channel count it does not divide uses
  // gcd(normGroups, channels) groups.
  int64_t normGroups = 32;
};

// The longest run and the largest batch a configuration may ask for.
inline constexpr int64_t kMaxTrainSteps = int64_t{1} << 40;
inline constexpr int64_t kMaxBatch = int64_t{1} << 24;

struct TrainOptions {
  int64_t steps = 5000;
  int64_t batch = 256;
  double learningRate = 3e-4;
  std::string schedule = "constant";  // "constant" or "cosine" (decays to 0 at `steps`)
  double gradClip = 0;                // max global grad norm; 0 = off (reference)
  uint64_t seed = 0;
  int64_t checkpointEvery = 1000;  // steps; the final step is always saved
  double checkpointSeconds = 60;   // wall-clock seconds between checkpoints; 0 = off
  // On a diverging step (non-finite loss or gradient): reload the last checkpoint, multiply
  // the learning rate by rollbackFactor and go on, at most `rollbacks` times (0 = stop).
  // Each rollback lowers train.lr and train.rollbacks in the run's recorded configuration and
  // counts in rollbacksDone, so that the settings the run started with can be recovered
  // (efm/resume.h).
  int64_t rollbacks = 0;
  double rollbackFactor = 0.5;
  int64_t rollbacksDone = 0;
  int64_t logEvery = 50;  // steps between rows of metrics.csv
};

struct RunConfig {
  std::string data = "toy:coupled-binary";
  int64_t variables = 0;  // n and c of the data, recorded when training starts, so that a
  int64_t classes = 0;    // run can be sampled without its data files
  ImageLayout image;      // image data: label-map shape and class set (recorded likewise)
  PathOptions path;
  NetworkOptions network;
  TrainOptions train;
};

void to_json(nlohmann::json& j, const RunConfig& config);
// Reads a (possibly partial) configuration over the defaults in `config`. Unknown keys and
// values of the wrong type or out of range throw InputError naming the key; `origin` (a
// file name) is included in the message.
void mergeConfig(RunConfig& config, const nlohmann::json& j, const std::string& origin);
// Replaces "default" markers (hidden = 0) by the values they stand for, then checks every
// value; throws InputError naming the setting.
void resolveAndValidate(RunConfig& config);

std::string toJsonString(const RunConfig& config);
RunConfig configFromJsonString(const std::string& text, const std::string& origin);

}  // namespace efm

// RUN_DIR/posterior.pt: the likelihood bound's posterior with the key it was trained for.
#include "efm/io/posterior_io.h"

#include "efm/base/errors.h"
#include "efm/io/checkpoint_io.h"
#include "efm/solvers/ode_solver.h"

#include <torch/torch.h>

#include <filesystem>
#include <iomanip>
#include <sstream>

namespace efm {

namespace {
constexpr int64_t kPosteriorFormatVersion = 1;
}  // namespace

void writePosterior(const std::string& file, torch::nn::Module& posterior, const std::string& key) {
  torch::serialize::OutputArchive archive, module;
  archive.write("format_version", c10::IValue(kPosteriorFormatVersion));
  archive.write("key", c10::IValue(key));
  posterior.save(module);
  archive.write("posterior", module);
  std::ostringstream bytes;
  archive.save_to(bytes);
  writeFileAtomically(file, bytes.str());
}

bool readPosteriorFor(const std::string& file, torch::nn::Module& posterior,
                      const std::string& key) {
  if (!std::filesystem::exists(file)) return false;
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(file);
  } catch (const std::exception& e) {
    throw InputError("posterior '" + file + "' cannot be read (" + e.what() +
                     "); delete it to train the posterior again");
  }
  c10::IValue value;
  if (!archive.try_read("format_version", value) || !value.isInt() ||
      value.toInt() > kPosteriorFormatVersion || !archive.try_read("key", value) ||
      !value.isString())
    throw InputError("posterior '" + file +
                     "' is not an efm posterior of this version; delete it to train the "
                     "posterior again");
  if (value.toStringRef() != key) return false;
  torch::serialize::InputArchive module;
  if (!archive.try_read("posterior", module))
    throw InputError("posterior '" + file + "': the posterior's weights are missing");
  try {
    posterior.load(module);
  } catch (const std::exception& e) {
    throw InputError("posterior '" + file + "' does not fit this run (" + e.what() +
                     "); delete it to train the posterior again");
  }
  return true;
}

std::string posteriorKey(const RunConfig& config, int64_t modelStep, const BoundOptions& options,
                         const PosteriorTrainingOptions& training, const std::string& data) {
  std::ostringstream key;
  key << std::setprecision(17) << "model_step=" << modelStep << ";network=" << config.network.kind
      << ':' << config.network.hidden << ";n=" << config.variables << ";c=" << config.classes
      << ";steps=" << training.steps << ";batch=" << training.batch
      << ";lr=" << training.learningRate << ";seed=" << training.seed << ";data=" << data
      << ";solver=" << solverName(options.solver.kind) << ':' << options.solver.step
      << ";t_end=" << options.timeEnd;
  return key.str();
}

}  // namespace efm

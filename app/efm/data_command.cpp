// efm data info: what a data SPEC contains (JSON on stdout).
#include "commands.h"
#include "json_output.h"

#include "efm/dataset.h"

#include <torch/torch.h>

namespace efm::cli {

namespace {

// Per-node marginals are printed only while they stay readable.
constexpr int64_t kMaxPrintedMarginals = 100000;

int runDataInfo(const std::string& spec) {
  const DatasetPtr data = openDataset(spec);
  const torch::Tensor marginals = data->marginals();
  nlohmann::json out;
  out["data"] = spec;
  out["description"] = data->description();
  out["n"] = data->variables();
  out["c"] = data->classes();
  if (auto count = data->count())
    out["count"] = *count;
  else
    out["count"] = nullptr;  // a distribution, not a finite set of items
  out["joint_table_known"] = data->jointTable().has_value();
  out["class_frequencies"] = tensorToJson(marginals.mean(0));
  if (marginals.numel() <= kMaxPrintedMarginals) out["marginals"] = tensorToJson(marginals);
  printJson(out);
  return 0;
}

}  // namespace

Runner addDataCommand(CLI::App& app) {
  app.require_subcommand(1);
  auto spec = std::make_shared<std::string>();
  CLI::App* info = app.add_subcommand("info", "Describe a dataset (JSON on stdout)");
  info->add_option("--data", *spec, "data SPEC")->required();
  return [spec, info] {
    if (info->parsed()) return runDataInfo(*spec);
    return 2;
  };
}

}  // namespace efm::cli

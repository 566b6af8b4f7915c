#pragma once
// Shared pieces of the studio's tests: waiting on the event loop for a condition, and an
// untrained model snapshot of a small toy for the engine's samplers and views.
#include "engine/model_snapshot.h"

#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"

#include <torch/torch.h>
#include <QElapsedTimer>
#include <QtTest/QTest>

#include <functional>
#include <string>

namespace gui_test {

// Runs the event loop until `condition` holds (true) or `milliseconds` have passed (false).
inline bool waitFor(const std::function<bool()>& condition, int milliseconds = 60000) {
  QElapsedTimer clock;
  clock.start();
  while (!condition()) {
    if (clock.elapsed() > milliseconds) return false;
    QTest::qWait(10);
  }
  return true;
}

// An untrained (seeded) network on a Dirichlet table of 2 nodes with 3 classes, as a
// snapshot the SamplingService accepts.
inline efm::ui::SnapshotPtr untrainedModel(const std::string& path = "ray") {
  efm::RunConfig config;
  config.data = "toy:dirichlet?n=2&c=3&alpha=0.5&seed=0";
  config.path.kind = path;
  efm::DatasetPtr data = efm::openDataset(config.data);
  config.variables = data->variables();
  config.classes = data->classes();
  efm::resolveAndValidate(config);
  torch::manual_seed(0);
  efm::VectorFieldPtr network =
      efm::makeVectorField(config.variables, config.classes, config.network);
  return efm::ui::makeSnapshot(config, 0, *network, efm::makeProbabilityPath(config.path), data,
                               torch::kCPU);
}

}  // namespace gui_test

// TrainingController's targets edited while it trains: the new data is opened afresh and swapped
// into the trainer between two steps (or at once when idle or paused).
#include "engine/training_controller.h"

#include <torch/torch.h>

#include "efm/base/errors.h"
#include "engine/model_snapshot.h"
#include "engine/training_controller_host.h"

namespace efm::ui {

void TrainingController::replaceData(const QString& spec) {
  {
    std::lock_guard<std::mutex> lock(saveMutex_);
    pendingData_ = spec.trimmed().toStdString();  // only the latest edit matters
  }
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    saveRequested_ = true;  // wakes a paused run to serve it
  }
  pauseChanged_.notify_all();
  // While training, the hook serves it between two steps; otherwise this task does.
  post([this] { servePendingData(); });
}

void TrainingController::servePendingData() {
  std::string spec;
  {
    std::lock_guard<std::mutex> lock(saveMutex_);
    spec.swap(pendingData_);
  }
  if (spec.empty()) return;
  try {
    // Not openData(): an edited file keeps its SPEC, so the cache would hand back the old table.
    const DatasetPtr data = openDataset(spec);
    const DataSummary summary = summarizeData(*data, spec, kMaxViewJoint);
    host_->openedSpec = spec;
    host_->opened = data;
    if (!host_->trainer) {  // no model to retrain: show the new target (as inspectData does)
      toGui([this, summary] { Q_EMIT dataChanged(summary); });
      return;
    }
    host_->trainer->replaceData(data, spec);
    host_->data = data;
    host_->run.writeConfig(host_->trainer->config());
    const RunConfig resolved = host_->trainer->config();
    toGui([this, summary, resolved] {
      Q_EMIT dataChanged(summary);
      Q_EMIT configChanged(resolved);
    });
    publishSnapshot();  // previews and the KL curve against the new target from now on
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    toGui([this, message] { Q_EMIT dataProblem(message); });
  }
}

}  // namespace efm::ui

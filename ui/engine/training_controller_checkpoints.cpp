// TrainingController's checkpoints: saves served between steps, loading with or without data.
#include "engine/training_controller.h"

#include <torch/torch.h>

#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/paths/path_registry.h"
#include "engine/model_snapshot.h"
#include "engine/training_controller_host.h"

namespace efm::ui {

void TrainingController::servePendingSaves() {
  std::vector<QString> files;
  {
    std::lock_guard<std::mutex> lock(saveMutex_);
    files.swap(pendingSaves_);
  }
  for (const QString& file : files) {
    try {
      host_->trainer->saveCheckpoint(file.toStdString());
      toGui([this, file] { Q_EMIT checkpointSaved(file); });
    } catch (const std::exception& e) {
      const QString message = QString("Could not save the checkpoint '%1': %2")
                                  .arg(file, QString::fromStdString(e.what()));
      toGui([this, message] { Q_EMIT failed(message); });
    }
  }
}

void TrainingController::saveCheckpoint(const QString& file) {
  {
    std::lock_guard<std::mutex> lock(saveMutex_);
    pendingSaves_.push_back(file);
  }
  {
    std::lock_guard<std::mutex> lock(pauseMutex_);
    saveRequested_ = true;  // wakes a paused run to serve it
  }
  pauseChanged_.notify_all();
  // While training, the hook serves it between two steps; otherwise this task does.
  post([this, file] {
    if (!host_->trainer) {
      std::lock_guard<std::mutex> lock(saveMutex_);
      pendingSaves_.clear();
      throw InputError(host_->loadedOnly
                           ? "the loaded model's data cannot be opened, so there is no trainer "
                             "state to save; its checkpoint file is unchanged"
                           : "there is no model to save yet: train or open one first");
    }
    servePendingSaves();
  });
}

void TrainingController::loadCheckpoint(const QString& qfile, const QString& runDirectory) {
  if (state_ != State::Idle) {
    Q_EMIT failed("Stop training before opening a checkpoint.");
    return;
  }
  const std::string file = qfile.toStdString();
  const std::string directory = runDirectory.toStdString();
  post([this, file, directory, qfile] {
    const CheckpointInfo info = readCheckpointInfo(file);  // InputError naming the file
    RunConfig config = info.config;
    DatasetPtr data;
    std::string dataProblem;
    try {
      data = openData(config.data);
      if (data->variables() != config.variables || data->classes() != config.classes)
        throw InputError("it now has n = " + std::to_string(data->variables()) +
                         ", c = " + std::to_string(data->classes()) +
                         " but the model was trained with n = " + std::to_string(config.variables) +
                         ", c = " + std::to_string(config.classes));
    } catch (const std::exception& e) {
      data.reset();
      dataProblem = e.what();
    }
    const torch::Device device = selectDevice("auto");
    if (data) {
      auto trainer = std::make_unique<Trainer>(config, data, device);
      trainer->loadCheckpoint(file);
      RunDirectory run{directory};
      run.prepare();
      run.writeConfig(trainer->config());
      host_->trainer = std::move(trainer);
      host_->run = run;
      host_->loadedOnly.reset();
      host_->data = data;
      canTrain_ = true;
      publishSnapshot();
      const DataSummary summary = summarizeData(*data, config.data, kMaxViewJoint);
      toGui([this, summary] { Q_EMIT dataChanged(summary); });
    } else {
      VectorFieldPtr network = loadNetwork(file, config.variables, config.classes, config, device);
      SnapshotPtr snapshot = makeSnapshot(config, info.step, *network,
                                          makeProbabilityPath(config.path), nullptr, device);
      host_->trainer.reset();
      host_->data.reset();
      host_->loadedOnly = snapshot;
      canTrain_ = false;
      {
        std::lock_guard<std::mutex> lock(snapshotMutex_);
        snapshot_ = snapshot;
        config_ = config;
      }
      const qint64 step = info.step;
      toGui([this, step] { Q_EMIT snapshotPublished(step); });
      DataSummary summary;
      summary.spec = config.data;
      summary.description = "data not available";
      summary.variables = config.variables;
      summary.classes = config.classes;
      summary.image = imageInfo(config.image, config.classes);
      toGui([this, summary] { Q_EMIT dataChanged(summary); });
    }
    hasModel_ = true;
    setState(State::Idle);  // the panel learns whether the loaded model can be trained on
    toGui([this, config, qfile] {
      Q_EMIT configChanged(config);
      Q_EMIT checkpointLoaded(qfile);
    });
    if (!dataProblem.empty()) {
      const QString message =
          QString(
              "The model in '%1' was loaded and can be sampled, but its data '%2' cannot be "
              "opened (%3), so it cannot be trained further or compared with its data.")
              .arg(qfile, QString::fromStdString(config.data), QString::fromStdString(dataProblem));
      toGui([this, message] { Q_EMIT failed(message); });
    }
  });
}

}  // namespace efm::ui

#pragma once
// The training dock: what to train on, how, and the controls of a run. It edits a
// RunConfig (the same configuration `efm train` writes), keeping the settings it has no
// field for (CNN kernel, dilations, ...) from the configuration it was last given.

#include <efm/config.h>
#include <QWidget>

#include "engine/studio_data.h"

class QComboBox;
class QSpinBox;
class QDoubleSpinBox;
class QPushButton;
class QProgressBar;
class QLabel;

namespace efm::ui {

class TrainingPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingPanel(QWidget* parent = nullptr);

  RunConfig config() const;
  void setConfig(const RunConfig& config);
  void setDataSpec(const QString& spec);
  QString dataSpec() const;
  int threads() const;
  void setThreads(int threads);
  int64_t steps() const;
  int previewEvery() const;
  void setPreviewEvery(int steps);
  int previewSamples() const;

  // Buttons follow the trainer: state is a TrainingController::State.
  void setTrainerState(int state, bool canContinue);
  void showProgress(const TrainStatus& status);
  void showMessage(const QString& text);

  QPushButton* startButton() const { return start_; }
  QPushButton* pauseButton() const { return pause_; }
  QPushButton* resumeButton() const { return resume_; }
  QPushButton* stopButton() const { return stop_; }

  // The data SPECs offered in the list (every toy of the core).
  static QStringList toySpecs();

 Q_SIGNALS:
  void startRequested();
  void pauseRequested();
  void resumeRequested();
  void stopRequested();
  void openDataRequested();
  // The data SPEC was picked from the list, typed and confirmed, or set by a file dialog.
  void dataSpecChosen(const QString& spec);

 private:
  RunConfig base_;
  QComboBox* data_;
  QComboBox* path_;
  QComboBox* network_;
  QSpinBox* hidden_;
  QSpinBox* layers_;
  QSpinBox* steps_;
  QSpinBox* batch_;
  QDoubleSpinBox* lr_;
  QComboBox* schedule_;
  QSpinBox* seed_;
  QSpinBox* threads_;
  QSpinBox* previewEvery_;
  QSpinBox* previewSamples_;
  QPushButton* start_;
  QPushButton* pause_;
  QPushButton* resume_;
  QPushButton* stop_;
  QProgressBar* progress_;
  QLabel* status_;
};

}  // namespace efm::ui

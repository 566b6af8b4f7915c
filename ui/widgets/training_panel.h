#pragma once
// The training dock: what to train on, how, and the controls of a run. It edits a
// RunConfig (the same configuration `efm train` writes), keeping the settings it has no
// field for (CNN kernel, dilations, ...) from the configuration it was last given.

#include <QWidget>
#include "efm/config/run_config.h"

#include "engine/studio_data.h"

class QCheckBox;
class QComboBox;
class QSpinBox;
class QDoubleSpinBox;
class QPushButton;
class QProgressBar;
class QLabel;
class QTimer;

namespace efm::ui {

class ImageDataOptions;

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
  QCheckBox* maskTrainingBox() const { return maskTraining_; }
  QCheckBox* conditionOnClassBox() const { return conditionOnClass_; }
  QPushButton* pauseButton() const { return pause_; }
  QPushButton* resumeButton() const { return resume_; }
  QPushButton* stopButton() const { return stop_; }

  ImageDataOptions* imageOptions() const { return imageOptions_; }
  QComboBox* networkBox() const { return network_; }
  QComboBox* pathBox() const { return path_; }

  // The data SPECs offered in the list (every toy of the core).
  static QStringList toySpecs();
  // Settings that suit image data on a CPU (a small U-Net, small batches), applied when the
  // data turns from toys to images (and the toy defaults when it turns back).
  static constexpr int kImageChannels = 16;
  static constexpr int kImageBatch = 16;
  static constexpr int kImagePreviewEvery = 50;
  // Network, batch and preview settings for image data or for the rest (the demo starts
  // from them rather than from the last configuration used).
  void applyDataKindDefaults(bool image);

 Q_SIGNALS:
  void startRequested();
  void pauseRequested();
  void resumeRequested();
  void stopRequested();
  void openDataRequested();
  // The data SPEC was picked from the list, typed and confirmed, or set by a file dialog.
  void dataSpecChosen(const QString& spec);

 private:
  void dataTextChanged(const QString& text);

  RunConfig base_;
  QComboBox* data_;
  ImageDataOptions* imageOptions_;
  QTimer* settle_;  // image options being typed: the SPEC is opened once they settle
  bool imageData_ = false;
  bool composing_ = false;      // the image options are writing the SPEC text
  bool settingConfig_ = false;  // setConfig is filling the widgets
  QComboBox* path_;
  QComboBox* network_;
  QSpinBox* hidden_;
  QSpinBox* layers_;
  QSpinBox* steps_;
  QSpinBox* batch_;
  QDoubleSpinBox* lr_;
  QComboBox* schedule_;
  QSpinBox* seed_;
  QCheckBox* maskTraining_;
  QCheckBox* conditionOnClass_;
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

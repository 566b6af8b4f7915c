#pragma once
// The sampling dock: how many labelings to draw from the current model, with which solver
// and until which time (by default the path's own sampler and time range), how many whole
// flows to keep for the trajectory view.

#include <QWidget>

#include "engine/path_catalog.h"
#include "engine/sampling_service.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace efm::ui {

class SamplingPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SamplingPanel(QWidget* parent = nullptr);

  // A request for `model` from the current settings.
  SampleRequest request(SnapshotPtr model) const;
  void setBusy(bool busy);
  void showProgress(qint64 done, qint64 total);
  void showResult(const SampleSet& samples);
  void setCount(int count);
  void setFlowsKept(int flows);
  // Names the sampler and end time that "path's own" stands for.
  void setPath(const PathInfo& path);
  QComboBox* solverBox() const { return solver_; }
  QPushButton* sampleButton() const { return sample_; }

 Q_SIGNALS:
  void sampleRequested();
  void cancelRequested();

 private:
  QSpinBox* count_;
  QSpinBox* keep_;
  QComboBox* solver_;
  QDoubleSpinBox* step_;
  QDoubleSpinBox* timeEnd_;
  QSpinBox* seed_;
  QSpinBox* threads_;
  QPushButton* sample_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* result_;
};

}  // namespace efm::ui

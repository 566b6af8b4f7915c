#pragma once
// The sampling dock: how many labelings to draw from the current model, with which solver
// and until which time (by default the path's own sampler and time range), how many whole
// flows to keep for the trajectory view; and the conditions (docs/CONDITIONING.md): given
// nodes, the method, a class label and its guidance.

#include <QWidget>

#include "engine/path_catalog.h"
#include "engine/sampling_service.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
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
  QLineEdit* givenEdit() const { return given_; }
  QComboBox* conditioningBox() const { return conditioning_; }
  QSpinBox* classSpin() const { return class_; }
  QDoubleSpinBox* guidanceSpin() const { return guidance_; }
  // Pixels painted in the label-map view (a label per pixel, -1 = free): sent with every
  // request until cleared; the count is shown.
  void setPaintedPixels(std::vector<int64_t> labels);
  // The data's shape, for reading the Given text per node.
  void setShape(int64_t variables, int64_t classes);
  // The Given text as a label per node (-1 free); empty when nothing is given or the text
  // does not parse (yet).
  std::vector<int64_t> givenPerNode() const;
  // Fixes `node` to `label` in the Given text, or frees it (label -1).
  void setGivenNode(int node, int label);
  QPushButton* sampleButton() const { return sample_; }

 Q_SIGNALS:
  void sampleRequested();
  void cancelRequested();
  void givenChanged(const std::vector<int64_t>& perNode);  // see givenPerNode

 private:
  QSpinBox* count_;
  QSpinBox* keep_;
  QComboBox* solver_;
  QDoubleSpinBox* step_;
  QDoubleSpinBox* timeEnd_;
  QSpinBox* seed_;
  QSpinBox* threads_;
  QLineEdit* given_;
  QComboBox* conditioning_;
  QSpinBox* class_;
  QDoubleSpinBox* guidance_;
  QLabel* painted_;
  std::vector<int64_t> paintedPixels_;
  int64_t variables_ = 0, classes_ = 0;
  QPushButton* sample_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* result_;
};

}  // namespace efm::ui

#pragma once
// The likelihood dock: bounds log p of a test set under the current model (the likelihood
// bound, docs/EVALUATION.md) and shows the result: bits per dimension with its standard
// error, the ELBO and the effective sample size, and a chart of every labeling's bound.

#include <QWidget>

#include "engine/likelihood_service.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace efm::ui {

class LikelihoodChart;

class LikelihoodPanel : public QWidget {
  Q_OBJECT
 public:
  explicit LikelihoodPanel(QWidget* parent = nullptr);

  // A request for `model` from the current settings.
  LikelihoodRequest request(SnapshotPtr model) const;
  void setBusy(bool busy);
  void showProgress(qint64 done, qint64 total, const QString& stage);
  void showReport(const LikelihoodReport& report);
  void showError(const QString& message);

  QPushButton* boundButton() const { return bound_; }
  QPushButton* cancelButton() const { return cancel_; }
  QSpinBox* itemsSpin() const { return items_; }
  QSpinBox* samplesSpin() const { return samples_; }
  QSpinBox* posteriorStepsSpin() const { return posteriorSteps_; }
  QSpinBox* refineStepsSpin() const { return refineSteps_; }
  QLineEdit* testDataEdit() const { return testData_; }
  QLabel* summaryLabel() const { return summary_; }
  LikelihoodChart* chart() const { return chart_; }

 Q_SIGNALS:
  void boundRequested();
  void cancelRequested();

 private:
  QLineEdit* testData_;
  QSpinBox* items_;
  QSpinBox* samples_;
  QSpinBox* posteriorSteps_;
  QSpinBox* refineSteps_;
  QPushButton* bound_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* summary_;
  LikelihoodChart* chart_;
};

}  // namespace efm::ui

#include "widgets/likelihood_panel.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "widgets/likelihood_chart.h"

namespace efm::ui {

LikelihoodPanel::LikelihoodPanel(QWidget* parent) : QWidget(parent) {
  testData_ = new QLineEdit;
  testData_->setPlaceholderText("the run's data");
  testData_->setToolTip(
      "Data SPEC of the labelings to score, e.g. idx:fashion-mnist-test?levels=2&pad=32 or "
      "csv:FILE; empty: the run's own data. Finite data: its first items; distributions: "
      "labelings drawn from it.");
  items_ = new QSpinBox;
  items_->setRange(1, 100000);
  items_->setValue(100);
  items_->setToolTip("How many labelings to score");
  samples_ = new QSpinBox;
  samples_->setRange(1, 100000);
  samples_->setValue(16);
  samples_->setToolTip(
      "K: draws per labeling. The bound rises towards log p as K grows; a quarter come from "
      "the prior (a defensive mixture)");
  posteriorSteps_ = new QSpinBox;
  posteriorSteps_->setRange(0, 1000000);
  posteriorSteps_->setValue(200);
  posteriorSteps_->setToolTip(
      "Training steps of the posterior over the flow's initial state, on the run's data, "
      "before scoring (0: the prior itself, plain Monte Carlo)");
  refineSteps_ = new QSpinBox;
  refineSteps_->setRange(0, 100000);
  refineSteps_->setValue(100);
  refineSteps_->setToolTip(
      "Steps that fit the posterior to each scored labeling before its bound is taken: "
      "tighter bounds on images for a little more time (0: the trained posterior as it is)");
  auto* form = new QFormLayout;
  form->addRow("Test data", testData_);
  form->addRow("Labelings", items_);
  form->addRow("Draws K", samples_);
  form->addRow("Posterior steps", posteriorSteps_);
  form->addRow("Refine per labeling", refineSteps_);

  bound_ = new QPushButton("Bound log p");
  bound_->setToolTip(
      "A lower bound on log p of each labeling (an upper bound on bits per dimension), for the "
      "factorized read-out of the current model: ray or bridge");
  cancel_ = new QPushButton("Cancel");
  cancel_->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(bound_);
  buttons->addWidget(cancel_);
  progress_ = new QProgressBar;
  progress_->setVisible(false);
  summary_ = new QLabel("Bounds log p of test labelings under the current model.");
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  chart_ = new LikelihoodChart;

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(summary_);
  layout->addWidget(chart_, 1);

  connect(bound_, &QPushButton::clicked, this, &LikelihoodPanel::boundRequested);
  connect(cancel_, &QPushButton::clicked, this, &LikelihoodPanel::cancelRequested);
}

LikelihoodRequest LikelihoodPanel::request(SnapshotPtr model) const {
  LikelihoodRequest request;
  request.model = std::move(model);
  request.testData = testData_->text().trimmed().toStdString();
  request.items = items_->value();
  request.samples = samples_->value();
  request.posteriorSteps = posteriorSteps_->value();
  request.refineSteps = refineSteps_->value();
  return request;
}

void LikelihoodPanel::setBusy(bool busy) {
  bound_->setEnabled(!busy);
  cancel_->setEnabled(busy);
  progress_->setVisible(busy);
  if (busy) {
    progress_->setRange(0, 0);  // busy until the first progress arrives
    summary_->setText("Training the posterior, then bounding log p ...");
  }
}

void LikelihoodPanel::showProgress(qint64 done, qint64 total, const QString& stage) {
  progress_->setRange(0, static_cast<int>(std::min<qint64>(total, 1 << 30)));
  progress_->setValue(static_cast<int>(std::min<qint64>(done, 1 << 30)));
  progress_->setFormat(stage == "posterior" ? "posterior %v / %m steps" : "bound %v / %m draws");
}

void LikelihoodPanel::showReport(const LikelihoodReport& report) {
  const double nats = double(report.variables) * std::log(2.0);
  summary_->setText(
      QString("Model at step %1, %2 (K = %3):\n"
              "%4 ± %5 bits/dim (upper bound)\n"
              "ELBO %6 bits/dim; mean effective samples %7 of %3 (near K: the bound is close "
              "to log p; near 1: it is loose)\n%8 s")
          .arg(report.modelStep)
          .arg(QString::fromStdString(report.source))
          .arg(report.samples)
          .arg(report.bitsPerDimension, 0, 'f', 4)
          .arg(report.bitsPerDimensionSe, 0, 'g', 2)
          .arg(-report.meanElbo / nats, 0, 'f', 4)
          .arg(report.meanEffectiveSamples, 0, 'f', 1)
          .arg(report.seconds, 0, 'f', 1));
  chart_->setValues(report.logLikelihood, report.standardError);
}

void LikelihoodPanel::showError(const QString& message) {
  summary_->setText(message == "cancelled"
                        ? QString("Cancelled.")
                        : QString("Cannot bound the likelihood: %1").arg(message));
}

}  // namespace efm::ui

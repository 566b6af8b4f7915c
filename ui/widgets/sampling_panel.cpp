#include "widgets/sampling_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace efm::ui {

SamplingPanel::SamplingPanel(QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout;
  count_ = new QSpinBox;
  count_->setRange(1, 10000000);
  count_->setValue(2000);
  form->addRow("Labelings", count_);
  keep_ = new QSpinBox;
  keep_->setRange(0, 1000000);
  keep_->setValue(1000);
  keep_->setToolTip("Whole flows kept for the trajectory view (memory: flows x steps x n x c)");
  form->addRow("Flows kept", keep_);
  solver_ = new QComboBox;
  solver_->addItem("path's own", QString());
  for (const char* name : {"rk4", "heun", "euler", "dopri5"}) solver_->addItem(name, name);
  solver_->setToolTip(
      "The path's own sampler (RK4 at step 0.2 for ray and bridge, Euler for the peers), or "
      "another solver; a solver the path cannot integrate (the linear path takes only euler) "
      "is refused with a message");
  form->addRow("Solver", solver_);
  step_ = new QDoubleSpinBox;
  step_->setRange(0, 10);
  step_->setDecimals(4);
  step_->setValue(0);
  step_->setSpecialValueText("path's own");
  step_->setToolTip(
      "Fixed step (the reference: 0.2, 75 steps to t_end 15); dopri5's first step; 0 = the "
      "path's own step");
  form->addRow("Step", step_);
  timeEnd_ = new QDoubleSpinBox;
  timeEnd_->setRange(0, 1000);
  timeEnd_->setDecimals(2);
  timeEnd_->setSpecialValueText("path default");
  form->addRow("t_end", timeEnd_);
  seed_ = new QSpinBox;
  seed_->setRange(0, 2147483647);
  form->addRow("Seed", seed_);
  threads_ = new QSpinBox;
  threads_->setRange(1, 256);
  threads_->setValue(std::max(1, QThread::idealThreadCount()));
  form->addRow("Threads", threads_);
  sample_ = new QPushButton("Sample");
  sample_->setToolTip("Draw labelings from the latest model snapshot");
  cancel_ = new QPushButton("Cancel");
  connect(sample_, &QPushButton::clicked, this, &SamplingPanel::sampleRequested);
  connect(cancel_, &QPushButton::clicked, this, &SamplingPanel::cancelRequested);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(sample_);
  buttons->addWidget(cancel_);
  progress_ = new QProgressBar;
  progress_->setRange(0, 1);
  progress_->setValue(0);
  result_ = new QLabel("No samples yet.");
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(result_);
  layout->addStretch(1);
  setBusy(false);
}

SampleRequest SamplingPanel::request(SnapshotPtr model) const {
  SampleRequest request;
  request.model = std::move(model);
  request.count = count_->value();
  request.keepTrajectories = keep_->value();
  request.solver = solver_->currentData().toString().toStdString();
  request.step = step_->value();
  request.timeEnd = timeEnd_->value();
  request.seed = uint64_t(seed_->value());
  request.threads = threads_->value();
  return request;
}

void SamplingPanel::setPath(const PathInfo& path) {
  solver_->setItemText(0, QString("path's own (%1, step %2)")
                              .arg(QString::fromStdString(path.solver))
                              .arg(path.step, 0, 'g', 3));
  timeEnd_->setSpecialValueText(QString("path's own (%1)").arg(path.timeEnd, 0, 'g', 3));
}

void SamplingPanel::setCount(int count) { count_->setValue(count); }
void SamplingPanel::setFlowsKept(int flows) { keep_->setValue(flows); }

void SamplingPanel::setBusy(bool busy) {
  cancel_->setEnabled(busy);
  if (!busy) {
    progress_->setRange(0, 1);
    progress_->setValue(0);
  }
}

void SamplingPanel::showProgress(qint64 done, qint64 total) {
  progress_->setRange(0, int(total));
  progress_->setValue(int(done));
}

void SamplingPanel::showResult(const SampleSet& s) {
  QString text = QString("%1 labelings from the model at step %2 in %3 s")
                     .arg(s.count)
                     .arg(s.modelStep)
                     .arg(s.seconds, 0, 'f', 2);
  if (s.klTargetModel)
    text += QString("\nKL(target || model) %1\nTV %2")
                .arg(*s.klTargetModel, 0, 'g', 4)
                .arg(s.totalVariation.value_or(0), 0, 'g', 4);
  if (s.marginalKl) text += QString("\nmean marginal KL %1").arg(*s.marginalKl, 0, 'g', 4);
  if (!s.klTargetModel && !s.marginalKl)
    text += "\n(the data is not open: nothing to compare with)";
  result_->setText(text);
}

}  // namespace efm::ui

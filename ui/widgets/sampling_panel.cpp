#include "widgets/sampling_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QStringList>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>

#include "efm/base/errors.h"
#include "efm/io/given_nodes.h"

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
      "The path's own sampler (Euler with 60 steps for ray, RK4 at step 0.2 for bridge, Euler "
      "with 300 steps for the peers), or "
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
  // Conditions: sample p(rest | given) and, for class-conditional runs, a class.
  auto* conditions = new QGroupBox("Conditions");
  auto* conditionForm = new QFormLayout(conditions);
  given_ = new QLineEdit;
  given_->setPlaceholderText("node=label, e.g. 0=1, 2=0");
  given_->setToolTip(
      "Nodes to fix (nodes and labels counted from 0, as on the command line: the simplex "
      "view's node 1, class 2 is 0=1); the others are sampled from the model's conditional. "
      "On toys, click a vertex in the simplex view; on label maps, paint the given pixels in "
      "the label-map view");
  conditionForm->addRow("Given", given_);
  connect(given_, &QLineEdit::textChanged, this, [this] { Q_EMIT givenChanged(givenPerNode()); });
  painted_ = new QLabel("no painted pixels");
  conditionForm->addRow("Painted", painted_);
  conditioning_ = new QComboBox;
  conditioning_->addItem("run's default", QString());
  conditioning_->addItem("replace (any model)", "replace");
  conditioning_->addItem("trained (--mask-training)", "trained");
  conditioning_->setToolTip(
      "replace: given nodes follow their own path and the network sees them there (any "
      "model, biased); trained: a model trained with given nodes sees their labels. The "
      "run's default is trained for such a model, replace otherwise");
  conditionForm->addRow("Method", conditioning_);
  class_ = new QSpinBox;
  class_->setRange(-1, 1023);
  class_->setValue(-1);
  class_->setSpecialValueText("none");
  class_->setToolTip("The class to sample from a run trained with --condition-on-class");
  conditionForm->addRow("Class", class_);
  guidance_ = new QDoubleSpinBox;
  guidance_->setRange(0, 50);
  guidance_->setDecimals(2);
  guidance_->setSingleStep(0.5);
  guidance_->setValue(1);
  guidance_->setToolTip(
      "Classifier-free guidance: 1 = the conditional model, 0 = no class, larger = sharper "
      "and less diverse (two network evaluations per step)");
  conditionForm->addRow("Guidance", guidance_);
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
  result_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  // The summary scrolls inside a fixed area: when a longer one grew the dock, the main
  // window grew with it and every view was resized and drawn again as a run ended.
  auto* resultArea = new QScrollArea;
  resultArea->setWidget(result_);
  resultArea->setWidgetResizable(true);
  resultArea->setFrameShape(QFrame::NoFrame);
  resultArea->setMinimumHeight(5 * result_->fontMetrics().lineSpacing());
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(conditions);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(resultArea);
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
  request.givenText = given_->text().trimmed().toStdString();
  if (request.givenText.empty()) request.givenLabels = paintedPixels_;
  request.conditioning = conditioning_->currentData().toString().toStdString();
  request.labelClass = class_->value();
  request.guidance = class_->value() >= 0 ? guidance_->value() : 1.0;
  return request;
}

void SamplingPanel::setShape(int64_t variables, int64_t classes) {
  variables_ = variables;
  classes_ = classes;
  Q_EMIT givenChanged(givenPerNode());
}

std::vector<int64_t> SamplingPanel::givenPerNode() const {
  const std::string text = given_->text().trimmed().toStdString();
  if (text.empty() || variables_ < 1 || classes_ < 1) return {};
  try {
    const GivenNodes given = givenNodesFromText(text, variables_, classes_);
    const Tensor labels =
        torch::where(given.mask, given.labels, torch::full_like(given.labels, -1)).reshape({-1});
    return std::vector<int64_t>(labels.data_ptr<int64_t>(),
                                labels.data_ptr<int64_t>() + labels.numel());
  } catch (const InputError&) {
    return {};  // being typed: the request reports the error when sampling
  }
}

void SamplingPanel::setGivenNode(int node, int label) {
  // Every other item is kept as written (even one that does not parse yet); the node's own
  // item is replaced, or removed for label -1.
  const QRegularExpression item(R"(^\s*(\d+)\s*=\s*(\d+)\s*$)");
  QStringList kept;
  for (const QString& part : given_->text().split(',', Qt::SkipEmptyParts)) {
    const QRegularExpressionMatch match = item.match(part);
    if (match.hasMatch() && match.captured(1).toInt() == node) continue;
    kept << part.trimmed();
  }
  if (label >= 0) kept << QString("%1=%2").arg(node).arg(label);
  given_->setText(kept.join(", "));
}

void SamplingPanel::setPaintedPixels(std::vector<int64_t> labels) {
  paintedPixels_ = std::move(labels);
  const auto count =
      std::count_if(paintedPixels_.begin(), paintedPixels_.end(), [](int64_t l) { return l >= 0; });
  painted_->setText(count ? QString("%1 painted pixels given").arg(count) : "no painted pixels");
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
  if (!s.given.empty()) {
    const auto given =
        std::count_if(s.given.begin(), s.given.end(), [](int64_t l) { return l >= 0; });
    text +=
        QString("\n%1 node(s) given (%2)").arg(given).arg(QString::fromStdString(s.conditioning));
  }
  if (s.labelClass >= 0)
    text += QString("\nclass %1, guidance %2").arg(s.labelClass).arg(s.guidance, 0, 'g', 3);
  if (s.klTargetModel && !s.given.empty())
    text += QString("\nKL(exact conditional || model) %1").arg(*s.klTargetModel, 0, 'g', 4);
  else if (s.klTargetModel)
    text += QString("\nKL(target || model) %1\nTV %2")
                .arg(*s.klTargetModel, 0, 'g', 4)
                .arg(s.totalVariation.value_or(0), 0, 'g', 4);
  if (s.marginalKl) text += QString("\nmean marginal KL %1").arg(*s.marginalKl, 0, 'g', 4);
  if (!s.klTargetModel && !s.marginalKl && !s.conditional())
    text += "\n(the data is not open: nothing to compare with)";
  result_->setText(text);
}

}  // namespace efm::ui

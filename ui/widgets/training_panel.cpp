#include "widgets/training_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "engine/network_catalog.h"
#include "engine/path_catalog.h"
#include "engine/training_controller.h"
#include "widgets/image_data_options.h"
#include "widgets/path_style.h"

namespace efm::ui {

namespace {
// The schedule entry that stands for the network's own (train.schedule = "").
const QString kDefaultSchedule = "default";

QSpinBox* spin(int lo, int hi, int value, const QString& tip) {
  auto* box = new QSpinBox;
  box->setRange(lo, hi);
  box->setValue(value);
  box->setToolTip(tip);
  box->setAccelerated(true);
  return box;
}

QString formatDuration(double seconds) {
  const int s = int(std::lround(seconds));
  if (s >= 3600)
    return QString("%1:%2:%3")
        .arg(s / 3600)
        .arg(s / 60 % 60, 2, 10, QChar('0'))
        .arg(s % 60, 2, 10, QChar('0'));
  return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}
}  // namespace

QStringList TrainingPanel::toySpecs() {
  return {"toy:coupled-binary",
          "toy:dirichlet?n=2&c=3&alpha=0.5&seed=0",
          "toy:dirichlet?n=3&c=4&alpha=0.3&seed=0",
          "toy:pinwheel?c=91",
          "toy:8gaussians?c=91",
          "toy:checkerboard?c=32",
          "toy:kscaling?K=160&n=4&seed=0",
          "toy:dial?lambda=0.5&n=2&c=3&seed=0"};
}

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent) {
  const RunConfig defaults;
  auto* form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

  data_ = new QComboBox;
  data_->setEditable(true);
  data_->addItems(toySpecs());
  // Image data: Debian's Fashion-MNIST, the embedded synthetic street scenes (written into
  // the cache on first use), and Cityscapes in the folder last picked.
  const QString cityscapesFolder =
      QSettings().value("data/cityscapesFolder", QDir::home().filePath("cityscapes")).toString();
  data_->addItem(ImageDataOptions::defaultIdxSpec());
  data_->addItem(ImageDataOptions::defaultCityscapesSpec("synthetic"));
  data_->addItem(ImageDataOptions::defaultCityscapesSpec(cityscapesFolder));
  data_->setToolTip(
      "A data SPEC as `efm train --data` takes it (README, \"Data SPECs\"), or a "
      "CSV of labelings / weighted table opened with the button");
  data_->setMinimumContentsLength(18);
  connect(data_, &QComboBox::activated, this, [this] { Q_EMIT dataSpecChosen(dataSpec()); });
  auto* openData = new QToolButton;
  openData->setText("…");
  openData->setToolTip("Open a CSV of labelings or a weighted table (pmf)");
  connect(openData, &QToolButton::clicked, this, &TrainingPanel::openDataRequested);
  auto* dataRow = new QHBoxLayout;
  dataRow->addWidget(data_, 1);
  dataRow->addWidget(openData);
  form->addRow("Data", dataRow);
  imageOptions_ = new ImageDataOptions;
  form->addRow(imageOptions_);
  settle_ = new QTimer(this);
  settle_->setSingleShot(true);
  settle_->setInterval(700);
  connect(settle_, &QTimer::timeout, this, [this] { Q_EMIT dataSpecChosen(dataSpec()); });
  connect(data_, &QComboBox::currentTextChanged, this, &TrainingPanel::dataTextChanged);
  connect(imageOptions_, &ImageDataOptions::specEdited, this,
          [this](const QString& spec, bool settled) {
            composing_ = true;
            data_->setCurrentText(spec);
            composing_ = false;
            if (settled) {
              settle_->stop();
              if (ImageDataSpec::parse(spec).kind == ImageDataSpec::Kind::Cityscapes)
                QSettings().setValue("data/cityscapesFolder", ImageDataSpec::parse(spec).target);
              Q_EMIT dataSpecChosen(spec);
            } else {
              settle_->start();
            }
          });

  path_ = new QComboBox;
  for (const std::string& name : pathNames()) {
    const QString path = QString::fromStdString(name);
    path_->addItem(path);
    path_->setItemData(path_->count() - 1, pathDescription(path), Qt::ToolTipRole);
  }
  path_->setToolTip(
      "The probability path: ray and bridge are ours (e-geodesic flow matching); linear, "
      "dirichlet and fisher are the peers, trained with the same network and optimizer");
  form->addRow("Path", path_);
  network_ = new QComboBox;
  QString hiddenDefaults, trainingDefaults;
  for (const NetworkInfo& info : networkInfos()) {
    trainingDefaults +=
        (trainingDefaults.isEmpty() ? "" : "; ") + QString::fromStdString(info.name) + ": batch " +
        QString::number(info.defaultBatch) + ", lr " + QString::number(info.defaultLearningRate) +
        ", " + QString::fromStdString(info.defaultSchedule);
    network_->addItem(QString::fromStdString(info.name));
    network_->setItemData(network_->count() - 1, QString::fromStdString(info.description),
                          Qt::ToolTipRole);
    hiddenDefaults += (hiddenDefaults.isEmpty() ? "" : " / ") + QString::fromStdString(info.name) +
                      " " + QString::number(info.defaultHidden);
  }
  network_->setToolTip("The vector-field network; the ones marked for image data need label maps");
  form->addRow("Network", network_);
  hidden_ = spin(0, int(kHiddenLimits.max), 0,
                 "Width of the MLP / channels of the CNN / base channels of the U-Net; "
                 "0 = the network's default (" +
                     hiddenDefaults + ")");
  hidden_->setSpecialValueText("default");
  form->addRow("Hidden", hidden_);
  layers_ = spin(int(kLayersLimits.min), int(kLayersLimits.max), int(defaults.network.layers),
                 "Hidden layers of the MLP");
  form->addRow("Layers", layers_);
  steps_ = spin(int(kStepsLimits.min), int(kStepsLimits.max), int(defaults.train.steps),
                "Training steps in all");
  steps_->setSingleStep(500);
  form->addRow("Steps", steps_);
  // Batch, learning rate and schedule: 0 / "default" stand for the network's own (the
  // measured choices of docs/RESULTS.md), as in `efm train` without the flags.
  const QString perNetwork = " (default: the network's own; " + trainingDefaults + ")";
  batch_ = spin(0, int(kBatchLimits.max), int(defaults.train.batch),
                "Labelings per step; 0 = the network's default" + perNetwork);
  batch_->setSpecialValueText("default");
  form->addRow("Batch", batch_);
  lr_ = new QDoubleSpinBox;
  lr_->setDecimals(8);
  lr_->setRange(0, kLearningRateLimits.max);
  lr_->setSingleStep(1e-4);
  lr_->setSpecialValueText("default");
  lr_->setValue(defaults.train.learningRate);
  lr_->setToolTip("Adam learning rate; 0 = the network's default" + perNetwork);
  form->addRow("Learning rate", lr_);
  schedule_ = new QComboBox;
  schedule_->addItems({kDefaultSchedule, "constant", "cosine"});
  schedule_->setToolTip("Learning-rate schedule" + perNetwork);
  form->addRow("Schedule", schedule_);
  seed_ = spin(0, 2147483647, 0, "Seed of data draws, path times and initialisation");
  form->addRow("Seed", seed_);
  maskTraining_ = new QCheckBox("train with given nodes");
  maskTraining_->setToolTip(
      "Mask training (efm train --mask-training): the model also learns to sample with some "
      "nodes given, the 'trained' conditioning of the Sampling panel (docs/CONDITIONING.md)");
  form->addRow("Conditions", maskTraining_);
  conditionOnClass_ = new QCheckBox("class-conditional");
  conditionOnClass_->setToolTip(
      "efm train --condition-on-class: for data with class labels (an idx: file with its "
      "labels file beside it); sample a class with guidance in the Sampling panel");
  form->addRow("", conditionOnClass_);
  threads_ =
      spin(1, 256, std::max(1, QThread::idealThreadCount()), "LibTorch threads of the trainer");
  form->addRow("Threads", threads_);
  previewEvery_ = spin(10, 1000000, 200,
                       "Steps between model snapshots: samples for the views and the KL curve");
  form->addRow("Preview every", previewEvery_);
  previewSamples_ = spin(100, 100000, 500, "Labelings sampled from each snapshot");
  form->addRow("Preview samples", previewSamples_);

  start_ = new QPushButton("Start");
  start_->setToolTip("Train a new model with these settings");
  pause_ = new QPushButton("Pause");
  resume_ = new QPushButton("Resume");
  resume_->setToolTip("Continue a paused run, or the current model up to Steps");
  stop_ = new QPushButton("Stop");
  stop_->setToolTip("Stop after the current step; the checkpoint is saved");
  connect(start_, &QPushButton::clicked, this, &TrainingPanel::startRequested);
  connect(pause_, &QPushButton::clicked, this, &TrainingPanel::pauseRequested);
  connect(resume_, &QPushButton::clicked, this, &TrainingPanel::resumeRequested);
  connect(stop_, &QPushButton::clicked, this, &TrainingPanel::stopRequested);
  auto* buttons = new QGridLayout;
  buttons->addWidget(start_, 0, 0);
  buttons->addWidget(pause_, 0, 1);
  buttons->addWidget(resume_, 1, 0);
  buttons->addWidget(stop_, 1, 1);

  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setFormat("%p%");
  status_ = new QLabel("Ready: pick data and press Start.");
  status_->setWordWrap(true);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addStretch(1);
  setTrainerState(int(TrainingController::State::Idle), false);
  dataTextChanged(data_->currentText());
}

void TrainingPanel::dataTextChanged(const QString& text) {
  if (!composing_) imageOptions_->setSpec(text);
  const bool image = ImageDataSpec::kindOf(text) != ImageDataSpec::Kind::None;
  // A configuration being shown (setConfig) brings its own network: no defaults then.
  if (image != imageData_ && !settingConfig_) applyDataKindDefaults(image);
  imageData_ = image;
}

void TrainingPanel::applyDataKindDefaults(bool image) {
  const RunConfig defaults;
  if (image) {
    // A small U-Net for a CPU: 16 base channels, three levels (multipliers 1, 2, 2), one
    // residual block per level, attention only at the bottleneck. On two cores `efm train`
    // runs it on 32 x 64 crops at 3.4 steps/s with batch 16; the reference layout with 16
    // channels at 1.1 (README, "Label maps").
    network_->setCurrentText(QString::fromStdString(imageNetwork()));
    hidden_->setValue(kImageChannels);
    base_.network.channelMultipliers = {1, 2, 2};
    base_.network.residualBlocks = 1;
    base_.network.attentionResolutions = {};
    batch_->setValue(kImageBatch);
    previewEvery_->setValue(kImagePreviewEvery);
  } else {
    if (isImageOnlyNetwork(network_->currentText().toStdString()))
      network_->setCurrentText(QString::fromStdString(defaults.network.kind));
    hidden_->setValue(int(defaults.network.hidden));
    base_.network.channelMultipliers = defaults.network.channelMultipliers;
    base_.network.residualBlocks = defaults.network.residualBlocks;
    base_.network.attentionResolutions = defaults.network.attentionResolutions;
    batch_->setValue(int(defaults.train.batch));
    previewEvery_->setValue(200);
  }
}

RunConfig TrainingPanel::config() const {
  RunConfig config = base_;
  config.data = data_->currentText().trimmed().toStdString();
  config.path.kind = path_->currentText().toStdString();
  const std::string kind = network_->currentText().toStdString();
  if (kind != config.network.kind) {
    // The settings shown or opened may be another network's: the MLP's variant settings
    // (which other networks refuse) go back to that network's defaults.
    for (std::string* variant : {&config.network.timeInput, &config.network.activation,
                                 &config.network.input, &config.network.norm})
      variant->clear();
  }
  config.network.kind = kind;
  config.network.hidden = hidden_->value();
  config.network.layers = layers_->value();
  config.train.steps = steps_->value();
  config.train.batch = batch_->value();
  config.train.learningRate = lr_->value();
  config.train.schedule =
      schedule_->currentText() == kDefaultSchedule ? "" : schedule_->currentText().toStdString();
  config.train.seed = uint64_t(seed_->value());
  config.network.givenNodes = maskTraining_->isChecked();
  if (!conditionOnClass_->isChecked())
    config.network.labelClasses = 0;
  else if (config.network.labelClasses == 0)
    config.network.labelClasses = -1;     // the data's number, known when training starts
  config.variables = config.classes = 0;  // recorded again from the data
  return config;
}

void TrainingPanel::setConfig(const RunConfig& config) {
  base_ = config;
  settingConfig_ = true;
  setDataSpec(QString::fromStdString(config.data));
  settingConfig_ = false;
  path_->setCurrentText(QString::fromStdString(config.path.kind));
  network_->setCurrentText(QString::fromStdString(config.network.kind));
  hidden_->setValue(int(config.network.hidden));
  layers_->setValue(int(config.network.layers));
  steps_->setValue(int(std::min<int64_t>(config.train.steps, steps_->maximum())));
  batch_->setValue(int(config.train.batch));
  lr_->setValue(config.train.learningRate);
  schedule_->setCurrentText(config.train.schedule.empty()
                                ? kDefaultSchedule
                                : QString::fromStdString(config.train.schedule));
  seed_->setValue(int(std::min<uint64_t>(config.train.seed, 2147483647u)));
  maskTraining_->setChecked(config.network.givenNodes);
  conditionOnClass_->setChecked(config.network.labelClasses != 0);
}

void TrainingPanel::setDataSpec(const QString& spec) {
  if (data_->findText(spec) < 0) data_->addItem(spec);
  data_->setCurrentText(spec);
  Q_EMIT dataSpecChosen(spec);
}

QString TrainingPanel::dataSpec() const { return data_->currentText().trimmed(); }
int TrainingPanel::threads() const { return threads_->value(); }
void TrainingPanel::setThreads(int threads) { threads_->setValue(threads); }
int64_t TrainingPanel::steps() const { return steps_->value(); }
int TrainingPanel::previewEvery() const { return previewEvery_->value(); }
void TrainingPanel::setPreviewEvery(int steps) { previewEvery_->setValue(steps); }
int TrainingPanel::previewSamples() const { return previewSamples_->value(); }

void TrainingPanel::setTrainerState(int state, bool canContinue) {
  using State = TrainingController::State;
  const auto s = static_cast<State>(state);
  start_->setEnabled(s == State::Idle);
  pause_->setEnabled(s == State::Running);
  resume_->setEnabled(s == State::Paused || (s == State::Idle && canContinue));
  stop_->setEnabled(s != State::Idle);
  for (QWidget* w :
       std::initializer_list<QWidget*>{data_, imageOptions_, path_, network_, hidden_, layers_,
                                       batch_, lr_, schedule_, seed_, threads_})
    w->setEnabled(s == State::Idle);
  if (s == State::Paused) status_->setText(status_->text() + " (paused)");
}

void TrainingPanel::showProgress(const TrainStatus& status) {
  progress_->setValue(status.totalSteps > 0 ? int(1000 * status.step / status.totalSteps) : 0);
  progress_->setFormat(QString("%1 / %2").arg(status.step).arg(status.totalSteps));
  status_->setText(QString("loss %1   %2 steps/s   ETA %3")
                       .arg(status.loss, 0, 'g', 4)
                       .arg(status.stepsPerSecond, 0, 'f', 1)
                       .arg(formatDuration(status.etaSeconds)));
}

void TrainingPanel::showMessage(const QString& text) { status_->setText(text); }

}  // namespace efm::ui

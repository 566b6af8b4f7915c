#include "widgets/target_table_editor.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStringList>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <numeric>

namespace efm::ui {

namespace {

constexpr int kLabelingColumn = 0, kWeightColumn = 1, kProbabilityColumn = 2;

// Labeling `index` as "a_1 a_2 ... a_n" (node 0 the most significant digit).
QString labelingText(int64_t index, int64_t variables, int64_t classes) {
  QStringList labels;
  for (int64_t i = 0; i < variables; ++i) {
    labels.prepend(QString::number(index % classes));
    index /= classes;
  }
  return labels.join(' ');
}

QTableWidgetItem* readOnly(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(item->flags() & ~Qt::ItemIsEditable);
  return item;
}

}  // namespace

TargetTableEditor::TargetTableEditor(QWidget* parent) : QWidget(parent) {
  table_ = new QTableWidget(0, 3);
  table_->setHorizontalHeaderLabels({"labeling", "weight", "p"});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->verticalHeader()->setVisible(false);
  table_->setToolTip(
      "Type a weight (any non-negative number; the table is normalised): training goes on "
      "towards the new target at once");
  message_ = new QLabel("Open or pick a table-shaped target (toy tables, pmf files).");
  message_->setWordWrap(true);
  uniform_ = new QPushButton("Uniform");
  uniform_->setToolTip("Every labeling the same weight");
  auto* open = new QPushButton("Open pmf…");
  save_ = new QPushButton("Save as pmf…");
  save_->setObjectName("saveTarget");
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(uniform_);
  buttons->addWidget(open);
  buttons->addWidget(save_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(message_);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);

  connect(table_, &QTableWidget::cellChanged, this, &TargetTableEditor::cellEdited);
  connect(uniform_, &QPushButton::clicked, this, &TargetTableEditor::uniform);
  connect(open, &QPushButton::clicked, this, &TargetTableEditor::openRequested);
  connect(save_, &QPushButton::clicked, this, &TargetTableEditor::saveRequested);
  setTable({}, 0, 0);
}

void TargetTableEditor::setTable(const std::vector<double>& joint, int64_t variables,
                                 int64_t classes) {
  const bool editable = !joint.empty() && variables > 0 && classes > 1 &&
                        std::pow(double(classes), double(variables)) == double(joint.size()) &&
                        int64_t(joint.size()) <= kMaxCells;
  filling_ = true;
  table_->setRowCount(0);
  if (!editable) {
    weights_.clear();
    variables_ = classes_ = 0;
    message_->setText(joint.empty() ? "This data has no joint table to edit (items or images)."
                                    : QString("%1 labelings are too many to list here; the "
                                              "Painter tab edits two variables.")
                                          .arg(joint.size()));
  } else {
    weights_ = joint;
    variables_ = variables;
    classes_ = classes;
    message_->setText(QString("%1 labelings of n = %2 nodes with c = %3 classes")
                          .arg(joint.size())
                          .arg(variables)
                          .arg(classes));
    table_->setRowCount(int(joint.size()));
    for (int row = 0; row < int(joint.size()); ++row) {
      table_->setItem(row, kLabelingColumn, readOnly(labelingText(row, variables, classes)));
      table_->setItem(row, kWeightColumn,
                      new QTableWidgetItem(QString::number(joint[row], 'g', 6)));
      table_->setItem(row, kProbabilityColumn, readOnly({}));
    }
    showProbabilities();
  }
  table_->setEnabled(editable);
  uniform_->setEnabled(editable);
  // A table too large to list (a painted 32 x 32 grid) can still be saved.
  save_->setEnabled(!joint.empty());
  filling_ = false;
}

bool TargetTableEditor::setWeight(int64_t labeling, double weight) {
  if (labeling < 0 || labeling >= int64_t(weights_.size())) return false;
  table_->item(int(labeling), kWeightColumn)->setText(QString::number(weight, 'g', 6));
  return weights_[std::size_t(labeling)] == weight;
}

void TargetTableEditor::cellEdited(int row, int column) {
  if (filling_ || column != kWeightColumn || row < 0 || row >= int(weights_.size())) return;
  QTableWidgetItem* item = table_->item(row, column);
  bool ok = false;
  const double value = item->text().trimmed().toDouble(&ok);
  const double rest =
      std::accumulate(weights_.begin(), weights_.end(), 0.0) - weights_[std::size_t(row)];
  QString problem;
  if (!ok || !std::isfinite(value) || value < 0)
    problem = QString("'%1' is not a non-negative number").arg(item->text());
  else if (value + rest <= 0)
    problem = "at least one labeling needs a positive weight";
  if (!problem.isEmpty()) {  // put the old weight back and say why
    filling_ = true;
    item->setText(QString::number(weights_[std::size_t(row)], 'g', 6));
    filling_ = false;
    message_->setText(problem);
    return;
  }
  weights_[std::size_t(row)] = value;
  message_->setText(QString("%1 labelings of n = %2 nodes with c = %3 classes")
                        .arg(weights_.size())
                        .arg(variables_)
                        .arg(classes_));
  showProbabilities();
  Q_EMIT edited(weights_, variables_, classes_);
}

void TargetTableEditor::showProbabilities() {
  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  const bool old = filling_;
  filling_ = true;
  for (int row = 0; row < int(weights_.size()); ++row)
    table_->item(row, kProbabilityColumn)
        ->setText(total > 0 ? QString::number(weights_[std::size_t(row)] / total, 'f', 4) : "–");
  filling_ = old;
}

void TargetTableEditor::uniform() {
  if (weights_.empty()) return;
  filling_ = true;
  for (int row = 0; row < int(weights_.size()); ++row) {
    weights_[std::size_t(row)] = 1;
    table_->item(row, kWeightColumn)->setText("1");
  }
  filling_ = false;
  showProbabilities();
  Q_EMIT edited(weights_, variables_, classes_);
}

}  // namespace efm::ui

#include "widgets/comparison_panel.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/path_catalog.h"
#include "widgets/path_style.h"

namespace efm::ui {

namespace {
enum Column { Path = 0, Step, Loss, Kl, Columns };

QIcon swatch(const QColor& colour) {
  QPixmap pixmap(12, 12);
  pixmap.fill(colour);
  return QIcon(pixmap);
}
}  // namespace

ComparisonPanel::ComparisonPanel(QWidget* parent) : QWidget(parent) {
  auto* grid = new QGridLayout;
  int index = 0;
  for (const std::string& name : pathNames()) {
    const QString path = QString::fromStdString(name);
    auto* box = new QCheckBox(path);
    box->setIcon(swatch(pathColour(path)));
    box->setToolTip(pathDescription(path));
    box->setChecked(path == "ray" || path == "dirichlet" || path == "fisher");
    connect(box, &QCheckBox::toggled, this, [this] {
      if (stop_->isEnabled()) return;
      compare_->setEnabled(compare_->property("canStart").toBool() && checkedPaths().size() >= 2);
    });
    grid->addWidget(box, index / 3, index % 3);
    paths_.push_back(box);
    ++index;
  }
  compare_ = new QPushButton("Compare");
  compare_->setToolTip(
      "Train one run per checked path on the Training dock's data, network, optimizer, "
      "steps and seed, in turns of 'Preview every' steps, and overlay them");
  stop_ = new QPushButton("Stop");
  stop_->setToolTip("Stop every compared run after its current step (checkpoints are saved)");
  connect(compare_, &QPushButton::clicked, this, &ComparisonPanel::compareRequested);
  connect(stop_, &QPushButton::clicked, this, &ComparisonPanel::stopRequested);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(compare_);
  buttons->addWidget(stop_);

  table_ = new QTableWidget(0, Columns);
  table_->setHorizontalHeaderLabels({"path", "step", "loss", "KL"});
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setToolTip("Select a run to show its vector field and its samples in the other views");
  table_->setMinimumHeight(90);
  connect(table_, &QTableWidget::itemSelectionChanged, this,
          [this] { Q_EMIT focusChanged(focusedRun()); });

  status_ = new QLabel("Check two or more paths and press Compare.");
  status_->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(grid);
  layout->addLayout(buttons);
  layout->addWidget(table_, 1);
  layout->addWidget(status_);
  setRunning(false, true);
}

QStringList ComparisonPanel::checkedPaths() const {
  QStringList paths;
  for (QCheckBox* box : paths_)
    if (box->isChecked()) paths << box->text();
  return paths;
}

void ComparisonPanel::setCheckedPaths(const QStringList& paths) {
  for (QCheckBox* box : paths_) box->setChecked(paths.contains(box->text()));
}

void ComparisonPanel::setRuns(const QStringList& paths) {
  const QSignalBlocker block(table_);
  table_->setRowCount(int(paths.size()));
  for (int row = 0; row < paths.size(); ++row) {
    auto* name = new QTableWidgetItem(swatch(pathColour(paths[row])), paths[row]);
    name->setForeground(pathColour(paths[row]));
    name->setToolTip(pathDescription(paths[row]));
    table_->setItem(row, Path, name);
    for (int column = Step; column < Columns; ++column)
      table_->setItem(row, column, new QTableWidgetItem("–"));
  }
  if (!paths.isEmpty()) table_->selectRow(0);
}

void ComparisonPanel::showProgress(int run, const TrainStatus& status) {
  if (run < 0 || run >= table_->rowCount()) return;
  table_->item(run, Step)->setText(QString("%1 / %2").arg(status.step).arg(status.totalSteps));
  table_->item(run, Loss)->setText(QString::number(status.loss, 'g', 4));
}

void ComparisonPanel::showKl(int run, double kl) {
  if (run >= 0 && run < table_->rowCount())
    table_->item(run, Kl)->setText(QString::number(kl, 'g', 4));
}

void ComparisonPanel::showRunMessage(int run, const QString& text) {
  if (run < 0 || run >= table_->rowCount()) return;
  table_->item(run, Step)->setText(text);
  table_->item(run, Step)->setToolTip(text);
}

void ComparisonPanel::showMessage(const QString& text) { status_->setText(text); }

void ComparisonPanel::setRunning(bool running, bool canStart) {
  compare_->setProperty("canStart", canStart);
  compare_->setEnabled(!running && canStart && checkedPaths().size() >= 2);
  stop_->setEnabled(running);
  for (QCheckBox* box : paths_) box->setEnabled(!running);
}

int ComparisonPanel::focusedRun() const {
  const QList<QTableWidgetItem*> selected = table_->selectedItems();
  return selected.isEmpty() ? (table_->rowCount() > 0 ? 0 : -1) : selected.front()->row();
}

}  // namespace efm::ui

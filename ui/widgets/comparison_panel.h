#pragma once
// The Compare dock: which probability paths to train side by side on the Training dock's
// data and settings, the Compare and Stop buttons, and one row per compared run (its
// colour, step, loss and latest KL). Selecting a row focuses that run: its vector field in
// the simplex view, its samples in the meta-simplex and label-map views.

#include <QStringList>
#include <QWidget>
#include <vector>

#include "engine/studio_data.h"

class QCheckBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace efm::ui {

class ComparisonPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ComparisonPanel(QWidget* parent = nullptr);

  QStringList checkedPaths() const;
  void setCheckedPaths(const QStringList& paths);
  // One row per run, in the colour of its path.
  void setRuns(const QStringList& paths);
  void showProgress(int run, const TrainStatus& status);
  void showKl(int run, double kl);
  void showRunMessage(int run, const QString& text);  // e.g. why a run stopped
  void showMessage(const QString& text);
  // Buttons: a comparison is running; otherwise whether one may start (no single run).
  void setRunning(bool running, bool canStart);
  int focusedRun() const;  // -1 when there are no runs

  QPushButton* compareButton() const { return compare_; }
  QPushButton* stopButton() const { return stop_; }
  QTableWidget* table() const { return table_; }

 Q_SIGNALS:
  void compareRequested();
  void stopRequested();
  void focusChanged(int run);

 private:
  std::vector<QCheckBox*> paths_;
  QPushButton* compare_;
  QPushButton* stop_;
  QTableWidget* table_;
  QLabel* status_;
};

}  // namespace efm::ui

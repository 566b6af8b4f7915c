#pragma once
// The target table editor: every labeling of a small joint target (c^n cells) with its weight,
// editable, and its probability. An edit emits the whole table at once; the studio writes it
// as a pmf file and training continues on it (TrainingController::replaceData), so the
// meta-simplex's target point moves while the model follows.

#include <QWidget>
#include <cstdint>
#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;

namespace efm::ui {

class TargetTableEditor : public QWidget {
  Q_OBJECT
 public:
  // Tables with more cells than this are not listed (the painter edits n = 2 up to 32 x 32).
  static constexpr int64_t kMaxCells = 256;

  explicit TargetTableEditor(QWidget* parent = nullptr);

  // Shows `joint` (c^n weights, labelings in index order: node 0 the most significant digit);
  // an empty or too large table shows why it cannot be edited.
  void setTable(const std::vector<double>& joint, int64_t variables, int64_t classes);
  // Sets one labeling's weight as if typed (for scripts and tests); false if out of range.
  bool setWeight(int64_t labeling, double weight);

  const std::vector<double>& weights() const { return weights_; }
  int64_t variables() const { return variables_; }
  int64_t classes() const { return classes_; }
  QTableWidget* table() const { return table_; }
  QLabel* messageLabel() const { return message_; }

 Q_SIGNALS:
  // The table after an edit (not yet normalised).
  void edited(const std::vector<double>& weights, qint64 variables, qint64 classes);
  void openRequested();
  void saveRequested();

 private:
  void cellEdited(int row, int column);
  void showProbabilities();
  void uniform();

  QTableWidget* table_;
  QLabel* message_;
  QPushButton* uniform_;
  QPushButton* save_;
  std::vector<double> weights_;
  int64_t variables_ = 0, classes_ = 0;
  bool filling_ = false;  // itemChanged from setTable itself is not an edit
};

}  // namespace efm::ui

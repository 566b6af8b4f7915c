#pragma once
// The guided tour: five stages, each a view of the window and a paragraph on what it shows
// (a geodesic on a simplex, the ray path of one labeling, the flow of many, the meta-simplex
// and independence, sampled label maps), in a dock with Back, Next and Skip. It opens by
// itself on the studio's first start, can be skipped, and Help -> Guided tour reopens it.
// On toy data with no model yet it presses Start, so that the later stages have flows to show.

#include <QObject>
#include <QString>
#include <vector>

class QDockWidget;
class QLabel;
class QPushButton;

namespace efm::ui {

class MainWindow;

class GuidedTour : public QObject {
  Q_OBJECT
 public:
  struct Stage {
    QString name;  // for file names: "geodesic", "one-labeling", ...
    QString title;
    QString text;
  };

  explicit GuidedTour(MainWindow* window);

  static const std::vector<Stage>& stages();
  QDockWidget* dock() const { return dock_; }
  void open();  // from the first stage
  void showStage(int stage);
  void close();  // Skip or Done: hides it and remembers that the tour was seen
  int stage() const { return stage_; }
  bool isOpen() const;
  QPushButton* nextButton() const { return next_; }
  QPushButton* backButton() const { return back_; }
  QPushButton* skipButton() const { return skip_; }
  QLabel* textLabel() const { return text_; }

  // Whether the tour has been seen (or skipped) on this machine (QSettings "tourSeen").
  static bool seen();

 Q_SIGNALS:
  void stageShown(int stage);
  void closed();

 private:
  void arrangeWindow(int stage);  // the view and its settings for a stage

  MainWindow* window_;
  QDockWidget* dock_;
  QLabel* title_;
  QLabel* text_;
  QLabel* counter_;
  QPushButton* back_;
  QPushButton* next_;
  QPushButton* skip_;
  int stage_ = -1;
  int manyFlows_ = 0;  // the trajectory view's flow limit before stage 2 set it to 1
};

}  // namespace efm::ui

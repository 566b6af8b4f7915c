#pragma once
// The likelihood panel's picture, drawn with QPainter: above, a histogram of the bound on
// log p over the scored labelings; below, the first labelings one by one, each as a dot at
// its bound with an error bar of two standard errors either side.

#include <QColor>
#include <QWidget>
#include <vector>

namespace efm::ui {

class LikelihoodChart : public QWidget {
  Q_OBJECT
 public:
  explicit LikelihoodChart(QWidget* parent = nullptr);

  // Per labeling: log p (nats) and its standard error (NaN or infinite entries are left out).
  void setValues(std::vector<double> logLikelihood, std::vector<double> standardError);
  void clear();
  QSize sizeHint() const override { return QSize(360, 300); }

  static constexpr int kBins = 24;
  static constexpr int kLabelingsShown = 60;
  static QColor barColor() { return QColor(70, 120, 200); }
  static QColor errorBarColor() { return QColor(200, 70, 50); }
  // Labelings per bin of the histogram (for tests), over [minimum, maximum] of the values.
  std::vector<int> binCounts() const;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<double> values_, errors_;
};

}  // namespace efm::ui

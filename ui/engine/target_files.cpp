#include "engine/target_files.h"

#include <torch/torch.h>
#include <QDir>
#include <QStandardPaths>

#include "efm/io/table_files.h"

namespace efm::ui {

QString editedTargetFile(int64_t variables, int64_t classes) {
  const QString folder =
      QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/targets";
  QDir().mkpath(folder);
  return folder + QString("/edited-n%1-c%2.pmf").arg(variables).arg(classes);
}

QString writeTargetTable(const QString& file, const std::vector<double>& weights, int64_t variables,
                         int64_t classes) {
  const torch::Tensor table =
      torch::tensor(c10::ArrayRef<double>(weights.data(), weights.size()), torch::kFloat64);
  writePmfTable(file.toStdString(), table, variables, classes);
  return QString("pmf:%1?c=%2").arg(file).arg(classes);
}

}  // namespace efm::ui

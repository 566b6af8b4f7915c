#pragma once
// Targets edited in the studio, as pmf files (efm/io/table_files.h) that training reads like any
// other data: where the studio keeps the one being edited, and how a table is written.

#include <QString>
#include <cstdint>
#include <vector>

namespace efm::ui {

// The file the target being edited lives in: one per shape (n, c) in the studio's data
// folder, so a run's config.json keeps naming a table of its own shape.
QString editedTargetFile(int64_t variables, int64_t classes);

// Writes `weights` (c^n, labelings in index order) to `file` atomically and returns the SPEC
// that opens it ("pmf:FILE?c=C"). Throws efm::InputError naming the file and the problem.
QString writeTargetTable(const QString& file, const std::vector<double>& weights, int64_t variables,
                         int64_t classes);

}  // namespace efm::ui

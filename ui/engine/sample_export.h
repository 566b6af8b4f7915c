#pragma once
// Writes sampled labelings the way `efm sample` does (one labeling per line, CSV), so the
// studio's exports open in `efm eval` and anything that reads the core's files.

#include <string>

#include "engine/studio_data.h"

namespace efm::ui {

// Throws efm::InputError naming the file when it cannot be written.
void exportLabelings(const SampleSet& samples, const std::string& file);

}  // namespace efm::ui

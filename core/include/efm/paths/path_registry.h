#pragma once
// The one table of probability paths: each path's name, what it is, whether it is ours, its
// colour, the checks of its settings and its factory. The command line's choices, the
// studio's lists and legends, the benchmarks' plots and the configuration's validation all
// read this table.
#include "efm/paths/path_options.h"
#include "efm/paths/probability_path.h"

#include <string>
#include <string_view>
#include <vector>

namespace efm {

// A colour as plain numbers, no GUI library: each face turns it into its own colour type.
struct PathRgb {
  int r = 0, g = 0, b = 0;
};

struct PathKind {
  std::string name;         // "ray", the value of path.kind and --path
  std::string description;  // one line for --help, tooltips and the docs
  // An e-geodesic path (ours): the only ones with a likelihood and a settable t_end.
  bool ours;
  // The same in the studio (curves, flows, legends) and in the benchmarks' plots: ours warm
  // (ray red and drawn thickest, bridge orange), the peers cool or neutral.
  PathRgb colour;
  ProbabilityPathPtr (*make)(const PathOptions& options);
};

// Every path: ours first ("ray", the default, and "bridge"), then the peers.
const std::vector<PathKind>& pathKinds();
std::vector<std::string> pathNames();
// The path called `name`, or nullptr.
const PathKind* findPathKind(std::string_view name);
// The path called `name`; InputError listing the names otherwise.
const PathKind& pathKind(const std::string& name);
// True for the e-geodesic paths (ours).
bool isEGeodesicPath(const std::string& name);

// Checks every path setting; throws InputError naming the setting.
void checkPathOptions(const PathOptions& options);

// Builds the path named by options.kind; throws InputError for an unknown name.
ProbabilityPathPtr makeProbabilityPath(const PathOptions& options);

}  // namespace efm

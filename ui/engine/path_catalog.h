#pragma once
// What the widgets need to know about the probability paths of the core's registry
// (efm/paths/path_registry.h), as plain data: their names, descriptions, colours, which are
// ours, their time range and their own sampler (no LibTorch here).

#include <string>
#include <vector>

namespace efm::ui {

struct PathInfo {
  std::string name;
  std::string description;                 // one line, "ours: ..." or "peer: ..."
  int red = 110, green = 110, blue = 110;  // the path's colour in every face
  bool ours = false;     // an e-geodesic path (docs/METHOD.md 4); otherwise a peer (section 7)
  double timeStart = 0;  // the flow runs from timeStart to timeEnd (Dirichlet: alpha)
  double timeEnd = 1;
  std::string solver;  // the path's own sampler: "rk4", "euler", ...
  double step = 0.2;   // and its step
};

// The paths of the registry, ours first.
std::vector<std::string> pathNames();
// Throws efm::InputError for an unknown name.
PathInfo pathInfo(const std::string& name);
// Whether `name` is a path of the registry.
bool isPathName(const std::string& name);

}  // namespace efm::ui

#pragma once
// Plain data that crosses from the engine threads (which own LibTorch objects) to the GUI
// thread. No LibTorch here: Qt-facing code includes this header (docs/STACK.md, item 4).

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace efm::ui {

struct ModelSnapshot;  // engine/model_snapshot.h: a frozen copy of a network (LibTorch)
using SnapshotPtr = std::shared_ptr<const ModelSnapshot>;

struct TrainStatus {
  int64_t step = 0;
  int64_t totalSteps = 0;
  double loss = 0;
  double stepsPerSecond = 0;
  double etaSeconds = 0;
};

// Image data: the n nodes are the pixels of a height x width label map (row-major), and
// each class has a name and a display colour (efm/label_palette.h).
struct ImageInfo {
  int64_t height = 0;
  int64_t width = 0;
  std::vector<std::string> classNames;
  std::vector<std::array<uint8_t, 3>> classColours;
  bool isImage() const { return height > 0 && width > 0; }
};

// What the trajectory and meta-simplex views draw from one sampling run.
struct SampleSet {
  int64_t count = 0;                // S labelings
  int64_t variables = 0;            // n
  int64_t classes = 0;              // c
  int64_t modelStep = 0;            // training step of the model that drew them
  std::vector<double> times;        // T times of the trajectories (empty: none kept)
  std::vector<float> trajectories;  // [T][S][n][c] probabilities W(t)
  std::vector<float> endPoints;     // [S][n][c] W(t_end)
  std::vector<int64_t> labels;      // [S][n] read-out labelings
  // Compared with the data when its joint table is known.
  std::optional<double> klTargetModel;
  std::optional<double> totalVariation;
  std::optional<double> marginalKl;  // mean over nodes, when the data is open
  std::vector<double> modelJoint;    // c^n: mean over samples of the factorizing T(W_end)
  double seconds = 0;                // wall time of the sampling run
  ImageInfo image;                   // label-map shape of the model's data, if an image
  std::string path;                  // the probability path of the model ("ray", ...)
  int run = -1;                      // -1: the studio's single run; >= 0: a compared run
  // Conditional samples: each node's given label (-1 free; empty: nothing given), the
  // method ("replace" or "trained"), the class label (-1: none) and its guidance. The
  // comparison with the data is then with its exact conditional (klTargetModel, TV).
  std::vector<int64_t> given;
  std::vector<double> conditionalTarget;  // c^n: the exact p(x | given) (empty: not known)
  std::string conditioning;
  int64_t labelClass = -1;
  double guidance = 1;
  bool conditional() const { return !given.empty() || labelClass >= 0; }
};

// The learned vector field at one time on the grid points of a simplex view: every node is
// put at the grid point and dW/dt of node 1 is reported.
struct FieldSlice {
  double time = 0;
  int64_t classes = 0;
  std::vector<float> points;      // [G][c]
  std::vector<float> velocities;  // [G][c] tangent vectors (sum 0)
  int run = -1;                   // the run whose model it is (as SampleSet::run)
};

// What is known about the data, for the views: the exact joint (if small) and marginals.
struct DataSummary {
  std::string spec;
  std::string description;
  int64_t variables = 0;
  int64_t classes = 0;
  std::vector<double> joint;      // c^n, empty when unknown or too large
  std::vector<double> marginals;  // [n][c]
  ImageInfo image;                // label-map shape, if the data are images
  // Image data: a few labelings as training draws them (crops included), [count][n], so
  // that the data can be seen before any model exists.
  std::vector<int64_t> examples;
  int64_t exampleCount = 0;
  // Share of each class over all pixels and labelings (the mean of the marginals), [c];
  // empty when the marginals are unknown.
  std::vector<double> classFrequencies() const {
    if (variables <= 0 || classes <= 0 || int64_t(marginals.size()) != variables * classes)
      return {};
    std::vector<double> frequencies(size_t(classes), 0.0);
    for (int64_t node = 0; node < variables; ++node)
      for (int64_t k = 0; k < classes; ++k)
        frequencies[size_t(k)] += marginals[size_t(node * classes + k)] / double(variables);
    return frequencies;
  }
};

}  // namespace efm::ui

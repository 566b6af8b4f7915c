#pragma once
// What a data SPEC contains, for people (`efm data info`, the studio's data page): its shape,
// its size and its class statistics. Label maps too large to hold for training (Cityscapes at
// full resolution, 1024x2048) are read one at a time, so statistics exist at any scale.
#include "efm/data/dataset.h"

#include <optional>
#include <string>

namespace efm {

struct DataSummary {
  std::string description;       // as Dataset::description()
  int64_t variables = 0;         // n
  int64_t classes = 0;           // c
  std::optional<int64_t> count;  // as Dataset::count()
  bool jointTableKnown = false;  // whether Dataset::jointTable() has the table
  // The mean over the nodes of each node's class distribution, float64 [c].
  Tensor classFrequencies;
  // Each node's class distribution, float64 [n, c]: only when n * c is at most
  // SummaryOptions::maxMarginalEntries.
  std::optional<Tensor> marginals;
  ImageLayout image;                         // image data: the crop's shape and class set
  std::optional<ImageDataFacts> imageFacts;  // image data: the files behind it
  // The label maps were read one at a time (too many or too large to hold), so no training
  // dataset was built: a training run with this SPEC would be refused.
  bool streamed = false;
};

struct SummaryOptions {
  int64_t maxMarginalEntries = 100000;
  // Read label maps one at a time even where they would fit in memory (the two ways give the
  // same numbers; tests compare them).
  bool streamImages = false;
};

// Throws InputError naming the SPEC or file and the problem, like openDataset, except that
// image sizes beyond what training accepts are summarised instead of refused.
DataSummary summarizeData(const std::string& spec, const DataProgress& progress,
                          const SummaryOptions& options = {});

}  // namespace efm

#pragma once
// Discrete datasets: sources of labelings x in {0..c-1}^n (docs/METHOD.md section 8 toys and
// the user's own files). A dataset draws labelings with a caller-owned generator so that
// training is reproducible, and exposes what is known exactly about its distribution
// (the joint table when it is small enough, the per-node marginals always), which is what
// the metrics compare the model against.
#include "efm/base/image_layout.h"
#include "efm/data/labelings.h"

#include <torch/types.h>

#include <ATen/core/Generator.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace efm {

using torch::Tensor;

// Where the label maps of image data come from, for `efm data info` and people.
struct ImageDataFacts {
  int64_t images = 0;      // label maps held in memory
  int64_t fileHeight = 0;  // size of the files
  int64_t fileWidth = 0;
  int64_t height = 0;  // size after downscaling or padding: the crops are cut from these
  int64_t width = 0;
  std::string crops;  // how crops are placed: "random", "center" or "grid"
  // Pixels of the files whose value is outside the class table, read as the class that
  // means "nothing known" (Cityscapes: void, ignore or unlabeled).
  int64_t outOfTablePixels = 0;
};

// Progress of preparing a dataset (decoding and caching image files): `done` of `total`
// units of `stage`. Return false to cancel; openDataset then throws efm::Cancelled.
using DataProgress = std::function<bool(int64_t done, int64_t total, const std::string& stage)>;

class Dataset {
 public:
  virtual ~Dataset() = default;

  virtual int64_t variables() const = 0;  // n
  virtual int64_t classes() const = 0;    // c

  // `batch` labelings drawn i.i.d. from the data distribution: int64 [batch, n] on the CPU.
  virtual Tensor sample(int64_t batch, at::Generator& generator) const = 0;

  // Class labels of the items, as IDX labels files give them beside the images (Fashion-MNIST's
  // ten garment classes): how many there are; 0 when the data has none.
  virtual int64_t labelClasses() const { return 0; }
  // What sample() draws with the same generator, and each labeling's class label in
  // `classes` (int64 [batch]). Throws std::logic_error when labelClasses() is 0.
  virtual Tensor sampleLabelled(int64_t batch, at::Generator& generator, Tensor& classes) const;

  // Exact joint distribution as float64 [c^n], labelings in row-major order (a_1 slowest),
  // when it is known and c^n <= kMaxJointTableSize. Empirical datasets return the
  // empirical distribution of their items.
  virtual std::optional<Tensor> jointTable() const = 0;

  // Per-node class distribution, float64 [n, c] (exact, or empirical for item datasets).
  virtual Tensor marginals() const = 0;

  // Number of items for finite datasets (CSV of labelings), nullopt for distributions.
  virtual std::optional<int64_t> count() const { return std::nullopt; }

  // Items [first, first + number) of a finite dataset, in order, as int64 [number, n] on the
  // CPU: the lines of a CSV; for image data the crops of `center` and `grid` mode, or each
  // image's centre crop with `random` crops. nullopt for distributions. Throws
  // std::out_of_range unless 0 <= first <= first + number <= count().
  virtual std::optional<Tensor> items(int64_t first, int64_t number) const {
    (void)first;
    (void)number;
    return std::nullopt;
  }

  // One line for people: "coupled-binary (n=2, c=2)".
  virtual std::string description() const = 0;

  // The label-map shape for image data; !isImage() for everything else.
  virtual ImageLayout imageLayout() const { return {}; }
  // Image data only: the files behind it.
  virtual std::optional<ImageDataFacts> imageFacts() const { return std::nullopt; }
};

using DatasetPtr = std::shared_ptr<const Dataset>;

// Parses a data SPEC and builds the dataset. Throws InputError naming the SPEC or file
// and the problem. Supported (README.md, "Data SPECs"):
//   toy:coupled-binary
//   toy:pinwheel?c=91   toy:8gaussians?c=91   toy:checkerboard?c=32   (2 <= c <= 512)
//   toy:kscaling?K=160&n=4&seed=0
//   toy:dirichlet?n=3&c=4&alpha=0.3&seed=0
//   toy:dial?lambda=0.5&n=3&c=4&seed=0   (lambda in [0, 1]: product of marginals -> coupled)
//   csv:FILE[?c=K]   one labeling per line, n integers separated by commas/whitespace
//   pmf:FILE[?c=K]   each line n integer labels then a non-negative weight (normalised)
//   cityscapes:DIR?split=train&classes=categories&scale=0.125&crop=64x128&crops=random
//                  &strict=0   (or size=HxW instead of scale; crops=random|center|grid)
//   idx:FILE?levels=2&pad=32&limit=N   (FILE = fashion-mnist: the Debian package's copy)
DatasetPtr openDataset(const std::string& spec);
// The same, reporting progress while image files are decoded (and honouring a cancel).
DatasetPtr openDataset(const std::string& spec, const DataProgress& progress);

// Whether two SPECs name the same data: the same scheme, the same parameters in any order,
// and the same target, where a file or folder is compared by identity (one file reached by
// two paths is the same). Malformed SPECs are the same only when equal as text.
bool sameDataSpec(const std::string& first, const std::string& second);

}  // namespace efm

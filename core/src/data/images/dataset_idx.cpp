// idx:FILE — grey images in the IDX format of MNIST and Fashion-MNIST (plain or gzip),
// quantised to a few grey levels and padded to a square: each image is one labeling.
//
// IDX: bytes 0, 0, 0x08 (unsigned bytes), 3 (rank); three big-endian uint32 dimensions
// N, rows, columns; then N * rows * columns pixels, row-major.
#include "data/dataset_internal.h"
#include "data/images/image_crops_dataset.h"
#include "efm/base/errors.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <vector>

namespace efm::detail {
namespace {

// Where Debian's dataset-fashion-mnist package puts the training images.
constexpr const char* kFashionMnist =
    "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
// Its 10,000 test images: idx:fashion-mnist-test.
constexpr const char* kFashionMnistTest =
    "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
constexpr int64_t kMaxIdxSide = 1024;
constexpr unsigned kChunk = 1u << 22;

// A gzFile that closes itself; zlib reads plain files through the same calls.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : file_(gzopen(path.c_str(), "rb")) {}
  ~GzFile() {
    if (file_) gzclose(file_);
  }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;
  gzFile get() const { return file_; }

 private:
  gzFile file_;
};

class IdxReader {
 public:
  IdxReader(const std::string& path, const DataProgress& progress)
      : path_(path), progress_(progress), file_(path) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError("IDX file '" + path_ + "': " + problem);
  }

  // Reads exactly `size` bytes into `out` (or discards them when out is null); false at the
  // end of the data. Reports progress per chunk against `total` pixel bytes (0: the header,
  // not reported).
  bool read(uint8_t* out, int64_t size, int64_t total) {
    std::vector<uint8_t> scratch;
    while (size > 0) {
      const unsigned want = static_cast<unsigned>(std::min<int64_t>(size, kChunk));
      if (!out) scratch.resize(want);
      const int got = gzread(file_.get(), out ? out : scratch.data(), want);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_.get(), &code);
        fail(std::string("cannot decompress (") + (message ? message : "zlib error") +
             "; truncated or corrupt?)");
      }
      if (got == 0) return false;
      if (out) out += got;
      size -= got;
      if (total == 0) continue;  // the header: not part of the reported pixels
      done_ += got;
      if (progress_ && !progress_(done_, total, "reading " + path_)) throw Cancelled();
    }
    return true;
  }

  gzFile file() const { return file_.get(); }

 private:
  std::string path_;
  const DataProgress& progress_;
  GzFile file_;
  int64_t done_ = 0;
};

uint32_t bigEndian(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

// The labels file that belongs to an images file: MNIST's naming, "...-images-idx3-ubyte..."
// beside "...-labels-idx1-ubyte...". Empty when the name does not follow it.
std::string labelsFileFor(const std::string& images) {
  const std::string name = std::filesystem::path(images).filename().string();
  const std::string key = "images-idx3";
  const auto at = name.rfind(key);
  if (at == std::string::npos) return "";
  const std::string labels = name.substr(0, at) + "labels-idx1" + name.substr(at + key.size());
  return (std::filesystem::path(images).parent_path() / labels).string();
}

// The class labels of an idx1 file (rank 1, unsigned bytes); exactly `expected` of them.
std::vector<uint8_t> readIdxLabels(const std::string& path, int64_t expected,
                                   const DataProgress& progress) {
  IdxReader reader(path, progress);
  if (!reader.file()) reader.fail("cannot open");
  uint8_t header[8] = {0};
  if (!reader.read(header, 8, 0)) reader.fail("too short for an IDX labels header");
  if (header[0] != 0 || header[1] != 0 || header[2] != 0x08 || header[3] != 1)
    reader.fail("not an IDX labels file (expected unsigned bytes of rank 1, an idx1 file)");
  const int64_t count = bigEndian(header + 4);
  if (count != expected)
    reader.fail("holds " + std::to_string(count) + " labels for " + std::to_string(expected) +
                " images");
  std::vector<uint8_t> labels(static_cast<std::size_t>(count));
  if (!reader.read(labels.data(), count, 0))
    reader.fail("truncated: fewer than the " + std::to_string(count) + " labels it declares");
  return labels;
}

}  // namespace

DatasetPtr openIdxDataset(const DataSpec& spec, const DataProgress& progress) {
  const SpecParams params(spec, {"levels", "pad", "limit", "label"});
  const int64_t levels = params.integer("levels", 2, 2, 256);
  const auto pad = params.optionalInteger("pad", 1, kMaxIdxSide);
  const auto limit = params.optionalInteger("limit", 1, INT64_MAX);
  // label=K keeps the images of class K (read from the labels file beside the images).
  const auto label = params.optionalInteger("label", 0, 255);
  const bool fashionTest = spec.target == "fashion-mnist-test";
  const bool fashion = spec.target == "fashion-mnist" || fashionTest;
  const std::string path = fashionTest ? kFashionMnistTest : fashion ? kFashionMnist : spec.target;
  std::error_code error;
  if (!std::filesystem::exists(path, error))
    params.fail("cannot open IDX file '" + path + "': no such file" +
                (fashion ? " (install the Debian package dataset-fashion-mnist)" : ""));
  if (std::filesystem::is_directory(path, error))
    params.fail("'" + path + "' is a folder, not an IDX file");
  IdxReader reader(path, progress);
  if (!reader.file()) reader.fail("cannot open");

  uint8_t header[16] = {0};
  if (!reader.read(header, 4, 0)) reader.fail("empty or too short for an IDX header");
  if (header[0] != 0 || header[1] != 0)
    reader.fail("not an IDX file (it must start with two zero bytes)");
  if (header[2] != 0x08) {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02x", header[2]);
    reader.fail(std::string("holds elements of type ") + type +
                "; only unsigned bytes (0x08) are images");
  }
  if (header[3] != 3)
    reader.fail("holds a rank-" + std::to_string(header[3]) +
                " array; expected images [N, rows, columns] (an idx3 file, not labels)");
  if (!reader.read(header + 4, 12, 0)) reader.fail("truncated in the header");
  const int64_t stored = bigEndian(header + 4);
  const int64_t rows = bigEndian(header + 8), columns = bigEndian(header + 12);
  if (stored < 1) reader.fail("holds no images");
  if (rows < 1 || columns < 1 || rows > kMaxIdxSide || columns > kMaxIdxSide)
    reader.fail("images of " + std::to_string(rows) + "x" + std::to_string(columns) +
                " pixels; sides must be 1 to " + std::to_string(kMaxIdxSide));
  // Padding makes a square of pad x pad pixels; without it the images keep their shape.
  const int64_t height = pad.value_or(rows), width = pad.value_or(columns);
  if (height < rows || width < columns)
    params.fail("pad=" + std::to_string(*pad) + " is smaller than the images (" +
                std::to_string(rows) + "x" + std::to_string(columns) + ")");
  std::string labelsPath;
  if (label) {
    labelsPath = labelsFileFor(path);
    if (labelsPath.empty() || !std::filesystem::exists(labelsPath, error))
      params.fail("label=" + std::to_string(*label) + " needs the labels file beside '" + path +
                  "' (" +
                  (labelsPath.empty() ? "a name with labels-idx1 in place of images-idx3"
                                      : "'" + labelsPath + "'") +
                  ")");
  }
  // With a label filter every image is read first; limit=N then keeps the first N of the class.
  const int64_t count = label ? stored : std::min(stored, limit.value_or(stored));
  if (count * height * width > kMaxStoredLabelBytes)
    params.fail("more than 4 GiB of images; use limit=N");

  // The images in use, then the rest skipped: the file must hold every image it declares.
  // The buffer grows with the data actually read, so a short file whose header declares
  // gigabytes fails as truncated without allocating them first.
  const int64_t pixels = rows * columns;
  const int64_t total = stored * pixels, wanted = count * pixels;
  std::vector<uint8_t> raw;
  bool complete = true;
  for (int64_t done = 0; done < wanted && complete;) {
    const int64_t part = std::min<int64_t>(wanted - done, int64_t{64} << 20);
    raw.resize(static_cast<std::size_t>(done + part));
    complete = reader.read(raw.data() + done, part, total);
    done += part;
  }
  if (!complete || !reader.read(nullptr, (stored - count) * pixels, total))
    reader.fail("truncated: the header declares " + std::to_string(stored) + " images of " +
                std::to_string(rows) + "x" + std::to_string(columns) + " (" +
                std::to_string(total) + " bytes of pixels), the file holds fewer");
  uint8_t extra = 0;
  if (gzread(reader.file(), &extra, 1) > 0)
    reader.fail("has bytes after the " + std::to_string(stored) + " images it declares");

  // The class labels beside the images, when the file is there (Fashion-MNIST's are): for
  // label=K, and for class-conditional training (efm train --condition-on-class).
  if (!label) {
    const std::string beside = labelsFileFor(path);
    if (!beside.empty() && std::filesystem::exists(beside, error)) labelsPath = beside;
  }
  std::vector<uint8_t> labels;
  if (!labelsPath.empty()) labels = readIdxLabels(labelsPath, stored, progress);

  // The images kept: all of them, or those of the class asked for (the first `limit`).
  std::vector<int64_t> kept;
  if (label) {
    for (int64_t i = 0; i < stored && static_cast<int64_t>(kept.size()) < limit.value_or(stored);
         ++i)
      if (labels[static_cast<std::size_t>(i)] == *label) kept.push_back(i);
    if (kept.empty())
      params.fail("no image of class " + std::to_string(*label) + " in '" + labelsPath + "'");
  } else {
    for (int64_t i = 0; i < count; ++i) kept.push_back(i);
  }
  const auto keptCount = static_cast<int64_t>(kept.size());

  // Level floor(value * levels / 256): levels=2 is the threshold value / 255 >= 0.5.
  std::array<uint8_t, 256> level{};
  for (int v = 0; v < 256; ++v) level[v] = static_cast<uint8_t>((v * levels) / 256);
  Tensor images = torch::zeros({keptCount, height, width}, torch::kUInt8);
  uint8_t* out = images.data_ptr<uint8_t>();
  // Centred; an odd margin puts the extra row (column) at the bottom (right).
  const int64_t top = (height - rows) / 2, left = (width - columns) / 2;
  for (int64_t i = 0; i < keptCount; ++i)
    for (int64_t r = 0; r < rows; ++r) {
      const uint8_t* source = raw.data() + (kept[static_cast<std::size_t>(i)] * rows + r) * columns;
      uint8_t* target = out + (i * height + top + r) * width + left;
      for (int64_t c = 0; c < columns; ++c) target[c] = level[source[c]];
    }

  ImageDataFacts facts;
  facts.images = keptCount;
  facts.fileHeight = rows;
  facts.fileWidth = columns;
  facts.height = height;
  facts.width = width;
  facts.crops = cropModeName(CropMode::kCenter);
  const std::string padded =
      pad ? " padded to " + std::to_string(height) + "x" + std::to_string(width) : "";
  const std::string ofClass = label ? " of class " + std::to_string(*label) : "";
  const std::string description = "idx:" + spec.target + " (" + std::to_string(keptCount) +
                                  " images" + ofClass + " " + std::to_string(rows) + "x" +
                                  std::to_string(columns) + padded + ", " + std::to_string(levels) +
                                  " levels)";
  auto data = std::make_shared<ImageCropsDataset>(description, std::move(images), levels,
                                                  std::array<int64_t, 2>{height, width},
                                                  CropMode::kCenter, "levels", facts);
  if (!labels.empty()) {
    Tensor classes = torch::empty({keptCount}, torch::kLong);
    int64_t* out = classes.data_ptr<int64_t>();
    for (int64_t i = 0; i < keptCount; ++i)
      out[i] = labels[static_cast<std::size_t>(kept[static_cast<std::size_t>(i)])];
    // Every class the file uses, not only those of the images kept (limit=N, label=K).
    const int64_t largest = *std::max_element(labels.begin(), labels.end());
    data->setImageClasses(classes, largest + 1);
  }
  return data;
}

}  // namespace efm::detail

// cityscapes:DIR — the gtFine label maps of one split, mapped to a class set, downscaled by
// nearest neighbour, decoded once and cached, served as crops.
//
// Downscaling rule: an H x W label map becomes h x w, and target pixel (y, x) takes the source
// pixel (floor((y + 0.5) H / h), floor((x + 0.5) W / w)): the one under the target pixel's
// centre. Labels are never blended, so every class stays a class of the table.
#include "cityscapes_labels.h"
#include "dataset_internal.h"
#include "efm/errors.h"
#include "efm/png_io.h"
#include "efm/synthetic_streets.h"
#include "image_cache.h"
#include "image_crops_dataset.h"
#include "parallel_work.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <vector>

#include <unistd.h>

namespace efm::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuffix = "_gtFine_labelIds.png";
// Bounds that keep memory in check: the decoded maps of a split, and one crop.
constexpr int64_t kMaxStoredBytes = int64_t{1} << 32;
constexpr int64_t kMaxCropPixels = int64_t{1} << 20;
constexpr int64_t kMaxSide = 1 << 15;

struct LabelFile {
  std::string relative;  // CITY/NAME, the sort key
  std::string path;
  uintmax_t bytes = 0;
  int64_t modified = 0;  // file-clock ticks
};

struct Request {
  std::string root;  // DIR as given
  std::string split;
  CityscapesClassSet classes;
  bool strict;
  std::string splitFolder;  // DIR/gtFine/SPLIT
};

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string sizeText(int64_t height, int64_t width) {
  return std::to_string(height) + "x" + std::to_string(width);
}

// Every DIR/gtFine/SPLIT/CITY/*_gtFine_labelIds.png, sorted by CITY/NAME.
std::vector<LabelFile> listLabelFiles(const SpecParams& params, const Request& request) {
  std::error_code error;
  if (!fs::exists(request.root, error)) params.fail("folder '" + request.root + "' does not exist");
  if (!fs::is_directory(request.root, error))
    params.fail("'" + request.root + "' is not a folder (expected a Cityscapes root)");
  if (!fs::is_directory(request.splitFolder, error))
    params.fail("no folder 'gtFine/" + request.split + "' in '" + request.root +
                "' (expected DIR/gtFine/SPLIT/CITY/*" + kSuffix + ")");
  std::vector<LabelFile> files;
  auto check = [&](const std::string& where) {
    if (error) params.fail("cannot list '" + where + "': " + error.message());
  };
  fs::directory_iterator cities(request.splitFolder, error);
  check(request.splitFolder);
  for (const fs::directory_entry& city : cities) {
    if (!city.is_directory(error)) continue;
    fs::directory_iterator entries(city.path(), error);
    check(city.path().string());
    for (const fs::directory_entry& entry : entries) {
      const std::string name = entry.path().filename().string();
      if (!endsWith(name, kSuffix) || !entry.is_regular_file(error)) continue;
      LabelFile file;
      file.relative = city.path().filename().string() + "/" + name;
      file.path = entry.path().string();
      file.bytes = entry.file_size(error);
      check(file.path);
      file.modified = static_cast<int64_t>(entry.last_write_time(error).time_since_epoch().count());
      check(file.path);
      files.push_back(std::move(file));
    }
  }
  if (files.empty())
    params.fail("no *" + std::string(kSuffix) + " files in '" + request.splitFolder + "/*/'");
  std::sort(files.begin(), files.end(),
            [](const LabelFile& a, const LabelFile& b) { return a.relative < b.relative; });
  return files;
}

// Everything the decoded maps depend on; the cache file holds it verbatim.
std::string cacheKey(const Request& request, const std::vector<LabelFile>& files,
                     std::array<int64_t, 2> size) {
  std::ostringstream key;
  std::error_code error;
  const fs::path absolute = fs::absolute(request.root, error).lexically_normal();
  key << "efm cityscapes cache 1\n"
      << "root " << absolute.string() << "\nsplit " << request.split << "\nclasses "
      << classSetName(request.classes) << "\nsize " << sizeText(size[0], size[1]) << "\nstrict "
      << request.strict << "\nfiles " << files.size() << "\n";
  for (const LabelFile& file : files)
    key << file.relative << '\t' << file.bytes << '\t' << file.modified << '\n';
  return key.str();
}

// Source row (or column) of each target row: the one under the target pixel's centre.
std::vector<int64_t> nearestSource(int64_t source, int64_t target) {
  std::vector<int64_t> index(static_cast<std::size_t>(target));
  for (int64_t i = 0; i < target; ++i) index[i] = ((2 * i + 1) * source) / (2 * target);
  return index;
}

class Decoder {
 public:
  Decoder(const Request& request, const std::vector<LabelFile>& files,
          std::array<int64_t, 2> fileSize, std::array<int64_t, 2> size)
      : request_(request),
        files_(files),
        fileSize_(fileSize),
        rows_(nearestSource(fileSize[0], size[0])),
        columns_(nearestSource(fileSize[1], size[1])),
        lookup_(classLookup(request.classes)),
        images_(
            torch::empty({static_cast<int64_t>(files.size()), size[0], size[1]}, torch::kUInt8)) {}

  // One file into images_[index]; called from several threads for different indices.
  void decode(int64_t index) {
    const LabelFile& file = files_[static_cast<std::size_t>(index)];
    const Tensor labels = readLabelPng(file.path);
    if (labels.size(0) != fileSize_[0] || labels.size(1) != fileSize_[1])
      throw InputError("label map '" + file.path + "' is " +
                       sizeText(labels.size(0), labels.size(1)) + " pixels but '" +
                       files_.front().path + "' is " + sizeText(fileSize_[0], fileSize_[1]) +
                       "; all label maps of a split must have one size");
    const int32_t* ids = labels.data_ptr<int32_t>();
    const int64_t width = fileSize_[1];
    int64_t outside = 0;
    for (int64_t i = 0, count = labels.numel(); i < count; ++i) {
      if (ids[i] >= 0 && ids[i] < kCityscapesLabelCount) continue;
      if (request_.strict)
        throw InputError("label map '" + file.path + "' has label id " + std::to_string(ids[i]) +
                         " at row " + std::to_string(i / width) + ", column " +
                         std::to_string(i % width) +
                         ", outside the Cityscapes table 0..33 (strict=1)");
      ++outside;
    }
    outOfTable_ += outside;
    const int64_t h = static_cast<int64_t>(rows_.size()), w = static_cast<int64_t>(columns_.size());
    uint8_t* out = images_.data_ptr<uint8_t>() + index * h * w;
    for (int64_t y = 0; y < h; ++y) {
      const int32_t* source = ids + rows_[y] * width;
      for (int64_t x = 0; x < w; ++x) {
        const int32_t id = source[columns_[x]];
        *out++ = id >= 0 && id < 256 ? lookup_[id]
                                     : static_cast<uint8_t>(classOfLabelId(id, request_.classes));
      }
    }
  }

  CachedImages result() const { return {images_, outOfTable_.load()}; }

 private:
  const Request& request_;
  const std::vector<LabelFile>& files_;
  std::array<int64_t, 2> fileSize_;
  std::vector<int64_t> rows_;
  std::vector<int64_t> columns_;
  std::array<uint8_t, 256> lookup_;
  Tensor images_;
  std::atomic<int64_t> outOfTable_{0};
};

std::string classesText(CityscapesClassSet set) {
  switch (set) {
    case CityscapesClassSet::kCategories:
      return "8 categories";
    case CityscapesClassSet::kTrain:
      return "20 classes (19 train ids + ignore)";
    case CityscapesClassSet::kIds:
      return "34 label ids";
  }
  return "";
}

}  // namespace

// `cityscapes:synthetic`: the embedded street scenes, written once at Cityscapes' size into
// the cache folder (a folder per count and seed; a half-written one is never used, because it
// only gets its final name when complete).
std::string syntheticStreetsRoot(const SpecParams& params, const DataProgress& progress) {
  const int64_t count = params.integer("count", 200, 1, 100000);
  const uint64_t seed = params.seed("seed");
  const fs::path root = fs::path(cacheDirectory()) /
                        ("synthcity-" + std::to_string(count) + "-" + std::to_string(seed));
  std::error_code error;
  if (fs::is_directory(root / "gtFine", error)) return root.string();
  const fs::path partial = root.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(partial, error);
  writeSyntheticCityscapes(partial.string(), count, seed, {}, progress);
  fs::rename(partial, root, error);
  if (error && !fs::is_directory(root / "gtFine")) {
    fs::remove_all(partial, error);
    params.fail("cannot create the synthetic streets in '" + root.string() + "'");
  }
  fs::remove_all(partial, error);  // another process finished first
  return root.string();
}

DatasetPtr openCityscapesDataset(const DataSpec& spec, const DataProgress& progress) {
  const SpecParams params(
      spec, {"split", "classes", "scale", "size", "crop", "crops", "strict", "count", "seed"});
  Request request;
  const bool synthetic = spec.target == "synthetic";
  if (!synthetic && (params.has("count") || params.has("seed")))
    params.fail("count and seed apply only to cityscapes:synthetic (the embedded street scenes)");
  request.root = synthetic ? syntheticStreetsRoot(params, progress) : spec.target;
  request.split = params.choice("split", "train", {"train", "val", "test"});
  request.classes = *parseCityscapesClassSet(
      params.choice("classes", "categories", {"categories", "train", "ids"}));
  request.strict = params.integer("strict", 0, 0, 1) == 1;
  request.splitFolder = (fs::path(request.root) / "gtFine" / request.split).string();
  const CropMode mode = [&] {
    const std::string name = params.choice("crops", "random", {"random", "center", "grid"});
    return name == "center" ? CropMode::kCenter
           : name == "grid" ? CropMode::kGrid
                            : CropMode::kRandom;
  }();
  if (params.has("scale") && params.has("size")) params.fail("give scale or size, not both");
  const double scale = params.positiveReal("scale", 0.125, 1.0);
  const auto requestedSize = params.optionalSize("size", kMaxSide);
  const auto requestedCrop = params.optionalSize("crop", kMaxSide);

  const std::vector<LabelFile> files = listLabelFiles(params, request);
  const auto fileSize = readPngSize(files.front().path);
  std::array<int64_t, 2> size{};
  std::string sizeOrigin;
  if (requestedSize) {
    size = *requestedSize;
    if (size[0] > fileSize[0] || size[1] > fileSize[1])
      params.fail("size " + sizeText(size[0], size[1]) + " is larger than the label maps (" +
                  sizeText(fileSize[0], fileSize[1]) + "); only downscaling is supported");
    sizeOrigin = "size " + sizeText(size[0], size[1]);
  } else {
    for (int d = 0; d < 2; ++d)
      size[d] = std::max<int64_t>(1, std::llround(static_cast<double>(fileSize[d]) * scale));
    std::ostringstream text;
    text << "scale " << scale << " of " << sizeText(fileSize[0], fileSize[1]);
    sizeOrigin = text.str();
  }
  const std::array<int64_t, 2> crop = requestedCrop.value_or(size);
  if (crop[0] > size[0] || crop[1] > size[1])
    params.fail("crop " + sizeText(crop[0], crop[1]) + " is larger than the downscaled image " +
                sizeText(size[0], size[1]) + " (" + sizeOrigin + ")");
  if (crop[0] * crop[1] > kMaxCropPixels)
    params.fail("crop " + sizeText(crop[0], crop[1]) + " has more than " +
                std::to_string(kMaxCropPixels) + " pixels");
  const auto count = static_cast<int64_t>(files.size());
  if (count * size[0] * size[1] > kMaxStoredBytes)
    params.fail(std::to_string(count) + " label maps of " + sizeText(size[0], size[1]) +
                " need more than 4 GiB; choose a smaller scale or size");

  const std::string key = cacheKey(request, files, size);
  const std::string cache = cacheFile("cityscapes", key);
  std::optional<CachedImages> decoded = loadCachedImages(cache, key, count, size[0], size[1]);
  if (!decoded) {
    Decoder decoder(request, files, fileSize, size);
    runParallel(count, "decoding " + request.splitFolder, progress,
                [&](int64_t i) { decoder.decode(i); });
    decoded = decoder.result();
    storeCachedImages(cache, key, *decoded);
  }

  ImageDataFacts facts;
  facts.images = count;
  facts.fileHeight = fileSize[0];
  facts.fileWidth = fileSize[1];
  facts.height = size[0];
  facts.width = size[1];
  facts.crops = cropModeName(mode);
  facts.outOfTablePixels = decoded->outOfTablePixels;
  const std::string description = "cityscapes " + request.split + ", " + std::to_string(count) +
                                  " images " + sizeText(size[0], size[1]) + " -> crops " +
                                  sizeText(crop[0], crop[1]) + " (" + cropModeName(mode) + "), " +
                                  classesText(request.classes);
  return std::make_shared<ImageCropsDataset>(description, decoded->images,
                                             classCount(request.classes), crop, mode,
                                             classSetName(request.classes), facts);
}

}  // namespace efm::detail

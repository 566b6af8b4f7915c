// cityscapes:DIR — the gtFine label maps of one split, mapped to a class set, downscaled by
// nearest neighbour, decoded once and cached, served as crops.
//
// Downscaling rule: an H x W label map becomes h x w, and target pixel (y, x) takes the source
// pixel (floor((y + 0.5) H / h), floor((x + 0.5) W / w)): the one under the target pixel's
// centre. Labels are never blended, so every class stays a class of the table.
#include "data/dataset_internal.h"
#include "data/images/cityscapes_labels.h"
#include "data/images/image_cache.h"
#include "data/images/image_crops_dataset.h"
#include "data/parallel_work.h"
#include "efm/base/errors.h"
#include "efm/data/images/png_io.h"
#include "efm/data/images/synthetic_streets.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <vector>

#include <unistd.h>

namespace efm::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuffix = "_gtFine_labelIds.png";
// Bounds that keep memory in check: one crop, and a side (kMaxStoredLabelBytes: the split).
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

// Decodes label files into class maps of the target size; decode() may run on several
// threads at once.
class MapDecoder {
 public:
  MapDecoder(const Request& request, const std::vector<LabelFile>& files,
             std::array<int64_t, 2> fileSize, std::array<int64_t, 2> size)
      : request_(request),
        files_(files),
        fileSize_(fileSize),
        rows_(nearestSource(fileSize[0], size[0])),
        columns_(nearestSource(fileSize[1], size[1])),
        lookup_(classLookup(request.classes)) {}

  // File `index` into `out` (size[0] x size[1] class indices); returns the number of its
  // pixels outside the label table.
  int64_t decode(int64_t index, uint8_t* out) const {
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
    for (const int64_t sourceRow : rows_) {
      const int32_t* source = ids + sourceRow * width;
      for (const int64_t sourceColumn : columns_) {
        const int32_t id = source[sourceColumn];
        *out++ = id >= 0 && id < 256 ? lookup_[id]
                                     : static_cast<uint8_t>(classOfLabelId(id, request_.classes));
      }
    }
    return outside;
  }

 private:
  const Request& request_;
  const std::vector<LabelFile>& files_;
  std::array<int64_t, 2> fileSize_;
  std::vector<int64_t> rows_;
  std::vector<int64_t> columns_;
  std::array<uint8_t, 256> lookup_;
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

namespace {

// What a cityscapes SPEC asks for: the files, the sizes and the crops, before any limit.
struct Plan {
  Request request;
  std::vector<LabelFile> files;
  std::array<int64_t, 2> fileSize{}, size{}, crop{};
  CropMode mode = CropMode::kRandom;

  int64_t count() const { return static_cast<int64_t>(files.size()); }
  CropGeometry geometry() const { return {size[0], size[1], crop[0], crop[1], mode}; }
  std::string description() const {
    return "cityscapes " + request.split + ", " + std::to_string(count()) + " images " +
           sizeText(size[0], size[1]) + " -> crops " + sizeText(crop[0], crop[1]) + " (" +
           cropModeName(mode) + "), " + classesText(request.classes);
  }
  ImageDataFacts facts(int64_t outOfTablePixels) const {
    ImageDataFacts facts;
    facts.images = count();
    facts.fileHeight = fileSize[0];
    facts.fileWidth = fileSize[1];
    facts.height = size[0];
    facts.width = size[1];
    facts.crops = cropModeName(mode);
    facts.outOfTablePixels = outOfTablePixels;
    return facts;
  }
};

const std::vector<std::string> kParameters = {"split", "classes", "scale", "size", "crop",
                                              "crops", "strict",  "count", "seed"};

Plan planCityscapes(const DataSpec& spec, const SpecParams& params, const DataProgress& progress) {
  Plan plan;
  Request& request = plan.request;
  const bool synthetic = spec.target == "synthetic";
  if (!synthetic && (params.has("count") || params.has("seed")))
    params.fail("count and seed apply only to cityscapes:synthetic (the embedded street scenes)");
  request.root = synthetic ? syntheticStreetsRoot(params, progress) : spec.target;
  request.split = params.choice("split", "train", {"train", "val", "test"});
  request.classes = *parseCityscapesClassSet(
      params.choice("classes", "categories", {"categories", "train", "ids"}));
  request.strict = params.integer("strict", 0, 0, 1) == 1;
  request.splitFolder = (fs::path(request.root) / "gtFine" / request.split).string();
  const std::string modeName = params.choice("crops", "random", {"random", "center", "grid"});
  plan.mode = modeName == "center" ? CropMode::kCenter
              : modeName == "grid" ? CropMode::kGrid
                                   : CropMode::kRandom;
  if (params.has("scale") && params.has("size")) params.fail("give scale or size, not both");
  const double scale = params.positiveReal("scale", 0.125, 1.0);
  const auto requestedSize = params.optionalSize("size", kMaxSide);
  const auto requestedCrop = params.optionalSize("crop", kMaxSide);

  plan.files = listLabelFiles(params, request);
  plan.fileSize = readPngSize(plan.files.front().path);
  std::array<int64_t, 2>& size = plan.size;
  std::string sizeOrigin;
  if (requestedSize) {
    size = *requestedSize;
    if (size[0] > plan.fileSize[0] || size[1] > plan.fileSize[1])
      params.fail("size " + sizeText(size[0], size[1]) + " is larger than the label maps (" +
                  sizeText(plan.fileSize[0], plan.fileSize[1]) +
                  "); only downscaling is supported");
    sizeOrigin = "size " + sizeText(size[0], size[1]);
  } else {
    for (int d = 0; d < 2; ++d)
      size[d] = std::max<int64_t>(1, std::llround(static_cast<double>(plan.fileSize[d]) * scale));
    std::ostringstream text;
    text << "scale " << scale << " of " << sizeText(plan.fileSize[0], plan.fileSize[1]);
    sizeOrigin = text.str();
  }
  plan.crop = requestedCrop.value_or(size);
  if (plan.crop[0] > size[0] || plan.crop[1] > size[1])
    params.fail("crop " + sizeText(plan.crop[0], plan.crop[1]) +
                " is larger than the downscaled image " + sizeText(size[0], size[1]) + " (" +
                sizeOrigin + ")");
  return plan;
}

// Why a training dataset of this plan would not fit (one crop, the maps held), or "".
std::string trainingLimitProblem(const Plan& plan) {
  const auto& crop = plan.crop;
  const auto& size = plan.size;
  if (crop[0] * crop[1] > kMaxCropPixels)
    return "crop " + sizeText(crop[0], crop[1]) + " has more than " +
           std::to_string(kMaxCropPixels) +
           " pixels, the most a training crop may have (choose a smaller crop, scale or size)";
  if (plan.count() * size[0] * size[1] > kMaxStoredLabelBytes)
    return std::to_string(plan.count()) + " label maps of " + sizeText(size[0], size[1]) +
           " need more than 4 GiB; choose a smaller scale or size";
  return "";
}

}  // namespace

DatasetPtr openCityscapesDataset(const DataSpec& spec, const DataProgress& progress) {
  const SpecParams params(spec, kParameters);
  const Plan plan = planCityscapes(spec, params, progress);
  if (const std::string problem = trainingLimitProblem(plan); !problem.empty())
    params.fail(problem);

  const std::string key = cacheKey(plan.request, plan.files, plan.size);
  const std::string cache = cacheFile("cityscapes", key);
  const int64_t count = plan.count(), pixels = plan.size[0] * plan.size[1];
  std::optional<CachedImages> decoded =
      loadCachedImages(cache, key, count, plan.size[0], plan.size[1]);
  if (!decoded) {
    const MapDecoder decoder(plan.request, plan.files, plan.fileSize, plan.size);
    Tensor images = torch::empty({count, plan.size[0], plan.size[1]}, torch::kUInt8);
    std::atomic<int64_t> outside{0};
    runParallel(count, "decoding " + plan.request.splitFolder, progress, [&](int64_t i) {
      outside += decoder.decode(i, images.data_ptr<uint8_t>() + i * pixels);
    });
    decoded = CachedImages{images, outside.load()};
    storeCachedImages(cache, key, *decoded);
  }
  return std::make_shared<ImageCropsDataset>(
      plan.description(), decoded->images, classCount(plan.request.classes), plan.crop, plan.mode,
      classSetName(plan.request.classes), plan.facts(decoded->outOfTablePixels));
}

DataSummary summarizeCityscapes(const DataSpec& spec, const DataProgress& progress,
                                const SummaryOptions& options) {
  const SpecParams params(spec, kParameters);
  const Plan plan = planCityscapes(spec, params, progress);
  if (!options.streamImages && trainingLimitProblem(plan).empty())
    return summarizeDataset(*openCityscapesDataset(spec, progress), options);

  // One map at a time through the statistics: memory for a map per thread, plus per-pixel
  // counters only when the per-node marginals are asked for.
  const int64_t classes = classCount(plan.request.classes);
  const CropGeometry geometry = plan.geometry();
  const bool perNode = geometry.nodes() * classes <= options.maxMarginalEntries;
  CropStatistics statistics(geometry, classes, perNode);
  const MapDecoder decoder(plan.request, plan.files, plan.fileSize, plan.size);
  std::mutex adding;
  int64_t outside = 0;
  runParallel(plan.count(), "reading " + plan.request.splitFolder, progress, [&](int64_t i) {
    std::vector<uint8_t> map(static_cast<std::size_t>(plan.size[0] * plan.size[1]));
    const int64_t mapOutside = decoder.decode(i, map.data());
    const std::lock_guard<std::mutex> lock(adding);
    statistics.add(map.data());
    outside += mapOutside;
  });

  DataSummary summary;
  summary.description = plan.description();
  summary.variables = geometry.nodes();
  summary.classes = classes;
  const int64_t placements = plan.count() * geometry.placementsPerMap();
  summary.count = plan.mode == CropMode::kRandom ? plan.count() : placements;
  summary.jointTableKnown =
      jointTableSize(geometry.nodes(), classes).has_value() && placements <= kMaxEnumeratedCrops;
  summary.classFrequencies = statistics.classFrequencies();
  if (perNode) summary.marginals = statistics.marginals();
  summary.image = {plan.crop[0], plan.crop[1], classSetName(plan.request.classes)};
  summary.imageFacts = plan.facts(outside);
  summary.streamed = true;
  return summary;
}

}  // namespace efm::detail

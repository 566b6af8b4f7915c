#pragma once
// Folders and files for the image-data tests: a temporary folder, a private dataset cache,
// Cityscapes-layout label files, IDX files, raw file bytes and a seeded CPU generator.
#include "efm/data/images/png_io.h"
#include "tensor_checks.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace efm_test {

namespace fs = std::filesystem;

// A fresh folder in the temporary directory, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("efm_test_images_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

// Points the dataset cache at a private folder for the lifetime of the object.
class CacheDir {
 public:
  CacheDir() { ::setenv("EFM_CACHE_DIR", (dir_ / "cache").c_str(), 1); }
  ~CacheDir() { ::unsetenv("EFM_CACHE_DIR"); }
  fs::path path() const { return dir_ / "cache"; }

 private:
  TempDir dir_;
};

// Writes ROOT/gtFine/SPLIT/CITY/NAME_gtFine_labelIds.png.
inline fs::path writeLabelIds(const fs::path& root, const std::string& split,
                              const std::string& city, const std::string& name,
                              const torch::Tensor& ids) {
  const fs::path folder = root / "gtFine" / split / city;
  fs::create_directories(folder);
  const fs::path file = folder / (name + "_gtFine_labelIds.png");
  efm::writeLabelPng(file.string(), ids);
  return file;
}

// A file's whole contents, written and read as raw bytes.
inline void writeBytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

inline std::string readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The header of an IDX file of unsigned bytes with these dimensions (rank = their number).
inline std::string idxHeader(const std::vector<uint32_t>& dims) {
  std::string out = {0, 0, 8, static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((d >> shift) & 255));
  return out;
}

// An IDX labels file (idx1): one byte per image.
inline std::string idxLabelsBytes(const std::vector<uint8_t>& labels) {
  std::string out = idxHeader({static_cast<uint32_t>(labels.size())});
  out.append(labels.begin(), labels.end());
  return out;
}

}  // namespace efm_test

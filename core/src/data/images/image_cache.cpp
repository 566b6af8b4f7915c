// The cache file: magic, key, shape, out-of-table count, pixel checksum, pixels. Native byte
// order: a cache is a per-machine file, and a foreign one fails the checks and is rebuilt.
#include "data/images/image_cache.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace efm::detail {
namespace {

constexpr char kMagic[8] = {'E', 'F', 'M', 'I', 'M', 'G', '0', '1'};
// A key longer than this is not ours (the list of 2975 Cityscapes files is about 250 kB).
constexpr uint64_t kMaxKeyLength = uint64_t{1} << 26;

struct Header {
  char magic[8];
  uint64_t keyLength;
  int64_t images, height, width;
  int64_t outOfTablePixels;
  uint64_t checksum;
};

uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char ch : text) hash = (hash ^ ch) * 0x100000001b3ull;
  return hash;
}

// Eight bytes per step: fast enough for 100 MB, and any changed byte changes the result.
uint64_t checksum(const uint8_t* data, int64_t size) {
  uint64_t hash = 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(size);
  int64_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, data + i, 8);
    hash = (hash ^ word) * 0xff51afd7ed558ccdull;
    hash ^= hash >> 29;
  }
  for (; i < size; ++i) hash = (hash ^ data[i]) * 0x100000001b3ull;
  return hash;
}

bool writeAll(int fd, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd, bytes, size);
    if (written <= 0) return false;
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

}  // namespace

std::string cacheDirectory() {
  namespace fs = std::filesystem;
  auto nonEmpty = [](const char* name) -> const char* {
    const char* value = std::getenv(name);
    return value && *value ? value : nullptr;
  };
  if (const char* dir = nonEmpty("EFM_CACHE_DIR")) return dir;
  if (const char* dir = nonEmpty("XDG_CACHE_HOME")) return (fs::path(dir) / "efm").string();
  if (const char* home = nonEmpty("HOME")) return (fs::path(home) / ".cache" / "efm").string();
  return "";
}

std::string cacheFile(const std::string& prefix, const std::string& key) {
  const std::string dir = cacheDirectory();
  if (dir.empty()) return "";
  char name[32];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(fnv1a(key)));
  return (std::filesystem::path(dir) / (prefix + "-" + name + ".u8")).string();
}

std::optional<CachedImages> loadCachedImages(const std::string& file, const std::string& key,
                                             int64_t images, int64_t height, int64_t width) {
  if (file.empty()) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  Header header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof header)) return std::nullopt;
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0 || header.keyLength != key.size() ||
      header.keyLength > kMaxKeyLength || header.images != images || header.height != height ||
      header.width != width || header.outOfTablePixels < 0)
    return std::nullopt;
  std::string stored(key.size(), '\0');
  if (!in.read(stored.data(), static_cast<std::streamsize>(stored.size())) || stored != key)
    return std::nullopt;
  CachedImages cached;
  cached.outOfTablePixels = header.outOfTablePixels;
  cached.images = torch::empty({images, height, width}, torch::kUInt8);
  const int64_t bytes = cached.images.numel();
  auto* data = cached.images.data_ptr<uint8_t>();
  if (!in.read(reinterpret_cast<char*>(data), static_cast<std::streamsize>(bytes)))
    return std::nullopt;
  if (in.peek() != std::char_traits<char>::eof()) return std::nullopt;  // trailing bytes
  if (checksum(data, bytes) != header.checksum) return std::nullopt;
  return cached;
}

bool storeCachedImages(const std::string& file, const std::string& key,
                       const CachedImages& cached) {
  namespace fs = std::filesystem;
  if (file.empty()) return false;
  std::error_code error;
  fs::create_directories(fs::path(file).parent_path(), error);
  const Tensor images = cached.images.contiguous();
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.keyLength = key.size();
  header.images = images.size(0);
  header.height = images.size(1);
  header.width = images.size(2);
  header.outOfTablePixels = cached.outOfTablePixels;
  header.checksum = checksum(images.data_ptr<uint8_t>(), images.numel());
  // A unique temporary name: two processes filling the same cache never mix their bytes.
  const std::string temporary =
      file + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(std::random_device{}());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool written =
      writeAll(fd, &header, sizeof header) && writeAll(fd, key.data(), key.size()) &&
      writeAll(fd, images.data_ptr<uint8_t>(), static_cast<std::size_t>(images.numel())) &&
      ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || std::rename(temporary.c_str(), file.c_str()) != 0) {
    fs::remove(temporary, error);
    return false;
  }
  return true;
}

}  // namespace efm::detail

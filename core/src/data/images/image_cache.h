#pragma once
// Private: an on-disk cache of decoded label maps (uint8 [M, h, w] of class indices), so that
// a dataset of thousands of PNGs is decoded once. A cache file holds its full key (what was
// decoded, from which files, with which sizes and modification times) and a checksum of the
// pixels: a file whose key differs, that is cut short or corrupt is ignored and rebuilt.
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace efm::detail {

using torch::Tensor;

struct CachedImages {
  Tensor images;  // uint8 [M, h, w]
  int64_t outOfTablePixels = 0;
};

// $EFM_CACHE_DIR, else $XDG_CACHE_HOME/efm, else $HOME/.cache/efm; "" when none is set.
std::string cacheDirectory();

// The cache file for `key` in cacheDirectory(): "PREFIX-<16 hex digits of a hash of key>.u8",
// or "" when there is no cache directory.
std::string cacheFile(const std::string& prefix, const std::string& key);

// The cached images when `file` exists, holds exactly `key`, the shape [M, h, w] and intact
// pixels; nullopt otherwise (never throws for a bad file).
std::optional<CachedImages> loadCachedImages(const std::string& file, const std::string& key,
                                             int64_t images, int64_t height, int64_t width);

// Writes the cache atomically (temporary file, fsync, rename). Best effort: returns false when
// it could not (a read-only home, a full disk); the data is still usable.
bool storeCachedImages(const std::string& file, const std::string& key, const CachedImages& cached);

}  // namespace efm::detail

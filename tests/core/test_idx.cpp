// The idx: dataset: quantised, padded images from plain and gzip IDX files, and errors.
#include "efm/base/errors.h"
#include "efm/data/dataset.h"
#include "image_fixtures.h"
#include "input_errors.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Catch::Contains;
using efm_test::generator;
using efm_test::readBytes;
using efm_test::TempDir;
using efm_test::writeBytes;

// An IDX file of `images` images of rows x columns pixels, pixel i of the file = values[i].
std::string idxBytes(uint32_t images, uint32_t rows, uint32_t columns,
                     const std::vector<uint8_t>& values) {
  std::string out = {0, 0, 8, 3};
  for (uint32_t d : {images, rows, columns})
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((d >> shift) & 255));
  out.append(values.begin(), values.end());
  return out;
}

void writeGzip(const fs::path& file, const std::string& bytes) {
  gzFile out = gzopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  REQUIRE(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(out) == Z_OK);
}

}  // namespace

TEST_CASE("idx: quantised, padded images from plain and gzip files", "[images]") {
  TempDir dir;
  // Three 2 x 3 images.
  const std::vector<uint8_t> pixels = {0,   127, 128, 255, 64,  200,  // image 0
                                       255, 255, 255, 0,   0,   0,    // image 1
                                       10,  20,  130, 140, 250, 5};   // image 2
  const std::string bytes = idxBytes(3, 2, 3, pixels);
  writeBytes(dir / "plain.idx", bytes);
  writeGzip(dir / "packed.idx.gz", bytes);
  for (const std::string name : {"plain.idx", "packed.idx.gz"}) {
    INFO(name);
    const auto data = efm::openDataset("idx:" + (dir / name).string() + "?pad=4");
    CHECK(data->variables() == 16);
    CHECK(data->classes() == 2);
    CHECK(data->count() == 3);
    CHECK(data->imageLayout().height == 4);
    CHECK(data->imageLayout().classSet == "levels");
    CHECK(data->imageFacts()->fileHeight == 2);
    // 16 binary pixels and 3 items: the empirical joint table names each image exactly.
    const auto table = data->jointTable().value();
    for (int image = 0; image < 3; ++image) {
      // Padded: row 0 and row 3 empty, the image in rows 1..2, columns 0..2 (left pad 0).
      int64_t index = 0;
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) {
          int bit = 0;
          if (r >= 1 && r <= 2 && c <= 2) bit = pixels[image * 6 + (r - 1) * 3 + c] >= 128;
          index = index * 2 + bit;
        }
      CHECK(table[index].item<double>() == Approx(1.0 / 3));
    }
  }
  // Four levels: floor(value * 4 / 256); no padding by default.
  const auto four = efm::openDataset("idx:" + (dir / "plain.idx").string() + "?levels=4&limit=1");
  CHECK(four->count() == 1);
  CHECK(four->imageLayout().width == 3);
  auto g = generator(0);
  CHECK(torch::equal(four->sample(1, g), torch::tensor({{0, 1, 2, 3, 1, 3}}, torch::kLong)));

  int reports = 0;
  efm::openDataset("idx:" + (dir / "packed.idx.gz").string(),
                   [&](int64_t done, int64_t total, const std::string& stage) {
                     ++reports;
                     CHECK(done <= total);
                     CHECK(total == 18);
                     CHECK_THAT(stage, Contains("reading") && Contains("packed.idx.gz"));
                     return true;
                   });
  CHECK(reports >= 1);
  CHECK_THROWS_AS(efm::openDataset("idx:" + (dir / "plain.idx").string(),
                                   [](int64_t, int64_t, const std::string&) { return false; }),
                  efm::Cancelled);

  // Errors name the file.
  writeBytes(dir / "short.idx", bytes.substr(0, bytes.size() - 4));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "short.idx").string()),
             Contains("short.idx") && Contains("truncated"));
  writeGzip(dir / "short.idx.gz", bytes.substr(0, bytes.size() - 4));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "short.idx.gz").string()),
             Contains("short.idx.gz") && Contains("truncated"));
  const std::string gz = readBytes(dir / "packed.idx.gz");
  writeBytes(dir / "cut.idx.gz", gz.substr(0, gz.size() - 12));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "cut.idx.gz").string()), Contains("cut.idx.gz"));
  std::string labels = bytes;
  labels[3] = 1;
  writeBytes(dir / "labels.idx", labels);
  CHECK_THAT(specErrorMessage("idx:" + (dir / "labels.idx").string()),
             Contains("labels.idx") && Contains("rank-1"));
  writeBytes(dir / "text.idx", "hello world, not idx");
  CHECK_THAT(specErrorMessage("idx:" + (dir / "text.idx").string()), Contains("text.idx"));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "plain.idx").string() + "?pad=2"),
             Contains("pad=2") && Contains("smaller"));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "plain.idx").string() + "?levels=1"),
             Contains("levels"));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "none.idx").string()), Contains("none.idx"));
}

TEST_CASE("idx:fashion-mnist, the Debian package's training images", "[images]") {
  const char* file = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
  if (!fs::exists(file)) {
    WARN("dataset-fashion-mnist is not installed; skipped");
    return;
  }
  const auto data = efm::openDataset("idx:fashion-mnist?pad=32");
  CHECK(data->count() == 60000);
  CHECK(data->variables() == 1024);
  CHECK(data->classes() == 2);
  const auto marginals = data->marginals();
  // The padding (2 pixels on each side) is always background; the centre mostly is not.
  CHECK(marginals[0][0].item<double>() == 1.0);
  CHECK(marginals[16 * 32 + 16][1].item<double>() > 0.3);
}

// Finite datasets' items in order (what `efm likelihood` scores), and the idx: label filter
// (label=K, read from the labels file beside the images).
#include "input_errors.h"

#include "efm/data/dataset.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "image_fixtures.h"
#include "scratch_directory.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Catch::Contains;
using efm_test::freshDirectory;
using efm_test::writeBytes;
using torch::Tensor;

namespace {

// Image k (2 x 2 pixels) is black except pixel k % 4, which is white: easy to recognise.
std::string imagesBytes(uint32_t images) {
  std::string out = efm_test::idxHeader({images, 2, 2});
  for (uint32_t k = 0; k < images; ++k)
    for (uint32_t p = 0; p < 4; ++p) out.push_back(static_cast<char>(p == k % 4 ? 255 : 0));
  return out;
}

// The labeling of image k: one white pixel at k % 4.
std::vector<int64_t> imageLabeling(int64_t k) {
  std::vector<int64_t> out(4, 0);
  out[static_cast<std::size_t>(k % 4)] = 1;
  return out;
}

std::vector<int64_t> row(const Tensor& items, int64_t i) {
  const Tensor r = items[i].contiguous();
  return std::vector<int64_t>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
}

}  // namespace

TEST_CASE("items(): CSV lines in order, and distributions have none", "[data]") {
  const fs::path dir = freshDirectory("items");
  std::ofstream(dir / "items.csv") << "0,1,2\n2,2,0\n1,0,1\n";
  const efm::DatasetPtr csv = efm::openDataset("csv:" + (dir / "items.csv").string());
  const auto all = csv->items(0, 3);
  REQUIRE(all);
  CHECK(torch::equal(*all, torch::tensor({0, 1, 2, 2, 2, 0, 1, 0, 1}, torch::kLong).view({3, 3})));
  const auto tail = csv->items(1, 2);
  REQUIRE(tail);
  CHECK(row(*tail, 0) == std::vector<int64_t>{2, 2, 0});
  CHECK_THROWS_AS(csv->items(2, 2), std::out_of_range);
  CHECK_FALSE(efm::openDataset("toy:coupled-binary")->items(0, 1));
}

TEST_CASE("idx: label=K keeps the images of class K, in order, limit after the filter", "[data]") {
  const fs::path dir = freshDirectory("idx-labels");
  const std::vector<uint8_t> labels = {3, 1, 3, 0, 3, 1, 3};
  writeBytes(dir / "set-images-idx3-ubyte", imagesBytes(7));
  writeBytes(dir / "set-labels-idx1-ubyte", efm_test::idxLabelsBytes(labels));
  const std::string images = "idx:" + (dir / "set-images-idx3-ubyte").string();

  const efm::DatasetPtr threes = efm::openDataset(images + "?label=3");
  REQUIRE(threes->count() == 4);
  const auto items = threes->items(0, 4);
  REQUIRE(items);
  const std::vector<int64_t> expected = {0, 2, 4, 6};  // the images labelled 3
  for (int64_t i = 0; i < 4; ++i) CHECK(row(*items, i) == imageLabeling(expected[i]));
  CHECK_THAT(threes->description(), Contains("4 images of class 3"));

  const efm::DatasetPtr limited = efm::openDataset(images + "?label=3&limit=2");
  REQUIRE(limited->count() == 2);
  CHECK(row(*limited->items(1, 1), 0) == imageLabeling(2));

  const efm::DatasetPtr ones = efm::openDataset(images + "?label=1&pad=4");
  REQUIRE(ones->count() == 2);
  CHECK(ones->variables() == 16);

  // Without the filter every image, in file order.
  const efm::DatasetPtr every = efm::openDataset(images);
  REQUIRE(every->count() == 7);
  CHECK(row(*every->items(5, 1), 0) == imageLabeling(5));

  CHECK_THAT(specErrorMessage(images + "?label=7"), Contains("no image of class 7"));
  CHECK_THAT(specErrorMessage(images + "?label=256"), Contains("label"));
  writeBytes(dir / "lonely.idx", imagesBytes(3));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "lonely.idx").string() + "?label=0"),
             Contains("labels file") && Contains("lonely.idx"));
  writeBytes(dir / "short-images-idx3-ubyte", imagesBytes(3));
  writeBytes(dir / "short-labels-idx1-ubyte", efm_test::idxLabelsBytes({0, 1}));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "short-images-idx3-ubyte").string() + "?label=0"),
             Contains("2 labels for 3 images"));
  writeBytes(dir / "wrong-images-idx3-ubyte", imagesBytes(2));
  writeBytes(dir / "wrong-labels-idx1-ubyte", imagesBytes(2));
  CHECK_THAT(specErrorMessage("idx:" + (dir / "wrong-images-idx3-ubyte").string() + "?label=0"),
             Contains("not an IDX labels file"));
}

TEST_CASE("idx: class labels beside the images come with every crop", "[data]") {
  const fs::path dir = freshDirectory("idx-classes");
  // Image k has its white pixel at k % 4; the labels make that pixel tell the class.
  const std::vector<uint8_t> labels = {3, 1, 3, 0, 3, 1, 3};
  const std::vector<int64_t> classOfPixel = {3, 1, 3, 0};
  writeBytes(dir / "set-images-idx3-ubyte", imagesBytes(7));
  writeBytes(dir / "set-labels-idx1-ubyte", efm_test::idxLabelsBytes(labels));
  const efm::DatasetPtr data = efm::openDataset("idx:" + (dir / "set-images-idx3-ubyte").string());
  CHECK(data->labelClasses() == 4);
  auto first = efm_test::generator(3), second = efm_test::generator(3);
  Tensor classes;
  const Tensor drawn = data->sampleLabelled(300, first, classes);
  CHECK(torch::equal(drawn, data->sample(300, second)));  // the same draws as sample()
  REQUIRE(classes.sizes() == torch::IntArrayRef{300});
  for (int64_t b = 0; b < 300; ++b)
    CHECK(classes[b].item<int64_t>() == classOfPixel[drawn[b].argmax().item<int64_t>()]);
  // label=K keeps the file's classes; a file without labels beside it has none.
  CHECK(efm::openDataset("idx:" + (dir / "set-images-idx3-ubyte").string() + "?label=1")
            ->labelClasses() == 4);
  writeBytes(dir / "lonely.idx", imagesBytes(3));
  const efm::DatasetPtr lonely = efm::openDataset("idx:" + (dir / "lonely.idx").string());
  CHECK(lonely->labelClasses() == 0);
  CHECK_THROWS_AS(lonely->sampleLabelled(2, first, classes), std::logic_error);
  CHECK(efm::openDataset("toy:coupled-binary")->labelClasses() == 0);
}

TEST_CASE("idx:fashion-mnist-test?label=K reads the Debian package's test split", "[data]") {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")) return;
  const efm::DatasetPtr sneakers = efm::openDataset("idx:fashion-mnist-test?label=7&limit=50");
  CHECK(sneakers->count() == 50);
  CHECK(sneakers->variables() == 28 * 28);
  // Fashion-MNIST's test split has 1000 images of each class.
  CHECK(efm::openDataset("idx:fashion-mnist-test?label=7")->count() == 1000);
}

TEST_CASE("image crops: items are the centre or grid crops in order", "[data]") {
  const fs::path dir = freshDirectory("idx-crops");
  writeBytes(dir / "four.idx", imagesBytes(4));
  // pad=4: each 2 x 2 image centred on a 4 x 4 map; the items are the whole maps.
  const efm::DatasetPtr padded = efm::openDataset("idx:" + (dir / "four.idx").string() + "?pad=4");
  const auto maps = padded->items(0, 4);
  REQUIRE(maps);
  for (int64_t k = 0; k < 4; ++k) {
    std::vector<int64_t> expected(16, 0);
    const int64_t p = k % 4;  // pixel (p / 2, p % 2) of the image, at (1 + p / 2, 1 + p % 2)
    expected[static_cast<std::size_t>((1 + p / 2) * 4 + 1 + p % 2)] = 1;
    CHECK(row(*maps, k) == expected);
  }
}

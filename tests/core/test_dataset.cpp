// Datasets: toy tables, sampling against the tables, SPEC and file parsing and errors.
#include "efm/base/errors.h"
#include "efm/data/dataset.h"
#include "efm/eval/metrics.h"
#include "input_errors.h"
#include "tensor_checks.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

// A file in the temporary directory, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& suffix = ".csv") {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() / ("efm_test_data_" + std::to_string(::getpid()) + "_" +
                                         std::to_string(counter++) + suffix);
    std::ofstream out(path_, std::ios::binary);
    out << content;
  }
  ~TempFile() {
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

using efm_test::generator;

// Pearson chi-square of samples against a table; cells with an expected count below 5 are
// pooled. Cells of probability zero must receive nothing. Returns statistic / tolerance.
double chiSquareRatio(const torch::Tensor& table, const torch::Tensor& samples, int64_t classes) {
  const auto n = static_cast<double>(samples.size(0));
  const auto counts =
      torch::bincount(efm::labelingIndex(samples, classes), {}, table.numel()).to(torch::kDouble);
  const auto zero = table == 0;
  if (counts.masked_select(zero).sum().item<double>() != 0) return 1e9;
  const auto expected = table * n;
  const auto big = expected >= 5;
  double stat = ((counts - expected).pow(2) / expected).masked_select(big).sum().item<double>();
  int64_t bins = big.sum().item<int64_t>();
  const double pooledExpected = expected.masked_select(~big).sum().item<double>();
  if (pooledExpected > 0) {
    const double pooledCount = counts.masked_select(~big).sum().item<double>();
    stat += (pooledCount - pooledExpected) * (pooledCount - pooledExpected) / pooledExpected;
    ++bins;
  }
  const double dof = static_cast<double>(std::max<int64_t>(bins - 1, 1));
  return stat / (dof + 6 * std::sqrt(2 * dof) + 10);
}

torch::Tensor grid(const efm::DatasetPtr& data) {
  const int64_t c = data->classes();
  return data->jointTable().value().view({c, c});
}

}  // namespace

TEST_CASE("coupled-binary table", "[data]") {
  const auto data = efm::openDataset("toy:coupled-binary");
  CHECK(data->variables() == 2);
  CHECK(data->classes() == 2);
  CHECK_FALSE(data->count().has_value());
  CHECK(data->description() == "toy:coupled-binary (n=2, c=2)");
  const auto table = data->jointTable().value();
  REQUIRE(table.scalar_type() == torch::kDouble);
  CHECK(torch::allclose(table, torch::tensor({0.45, 0.05, 0.05, 0.45}, torch::kDouble)));
  CHECK(torch::allclose(data->marginals(), torch::full({2, 2}, 0.5, torch::kDouble)));
}

TEST_CASE("labelingIndex and labelingsFromIndex are inverse, row-major", "[data]") {
  const auto row = torch::tensor({{1, 2, 3}}, torch::kLong);
  CHECK(efm::labelingIndex(row, 5).item<int64_t>() == 1 * 25 + 2 * 5 + 3);
  const auto all = torch::arange(125, torch::kLong);
  const auto labels = efm::labelingsFromIndex(all, 3, 5);
  REQUIRE(labels.sizes() == torch::IntArrayRef({125, 3}));
  CHECK(labels[7].equal(torch::tensor({0, 1, 2}, torch::kLong)));
  CHECK(efm::labelingIndex(labels, 5).equal(all));
  auto gen = generator(3);
  const auto random = torch::randint(7, {1000, 4}, gen, torch::kLong);
  CHECK(efm::labelingsFromIndex(efm::labelingIndex(random, 7), 4, 7).equal(random));
  CHECK_THROWS_AS(efm::labelingIndex(torch::tensor({{0, 5}}, torch::kLong), 5),
                  std::invalid_argument);
  CHECK_THROWS_AS(efm::labelingsFromIndex(torch::tensor({25}, torch::kLong), 2, 5),
                  std::invalid_argument);
}

TEST_CASE("8gaussians table: normalised and symmetric", "[data]") {
  const auto data = efm::openDataset("toy:8gaussians");
  CHECK(data->description() == "toy:8gaussians (n=2, c=91)");
  const auto g = grid(data);
  CHECK(g.sum().item<double>() == Approx(1.0).epsilon(1e-12));
  CHECK((g - g.t()).abs().max().item<double>() < 1e-12);        // x <-> y
  CHECK((g - g.flip({0})).abs().max().item<double>() < 1e-12);  // x -> -x
  CHECK((g - g.flip({1})).abs().max().item<double>() < 1e-12);  // y -> -y
  // The mode cell around (2.8, 0) holds far more mass than the centre cell.
  const double width = 8.0 / 91;
  const auto cell = [&](double v) { return static_cast<int64_t>(std::floor((v + 4) / width)); };
  const double mode = g[cell(2.8)][cell(0.0)].item<double>();
  const double centre = g[cell(0.0)][cell(0.0)].item<double>();
  CHECK(mode > 1e-3);
  CHECK(centre < 1e-12);
  // Per-component cell mass at the mode: 1/8 * (width/(sqrt(2 pi) 0.35))^2 roughly.
  const double approx = 0.125 * std::pow(width / (std::sqrt(2 * M_PI) * 0.35), 2);
  CHECK(mode == Approx(approx).epsilon(0.05));
}

TEST_CASE("checkerboard table: exact zeros and filled fraction", "[data]") {
  const auto data = efm::openDataset("toy:checkerboard");
  REQUIRE(data->classes() == 32);
  const auto g = grid(data);
  CHECK(g.sum().item<double>() == Approx(1.0).epsilon(1e-12));
  CHECK((g == 0).sum().item<int64_t>() == 512);
  CHECK(g.masked_select(g > 0).sub(1.0 / 512).abs().max().item<double>() < 1e-15);
  CHECK(g.equal(g.t()));
  CHECK(g[0][0].item<double>() > 0);   // x, y in [-4, -2): filled
  CHECK(g[0][8].item<double>() == 0);  // y in [-2, 0): empty
  CHECK(g[8][0].item<double>() == 0);
  CHECK(g[8][8].item<double>() > 0);
  // An unaligned grid: cells straddle the squares, exact zeros remain inside the empty ones.
  const auto g91 = grid(efm::openDataset("toy:checkerboard?c=91"));
  CHECK(g91.sum().item<double>() == Approx(1.0).epsilon(1e-12));
  const int64_t zeros = (g91 == 0).sum().item<int64_t>();
  CHECK(zeros > 91 * 91 * 2 / 5);
  CHECK(zeros < 91 * 91 / 2);
  CHECK((g91 - g91.t()).abs().max().item<double>() < 1e-15);
  // The mass on the filled squares is 1 whatever the grid: the cell centres on filled
  // squares carry almost all of it.
  const auto centres = (torch::arange(91, torch::kDouble) + 0.5) * (8.0 / 91) - 4;
  const auto square = torch::floor((centres + 4) / 2).to(torch::kLong);
  const auto filled = ((square.unsqueeze(1) + square.unsqueeze(0)) % 2) == 0;
  CHECK(g91.masked_select(filled).sum().item<double>() > 0.95);
}

TEST_CASE("pinwheel table: five arms away from the centre", "[data]") {
  const auto data = efm::openDataset("toy:pinwheel");
  const auto g = grid(data);
  REQUIRE(g.size(0) == 91);
  CHECK(g.sum().item<double>() == Approx(1.0).epsilon(1e-12));
  const auto centres = (torch::arange(91, torch::kDouble) + 0.5) * (8.0 / 91) - 4;
  const auto x = centres.unsqueeze(1).expand({91, 91});
  const auto y = centres.unsqueeze(0).expand({91, 91});
  const auto radius = torch::sqrt(x * x + y * y);
  CHECK(g.masked_select(radius < 0.5).sum().item<double>() < 0.01);
  // The radius of the source is 2 * N(1, 0.3^2): mean radius near 2.
  CHECK((g * radius).sum().item<double>() == Approx(2.0).epsilon(0.1));
  // Five-fold rotational structure: the 5th angular harmonic dominates the others.
  const auto angle = torch::atan2(y, x);
  const auto harmonic = [&](int k) {
    const double re = (g * torch::cos(k * angle)).sum().item<double>();
    const double im = (g * torch::sin(k * angle)).sum().item<double>();
    return std::hypot(re, im);
  };
  CHECK(harmonic(5) > 0.3);
  for (int k = 1; k <= 4; ++k) CHECK(harmonic(k) < 0.005);
  // Deterministic: built twice, identical.
  CHECK(grid(efm::openDataset("toy:pinwheel")).equal(g));
}

TEST_CASE("sampling matches the table", "[data]") {
  for (const std::string spec :
       {"toy:coupled-binary", "toy:8gaussians?c=16", "toy:checkerboard?c=8", "toy:pinwheel?c=12",
        "toy:dirichlet?n=2&c=6&alpha=0.5&seed=3"}) {
    INFO(spec);
    const auto data = efm::openDataset(spec);
    auto gen = generator(42);
    const auto samples = data->sample(200000, gen);
    REQUIRE(samples.sizes() == torch::IntArrayRef({200000, data->variables()}));
    CHECK(samples.scalar_type() == torch::kLong);
    CHECK(samples.is_contiguous());
    CHECK(chiSquareRatio(data->jointTable().value(), samples, data->classes()) < 1.0);
  }
}

TEST_CASE("same seed, same samples", "[data]") {
  for (const std::string spec : {"toy:pinwheel", "toy:kscaling?K=10&n=3"}) {
    const auto data = efm::openDataset(spec);
    auto a = generator(7);
    auto b = generator(7);
    auto c = generator(8);
    const auto first = data->sample(1000, a);
    CHECK(first.equal(data->sample(1000, b)));
    CHECK_FALSE(first.equal(data->sample(1000, c)));
    CHECK(data->sample(0, a).sizes() == torch::IntArrayRef({0, data->variables()}));
  }
}

TEST_CASE("kscaling: softmax marginals of uniform values", "[data]") {
  const auto data = efm::openDataset("toy:kscaling");
  CHECK(data->variables() == 4);
  CHECK(data->classes() == 160);
  CHECK_FALSE(data->jointTable().has_value());  // 160^4 is too large
  const auto m = data->marginals();
  REQUIRE(m.sizes() == torch::IntArrayRef({4, 160}));
  CHECK(torch::allclose(m.sum(1), torch::ones({4}, torch::kDouble)));
  const auto ratio = std::get<0>(m.max(1)) / std::get<0>(m.min(1));
  CHECK(ratio.max().item<double>() < std::exp(1.0));
  CHECK(ratio.min().item<double>() > 2.0);  // 160 uniform draws spread over most of [0, 1)
  // Sample marginals agree up to the noise floor (K-1)/(2N).
  auto gen = generator(1);
  const int64_t n = 200000;
  const auto samples = data->sample(n, gen);
  CHECK(efm::marginalKl(samples, m) < 2.0 * 159 / (2.0 * n));
  // Same seed, same target; another seed, another target.
  CHECK(efm::openDataset("toy:kscaling?seed=0")->marginals().equal(m));
  CHECK_FALSE(efm::openDataset("toy:kscaling?seed=1")->marginals().equal(m));
  // Small K: the joint table is the product of the marginals.
  const auto small = efm::openDataset("toy:kscaling?K=5&n=3&seed=2");
  const auto table = small->jointTable().value();
  REQUIRE(table.numel() == 125);
  const auto sm = small->marginals();
  CHECK(table[1 * 25 + 4 * 5 + 2].item<double>() ==
        Approx((sm[0][1] * sm[1][4] * sm[2][2]).item<double>()));
  CHECK(table.sum().item<double>() == Approx(1.0));
  auto gen2 = generator(5);
  CHECK(chiSquareRatio(table, small->sample(100000, gen2), 5) < 1.0);
}

TEST_CASE("dirichlet tables are seeded", "[data]") {
  const auto a = efm::openDataset("toy:dirichlet?n=3&c=4&alpha=0.3&seed=0");
  CHECK(a->description() == "toy:dirichlet (n=3, c=4, alpha=0.3, seed=0)");
  const auto ta = a->jointTable().value();
  REQUIRE(ta.numel() == 64);
  CHECK(ta.sum().item<double>() == Approx(1.0));
  CHECK((ta >= 0).all().item<bool>());
  CHECK(efm::openDataset("toy:dirichlet?seed=0&alpha=0.3")->jointTable()->equal(ta));
  CHECK_FALSE(efm::openDataset("toy:dirichlet?alpha=0.3&seed=1")->jointTable()->equal(ta));
  // Marginals are the sums of the table.
  CHECK(torch::allclose(a->marginals()[1], ta.view({4, 4, 4}).sum(torch::IntArrayRef({0, 2}))));
  const auto defaults = efm::openDataset("toy:dirichlet");
  CHECK(defaults->variables() == 3);
  CHECK(defaults->classes() == 4);
  CHECK_THROWS_AS(efm::openDataset("toy:dirichlet?n=13&c=4"), efm::InputError);  // 4^13
}

TEST_CASE("csv files: comments, header, CRLF, separators", "[data]") {
  TempFile file(
      "# a comment\r\n"
      "\r\n"
      "x1, x2 ,x3\r\n"
      "0,1,2\r\n"
      "  # indented comment\n"
      "2 1\t0\n"
      "0, 1, 2\n"
      "\n"
      "1 1 1");  // no final newline
  const auto data = efm::openDataset("csv:" + file.path());
  CHECK(data->variables() == 3);
  CHECK(data->classes() == 3);
  CHECK(data->count() == std::optional<int64_t>(4));
  CHECK(data->description() == "csv:" + file.path() + " (n=3, c=3, 4 items)");
  const auto table = data->jointTable().value();
  CHECK(table[0 * 9 + 1 * 3 + 2].item<double>() == Approx(0.5));
  CHECK(table[2 * 9 + 1 * 3 + 0].item<double>() == Approx(0.25));
  CHECK(table[13].item<double>() == Approx(0.25));
  CHECK(torch::allclose(data->marginals()[0], torch::tensor({0.5, 0.25, 0.25}, torch::kDouble)));
  auto gen = generator(11);
  const auto samples = data->sample(100000, gen);
  CHECK(chiSquareRatio(table, samples, 3) < 1.0);
  // ?c= widens the class count.
  const auto wide = efm::openDataset("csv:" + file.path() + "?c=7");
  CHECK(wide->classes() == 7);
  CHECK(wide->marginals().sizes() == torch::IntArrayRef({3, 7}));
  // A file of zeros still has two classes.
  TempFile zeros("0 0\n0 0\n");
  CHECK(efm::openDataset("csv:" + zeros.path())->classes() == 2);
}

TEST_CASE("pmf files: weights, duplicates, normalisation", "[data]") {
  TempFile file(
      "a b weight\n"
      "0 0 1.5\n"
      "1 2 0.5\r\n"
      "0 0 1\n"
      "2 2 0\n"
      "1,1,1e0\n",
      ".pmf");
  const auto data = efm::openDataset("pmf:" + file.path());
  CHECK(data->variables() == 2);
  CHECK(data->classes() == 3);
  CHECK_FALSE(data->count().has_value());
  const auto table = data->jointTable().value();
  REQUIRE(table.numel() == 9);
  CHECK(table[0].item<double>() == Approx(2.5 / 4));
  CHECK(table[5].item<double>() == Approx(0.5 / 4));
  CHECK(table[4].item<double>() == Approx(1.0 / 4));
  CHECK(table[8].item<double>() == 0.0);
  CHECK(torch::allclose(data->marginals()[1],
                        torch::tensor({2.5 / 4, 1.0 / 4, 0.5 / 4}, torch::kDouble)));
  auto gen = generator(9);
  CHECK(chiSquareRatio(table, data->sample(100000, gen), 3) < 1.0);
}

TEST_CASE("file errors name the file and the line", "[data]") {
  const auto fileError = [](const std::string& content, const std::string& scheme = "csv") {
    TempFile file(content);
    const std::string message =
        inputErrorMessage([&] { efm::openDataset(scheme + ":" + file.path()); });
    CHECK_THAT(message, Catch::Contains(file.path()));
    return message;
  };
  using Catch::Contains;
  CHECK_THAT(fileError("0 1\n1 0\n1 0 1\n"), Contains("line 3") && Contains("expected 2"));
  CHECK_THAT(fileError("0 1\n-3 0\n"), Contains("line 2") && Contains("'-3'"));
  CHECK_THAT(fileError("0 1\n3.5 0\n"), Contains("line 2") && Contains("'3.5'"));
  CHECK_THAT(fileError("# c\n0 1\n1e999 0\n"), Contains("line 3"));
  CHECK_THAT(fileError("0 1\nnan 0\n"), Contains("line 2"));
  CHECK_THAT(fileError("0 1\n99999999999999999999999 0\n"), Contains("line 2"));
  CHECK_THAT(fileError("0 1\n70000 0\n"), Contains("line 2"));
  CHECK_THAT(fileError("0 1\na b\n"), Contains("line 2"));  // header only first
  CHECK_THAT(fileError(""), Contains("no labelings"));
  CHECK_THAT(fileError("# only\n\n# comments\n"), Contains("no labelings"));
  CHECK_THAT(fileError("x y\n"), Contains("no labelings"));
  // Labels at or above ?c= are errors.
  {
    TempFile file("0 1\n4 0\n");
    CHECK_THAT(inputErrorMessage([&] { efm::openDataset("csv:" + file.path() + "?c=4"); }),
               Contains(file.path()) && Contains("line 2"));
  }
  // pmf: weights.
  CHECK_THAT(fileError("0 1 0\n1 0 0\n", "pmf"), Contains("zero"));
  CHECK_THAT(fileError("0 1 1\n1 0 -2\n", "pmf"), Contains("line 2"));
  CHECK_THAT(fileError("0 1 1\n1 0 nan\n", "pmf"), Contains("line 2"));
  CHECK_THAT(fileError("0 1 1\n1 0 inf\n", "pmf"), Contains("line 2"));
  CHECK_THAT(fileError("0 1 1\n1 0 1e999\n", "pmf"), Contains("line 2"));
  CHECK_THAT(fileError("0\n1\n", "pmf"), Contains("line 1"));
  CHECK_THAT(fileError("0 1 1\n1 0\n", "pmf"), Contains("line 2"));
  // Binary garbage and an endless line: an error, never a crash or a hang.
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919 + 13) % 256));
  fileError(garbage);
  fileError(std::string(3 << 20, '1'));
  // Missing file, directory.
  const std::string missing = (fs::temp_directory_path() / "efm_no_such_file.csv").string();
  CHECK_THAT(specErrorMessage("csv:" + missing), Contains(missing));
  CHECK_THAT(specErrorMessage("pmf:" + missing), Contains(missing));
  const std::string dir = fs::temp_directory_path().string();
  CHECK_THAT(specErrorMessage("csv:" + dir), Contains(dir));
}

TEST_CASE("SPEC errors name the SPEC and the problem", "[data]") {
  using Catch::Contains;
  CHECK(specErrorMessage("toy:pinwheel?c=abc") ==
        "data SPEC 'toy:pinwheel?c=abc': c must be an integer, got 'abc'");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"nocolon", "scheme"},
      {"foo:bar", "unknown scheme 'foo'"},
      {"toy:", "nothing after"},
      {"toy:spiral", "unknown toy 'spiral'"},
      {"toy:coupled-binary?c=3", "unknown key 'c'"},
      {"toy:pinwheel?d=3", "unknown key 'd'"},
      {"toy:pinwheel?c=10&c=12", "duplicate key 'c'"},
      {"toy:pinwheel?", "empty"},
      {"toy:pinwheel?c", "key=value"},
      {"toy:pinwheel?c=", "must be an integer"},
      {"toy:pinwheel?c=1", "between 2 and 512"},
      {"toy:pinwheel?c=513", "between 2 and 512"},
      {"toy:checkerboard?c=-3", "between 2 and 512"},
      {"toy:8gaussians?c=NaN", "must be an integer"},
      {"toy:8gaussians?c=12.0", "must be an integer"},
      {"toy:8gaussians?c=99999999999999999999999", "between 2 and 512"},
      {"toy:kscaling?K=1", "between 2"},
      {"toy:kscaling?n=0", "between 1"},
      {"toy:kscaling?seed=-1", "seed"},
      {"toy:dirichlet?alpha=nan", "alpha"},
      {"toy:dirichlet?alpha=-1", "alpha"},
      {"toy:dirichlet?alpha=0", "alpha"},
      {"toy:dirichlet?alpha=inf", "alpha"},
      {"toy:dirichlet?n=13", "exceeds"},
      {"csv:/tmp/x.csv?k=3", "unknown key 'k'"},
      {"csv:/tmp/x.csv?c=1", "between 2"},
  };
  for (const auto& [spec, problem] : cases) {
    INFO(spec);
    const std::string message = specErrorMessage(spec);
    CHECK_THAT(message, Contains("'" + spec + "'") && Contains(problem));
  }
}

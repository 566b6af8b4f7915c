// The dial of non-factorizability, toy:dial: (1 - lambda) * (product of the marginals) +
// lambda * (a deterministically coupled table).
#include "efm/data/dataset.h"
#include "input_errors.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

torch::Tensor dialTable(const std::string& query) {
  return efm::openDataset("toy:dial?" + query)->jointTable().value();
}

// The product of a table's own per-node marginals, in the same row-major layout.
torch::Tensor productOfMarginals(const torch::Tensor& table, int64_t variables, int64_t classes) {
  const auto shaped =
      table.view(std::vector<int64_t>(static_cast<std::size_t>(variables), classes));
  torch::Tensor product = torch::ones({1}, torch::kDouble);
  for (int64_t i = 0; i < variables; ++i) {
    std::vector<int64_t> others;
    for (int64_t j = 0; j < variables; ++j)
      if (j != i) others.push_back(j);
    product = torch::outer(product, shaped.sum(others)).reshape({-1});
  }
  return product;
}

}  // namespace

TEST_CASE("dial: shape, normalisation, description", "[data][dial]") {
  const auto data = efm::openDataset("toy:dial?lambda=0.3&n=4&c=3&seed=2");
  CHECK(data->variables() == 4);
  CHECK(data->classes() == 3);
  const auto table = data->jointTable().value();
  CHECK(table.numel() == 81);
  CHECK(table.sum().item<double>() == Approx(1.0).margin(1e-12));
  CHECK((table >= 0).all().item<bool>());
  CHECK(data->description().find("lambda=0.3") != std::string::npos);
  // Defaults: lambda 0.5, n = 3, c = 4.
  const auto defaults = efm::openDataset("toy:dial");
  CHECK(defaults->variables() == 3);
  CHECK(defaults->classes() == 4);
  CHECK(torch::allclose(defaults->jointTable().value(), dialTable("lambda=0.5&n=3&c=4&seed=0")));
}

TEST_CASE("dial: the marginals do not depend on lambda", "[data][dial]") {
  const auto reference = efm::openDataset("toy:dial?lambda=0&n=3&c=5&seed=7")->marginals();
  CHECK(reference.sum(1).allclose(torch::ones({3}, torch::kDouble)));
  for (const char* lambda : {"0.25", "0.5", "0.9", "1"}) {
    const auto marginals =
        efm::openDataset(std::string("toy:dial?n=3&c=5&seed=7&lambda=") + lambda)->marginals();
    CHECK(torch::allclose(marginals, reference, 0, 1e-12));
  }
}

TEST_CASE("dial: lambda = 0 factorizes exactly, lambda = 1 is the coupled table", "[data][dial]") {
  const int64_t n = 3, c = 4;
  const auto independent = dialTable("lambda=0&n=3&c=4&seed=1");
  CHECK(torch::allclose(independent, productOfMarginals(independent, n, c), 0, 1e-15));

  // Coupled: c labelings of positive weight, and every node takes each class in exactly one
  // of them (each node is a one-to-one function of every other node).
  const auto coupled = dialTable("lambda=1&n=3&c=4&seed=1");
  const auto support = torch::nonzero(coupled > 0).flatten();
  REQUIRE(support.numel() == c);
  const auto labelings = efm::labelingsFromIndex(support, n, c);
  for (int64_t i = 0; i < n; ++i)
    CHECK(std::get<0>(torch::_unique(labelings.select(1, i))).numel() == c);
  CHECK_FALSE(torch::allclose(coupled, productOfMarginals(coupled, n, c), 0, 1e-6));

  // In between: the mixture of the two ends.
  for (double lambda : {0.25, 0.6}) {
    const auto mixed = dialTable("n=3&c=4&seed=1&lambda=" + std::to_string(lambda));
    CHECK(torch::allclose(mixed, (1 - lambda) * independent + lambda * coupled, 0, 1e-14));
  }
}

TEST_CASE("dial: the seed changes the table", "[data][dial]") {
  CHECK_FALSE(torch::allclose(dialTable("lambda=1&seed=0"), dialTable("lambda=1&seed=1")));
  CHECK(torch::equal(dialTable("lambda=1&seed=3"), dialTable("lambda=1&seed=3")));
}

TEST_CASE("dial: bad parameters name the SPEC", "[data][dial]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"toy:dial?lambda=-0.1", "lambda must be between 0 and 1"},
      {"toy:dial?lambda=1.5", "lambda must be between 0 and 1"},
      {"toy:dial?lambda=nan", "lambda must be a finite number"},
      {"toy:dial?lambda=half", "lambda must be a finite number"},
      {"toy:dial?lambda=", "lambda must be a finite number"},
      {"toy:dial?n=1", "n must be"},
      {"toy:dial?c=1", "c must be"},
      {"toy:dial?n=24&c=4", "joint-table limit"},
      {"toy:dial?mu=1", "mu"},
  };
  for (const auto& [spec, problem] : cases) {
    INFO(spec);
    const std::string message = specErrorMessage(spec);
    CHECK(message.find("data SPEC '" + spec + "'") != std::string::npos);
    CHECK(message.find(problem) != std::string::npos);
  }
}

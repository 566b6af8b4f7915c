// The toy distributions of docs/METHOD.md section 8, built deterministically (no sampling).
#include "data/dataset_internal.h"

#include "efm/base/errors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <locale>
#include <sstream>
#include <vector>

namespace efm::detail {
namespace {

// The 2-D densities live on the box [-kBox, kBox]^2, discretised into c x c cells.
constexpr double kBox = 4.0;
constexpr double kPi = 3.14159265358979323846;

std::vector<double> cellEdges(int64_t classes) {
  std::vector<double> edges(static_cast<std::size_t>(classes) + 1);
  for (int64_t k = 0; k <= classes; ++k)
    edges[static_cast<std::size_t>(k)] =
        -kBox + 2.0 * kBox * static_cast<double>(k) / static_cast<double>(classes);
  return edges;
}

// P(a <= X < b) for X ~ N(mean, sd^2), accurate in both tails.
double normalMass(double a, double b, double mean, double sd) {
  const double za = (a - mean) / (sd * std::sqrt(2.0));
  const double zb = (b - mean) / (sd * std::sqrt(2.0));
  if (za >= 0) return 0.5 * (std::erfc(za) - std::erfc(zb));
  if (zb <= 0) return 0.5 * (std::erfc(-zb) - std::erfc(-za));
  return 0.5 * (std::erf(zb) - std::erf(za));
}

// Mass of N(mean, sd^2) in each cell along one axis.
Tensor axisMasses(const std::vector<double>& edges, double mean, double sd) {
  std::vector<double> mass(edges.size() - 1);
  for (std::size_t k = 0; k + 1 < edges.size(); ++k)
    mass[k] = normalMass(edges[k], edges[k + 1], mean, sd);
  return torch::tensor(mass, torch::kDouble);
}

// Midpoint quadrature of N(mean, sd^2) over mean +- 6 sd: bin centres and exact bin masses.
std::pair<Tensor, Tensor> gaussianQuadrature(double mean, double sd, int64_t points) {
  const double lo = mean - 6 * sd;
  const double step = 12 * sd / static_cast<double>(points);
  std::vector<double> centre(static_cast<std::size_t>(points));
  std::vector<double> mass(static_cast<std::size_t>(points));
  for (int64_t k = 0; k < points; ++k) {
    const double a = lo + step * static_cast<double>(k);
    centre[static_cast<std::size_t>(k)] = a + 0.5 * step;
    mass[static_cast<std::size_t>(k)] = normalMass(a, a + step, mean, sd);
  }
  return {torch::tensor(centre, torch::kDouble), torch::tensor(mass, torch::kDouble)};
}

Tensor normalised(const Tensor& table) { return (table / table.sum()).contiguous(); }

std::string formatReal(double value) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out << value;
  return out.str();
}

std::string shape(int64_t variables, int64_t classes) {
  return "(n=" + std::to_string(variables) + ", c=" + std::to_string(classes);
}

DatasetPtr denseToy(const std::string& name, int64_t variables, int64_t classes, Tensor table,
                    const std::string& extra = "") {
  return std::make_shared<WeightedSupportDataset>(
      "toy:" + name + " " + shape(variables, classes) + extra + ")", variables, classes,
      std::nullopt, std::move(table));
}

Tensor kscalingMarginals(int64_t classes, int64_t variables, uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  const Tensor u = torch::rand({variables, classes}, generator, torch::kDouble);
  return torch::softmax(u, 1);
}

Tensor dirichletTable(int64_t size, double alpha, uint64_t seed, const SpecParams& params) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  const Tensor gamma = at::_standard_gamma(torch::full({size}, alpha, torch::kDouble), generator);
  const double total = gamma.sum().item<double>();
  if (!(total > 0) || !std::isfinite(total))
    params.fail("alpha=" + formatReal(alpha) + " is too small: every gamma draw underflowed");
  return gamma / total;
}

// The dial of non-factorizability: (1 - lambda) * (product of the marginals) + lambda * (a
// deterministically coupled table). The coupled table puts weight w_k on the labeling
// (pi_1(k), ..., pi_n(k)) for k = 0..c-1, with w ~ Dirichlet(2) (every class keeps some mass)
// and pi_i random permutations of the classes, all drawn from `seed`. Node i then has the
// marginal w permuted by pi_i, in the coupled table as in the product, so lambda changes only
// the dependence between the nodes, never their marginals.
Tensor dialTable(int64_t variables, int64_t classes, double lambda, uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  Tensor weights = at::_standard_gamma(torch::full({classes}, 2.0, torch::kDouble), generator);
  weights = weights / weights.sum();
  std::vector<Tensor> permutations;
  for (int64_t i = 0; i < variables; ++i)
    permutations.push_back(torch::randperm(classes, generator, torch::kLong));

  // Node i's marginal: P(x_i = pi_i(k)) = w_k.
  Tensor product = torch::ones({1}, torch::kDouble);
  for (const Tensor& pi : permutations) {
    const Tensor marginal = torch::zeros({classes}, torch::kDouble).index_put_({pi}, weights);
    product = torch::outer(product, marginal).reshape({-1});
  }
  // Row-major index of labeling k of the coupled table: sum_i pi_i(k) c^(n-1-i).
  Tensor index = torch::zeros({classes}, torch::kLong);
  for (const Tensor& pi : permutations) index = index * classes + pi;
  const Tensor coupled = torch::zeros_like(product).index_add_(0, index, weights);
  return ((1.0 - lambda) * product + lambda * coupled).contiguous();
}

}  // namespace

Tensor coupledBinaryTable() { return torch::tensor({0.45, 0.05, 0.05, 0.45}, torch::kDouble); }

Tensor eightGaussiansTable(int64_t classes) {
  constexpr double kRadius = 2.8;
  constexpr double kSd = 0.35;
  const auto edges = cellEdges(classes);
  Tensor table = torch::zeros({classes, classes}, torch::kDouble);
  for (int k = 0; k < 8; ++k) {
    const double angle = k * kPi / 4;
    const Tensor mx = axisMasses(edges, kRadius * std::cos(angle), kSd);
    const Tensor my = axisMasses(edges, kRadius * std::sin(angle), kSd);
    table += torch::outer(mx, my);
  }
  return normalised(table.reshape({-1}));
}

Tensor checkerboardTable(int64_t classes) {
  // FFJORD's layout: squares of side 2 on [-4, 4]^2; square (i, j) is filled when i + j
  // is even (8 of 16), with uniform density on the filled ones.
  constexpr int kSquares = 4;
  const auto edges = cellEdges(classes);
  Tensor overlap = torch::zeros({classes, kSquares}, torch::kDouble);
  auto access = overlap.accessor<double, 2>();
  for (int64_t cell = 0; cell < classes; ++cell)
    for (int i = 0; i < kSquares; ++i) {
      const double lo = -kBox + 2.0 * i;
      const double hi = lo + 2.0;
      const double a = std::max(edges[static_cast<std::size_t>(cell)], lo);
      const double b = std::min(edges[static_cast<std::size_t>(cell) + 1], hi);
      access[cell][i] = b > a ? b - a : 0.0;
    }
  Tensor filled = torch::zeros({kSquares, kSquares}, torch::kDouble);
  for (int i = 0; i < kSquares; ++i)
    for (int j = 0; j < kSquares; ++j)
      if ((i + j) % 2 == 0) filled[i][j] = 1.0;
  return normalised(overlap.matmul(filled).matmul(overlap.t()).reshape({-1}));
}

Tensor pinwheelTable(int64_t classes) {
  // FFJORD's pinwheel: (r, s) ~ N(1, 0.3^2) x N(0, 0.1^2), rotated by
  // 2 pi k / 5 + 0.25 exp(r) for arm k, scaled by 2 (as FFJORD does).
  constexpr int kArms = 5;
  constexpr double kRate = 0.25;
  constexpr double kScale = 2.0;
  const auto [r, wr] = gaussianQuadrature(1.0, 0.3, std::max<int64_t>(2000, 8 * classes));
  const auto [s, ws] = gaussianQuadrature(0.0, 0.1, std::max<int64_t>(400, classes));
  const Tensor weight = torch::outer(wr, ws).reshape({-1}) / kArms;
  const double cellWidth = 2.0 * kBox / static_cast<double>(classes);
  Tensor table = torch::zeros({classes * classes}, torch::kDouble);
  for (int k = 0; k < kArms; ++k) {
    const Tensor angle = 2.0 * kPi * k / kArms + kRate * torch::exp(r);
    const Tensor c = torch::cos(angle).unsqueeze(1);
    const Tensor sn = torch::sin(angle).unsqueeze(1);
    const Tensor rr = r.unsqueeze(1);
    const Tensor ss = s.unsqueeze(0);
    // FFJORD applies features @ [[cos, -sin], [sin, cos]].
    const Tensor x = (kScale * (rr * c + ss * sn)).reshape({-1});
    const Tensor y = (kScale * (ss * c - rr * sn)).reshape({-1});
    const Tensor ix = torch::floor((x + kBox) / cellWidth);
    const Tensor iy = torch::floor((y + kBox) / cellWidth);
    const Tensor inside = (ix >= 0) & (ix < classes) & (iy >= 0) & (iy < classes);
    const Tensor index =
        (ix.masked_select(inside) * classes + iy.masked_select(inside)).to(torch::kLong);
    table.index_add_(0, index, weight.masked_select(inside));
  }
  return normalised(table);
}

DatasetPtr openToyDataset(const DataSpec& spec) {
  const std::string& name = spec.target;
  if (name == "coupled-binary") {
    SpecParams params(spec, {});
    return denseToy(name, 2, 2, coupledBinaryTable());
  }
  if (name == "pinwheel" || name == "8gaussians" || name == "checkerboard") {
    SpecParams params(spec, {"c"});
    const int64_t classes = params.integer("c", name == "checkerboard" ? 32 : 91, 2, 512);
    Tensor table = name == "pinwheel"     ? pinwheelTable(classes)
                   : name == "8gaussians" ? eightGaussiansTable(classes)
                                          : checkerboardTable(classes);
    return denseToy(name, 2, classes, std::move(table));
  }
  if (name == "kscaling") {
    SpecParams params(spec, {"K", "n", "seed"});
    const int64_t classes = params.integer("K", 160, 2, kMaxClasses);
    const int64_t variables = params.integer("n", 4, 1, kMaxVariables);
    const uint64_t seed = params.seed("seed");
    if (variables * classes > (int64_t{1} << 26))
      params.fail("n*K = " + std::to_string(variables * classes) + " exceeds the limit " +
                  std::to_string(int64_t{1} << 26));
    return std::make_shared<ProductDataset>(
        "toy:kscaling " + shape(variables, classes) + ", seed=" + std::to_string(seed) + ")",
        kscalingMarginals(classes, variables, seed));
  }
  if (name == "dirichlet") {
    SpecParams params(spec, {"n", "c", "alpha", "seed"});
    const int64_t variables = params.integer("n", 3, 1, 24);
    const int64_t classes = params.integer("c", 4, 2, kMaxClasses);
    const double alpha = params.positiveReal("alpha", 1.0, 1e6);
    const uint64_t seed = params.seed("seed");
    const auto size = jointTableSize(variables, classes);
    if (!size)
      params.fail("c^n = " + std::to_string(classes) + "^" + std::to_string(variables) +
                  " exceeds the joint-table limit " + std::to_string(kMaxJointTableSize));
    return denseToy(name, variables, classes, dirichletTable(*size, alpha, seed, params),
                    ", alpha=" + formatReal(alpha) + ", seed=" + std::to_string(seed));
  }
  if (name == "dial") {
    SpecParams params(spec, {"lambda", "n", "c", "seed"});
    const double lambda = params.real("lambda", 0.5, 0.0, 1.0);
    const int64_t variables = params.integer("n", 3, 2, 24);
    const int64_t classes = params.integer("c", 4, 2, kMaxClasses);
    const uint64_t seed = params.seed("seed");
    if (!jointTableSize(variables, classes))
      params.fail("c^n = " + std::to_string(classes) + "^" + std::to_string(variables) +
                  " exceeds the joint-table limit " + std::to_string(kMaxJointTableSize));
    return denseToy(name, variables, classes, dialTable(variables, classes, lambda, seed),
                    ", lambda=" + formatReal(lambda) + ", seed=" + std::to_string(seed));
  }
  throw InputError(specError(spec.text, "unknown toy '" + name +
                                            "' (known: coupled-binary, pinwheel, 8gaussians, "
                                            "checkerboard, kscaling, dirichlet, dial)"));
}

}  // namespace efm::detail

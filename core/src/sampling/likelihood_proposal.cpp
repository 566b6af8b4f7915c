// The likelihood's proposal: the orthonormal tangent basis, the proposal's mass inside a
// labeling's decision cone, and the scale that gives it a chosen mass.
#include "efm/sampling/likelihood.h"

#include "efm/base/errors.h"
#include "sampling/likelihood_internal.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

namespace efm {

namespace detail {

double labelGap(int64_t classes, double smoothing) {
  const double c = static_cast<double>(classes);
  return std::log((1 - smoothing + smoothing / c) / (smoothing / c));
}

}  // namespace detail

namespace {

using detail::labelGap;

// Upper tail of the standard normal, 1 - Phi(x).
double normalTail(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }

// 1 - (cone mass) = integral phi(x) (1 - Phi(x + r)^(c - 1)) dx, computed as a complement
// so that masses close to 1 (large n: M^(1/n)) keep their precision. Trapezoidal rule on a
// Gaussian integrand: accurate to rounding on this grid.
double coneMassComplement(int64_t classes, double r) {
  constexpr double half = 14, h = 1.0 / 64;
  const auto points = static_cast<int64_t>(2 * half / h);
  double sum = 0;
  for (int64_t k = 0; k <= points; ++k) {
    const double x = -half + h * static_cast<double>(k);
    const double phi = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    const double outside =
        -std::expm1(static_cast<double>(classes - 1) * std::log1p(-normalTail(x + r)));
    sum += (k == 0 || k == points ? 0.5 : 1.0) * phi * outside;
  }
  return sum * h;
}

}  // namespace

ProposalKind parseProposal(const std::string& name) {
  if (name == "path-end") return ProposalKind::PathEnd;
  if (name == "reference") return ProposalKind::Reference;
  throw InputError("unknown proposal '" + name + "' (expected path-end or reference)");
}

std::string proposalName(ProposalKind kind) {
  return kind == ProposalKind::PathEnd ? "path-end" : "reference";
}

Tensor tangentBasis(int64_t classes) {
  if (classes < 2) throw InputError("the tangent space needs at least 2 classes");
  Tensor q = torch::zeros({classes, classes - 1}, torch::kFloat64);
  auto a = q.accessor<double, 2>();
  for (int64_t j = 1; j < classes; ++j) {
    const double norm = std::sqrt(static_cast<double>(j * (j + 1)));
    for (int64_t k = 0; k < j; ++k) a[k][j - 1] = 1 / norm;
    a[j][j - 1] = -static_cast<double>(j) / norm;
  }
  return q;
}

double proposalConeMass(int64_t classes, double smoothing, double scale) {
  if (!(scale > 0)) throw InputError("the proposal scale must be positive");
  return 1 - coneMassComplement(classes, labelGap(classes, smoothing) / scale);
}

double proposalScale(int64_t classes, double smoothing, double perNodeMass) {
  if (classes < 2) throw InputError("likelihood: at least 2 classes are needed");
  if (!(smoothing > 0 && smoothing < 1))
    throw InputError("likelihood: the path's smoothing must be in (0, 1)");
  const double c = static_cast<double>(classes);
  if (!(perNodeMass > 1 / c && perNodeMass < 1))
    throw InputError(
        "likelihood: the proposal mass per node (M^(1/n) = " + std::to_string(perNodeMass) +
        ") must lie between 1/c = " + std::to_string(1 / c) + " and 1; choose a larger --mass");
  const double gap = labelGap(classes, smoothing);
  const double target = 1 - perNodeMass;
  // The complement grows with s: from 0 (s -> 0) to 1 - 1/c (s -> infinity).
  double lo = gap / 64, hi = gap;
  while (coneMassComplement(classes, gap / lo) > target) lo /= 2;
  while (coneMassComplement(classes, gap / hi) < target) {
    hi *= 2;
    if (hi > 1e12 * gap)
      throw InputError("likelihood: no proposal scale reaches the mass " +
                       std::to_string(perNodeMass) + " per node");
  }
  for (int k = 0; k < 200 && hi - lo > 1e-14 * hi; ++k) {
    const double mid = std::sqrt(lo * hi);
    (coneMassComplement(classes, gap / mid) < target ? lo : hi) = mid;
  }
  return std::sqrt(lo * hi);
}

}  // namespace efm

// Empirical distributions and the distances of metrics.h, all in float64.
#include "efm/eval/metrics.h"

#include "efm/data/labelings.h"

#include <torch/torch.h>

#include <limits>
#include <stdexcept>
#include <string>

namespace efm {
namespace {

// p and q as float64 vectors of the same shape, non-negative and free of NaN.
std::pair<Tensor, Tensor> checkedPair(const Tensor& p, const Tensor& q, const char* where) {
  if (p.sizes() != q.sizes()) throw std::invalid_argument(std::string(where) + ": shapes differ");
  Tensor pd = p.to(torch::kDouble).reshape({-1});
  Tensor qd = q.to(torch::kDouble).reshape({-1});
  for (const Tensor* t : {&pd, &qd})
    if (t->numel() > 0 && (t->isnan().any().item<bool>() || (*t < 0).any().item<bool>()))
      throw std::invalid_argument(std::string(where) +
                                  ": probabilities must be non-negative numbers");
  return {pd, qd};
}

double klUnchecked(const Tensor& p, const Tensor& q) {
  const Tensor positive = p > 0;
  if ((positive & (q == 0)).any().item<bool>()) return std::numeric_limits<double>::infinity();
  const Tensor pp = p.masked_select(positive);
  const Tensor qq = q.masked_select(positive);
  return (pp * (torch::log(pp) - torch::log(qq))).sum().item<double>();
}

}  // namespace

double klDivergence(const Tensor& p, const Tensor& q) {
  const auto [pd, qd] = checkedPair(p, q, "klDivergence");
  return klUnchecked(pd, qd);
}

double totalVariation(const Tensor& p, const Tensor& q) {
  const auto [pd, qd] = checkedPair(p, q, "totalVariation");
  return 0.5 * (pd - qd).abs().sum().item<double>();
}

JointComparison compareJoint(const Tensor& target, const Tensor& labels, int64_t classes) {
  const Tensor counts = labelingCounts(labels, classes);
  if (target.numel() != counts.numel())
    throw std::invalid_argument("compareJoint: target has " + std::to_string(target.numel()) +
                                " entries, expected c^n = " + std::to_string(counts.numel()));
  const auto [t, raw] = checkedPair(target.reshape({-1}), counts, "compareJoint");
  const auto samples = static_cast<double>(labels.size(0));
  const Tensor model = raw / samples;

  JointComparison out;
  out.samples = labels.size(0);
  const Tensor empty = (t > 0) & (raw == 0);
  out.emptyModelCells = empty.sum().item<int64_t>();
  out.targetMassOnEmptyCells = t.masked_select(empty).sum().item<double>();
  out.modelMassOutsideSupport = model.masked_select(t == 0).sum().item<double>();
  // Half a count on every empty cell the target needs, then renormalise.
  const Tensor floored = raw + 0.5 * empty.to(torch::kDouble);
  out.klTargetModel = klUnchecked(t, floored / floored.sum());
  out.klModelTarget = klUnchecked(model, t);
  out.totalVariation = 0.5 * (t - model).abs().sum().item<double>();
  return out;
}

double marginalKl(const Tensor& labels, const Tensor& targetMarginals) {
  if (targetMarginals.dim() != 2 || labels.dim() != 2 || targetMarginals.size(0) != labels.size(1))
    throw std::invalid_argument("marginalKl: target marginals must be [n, c] for labels [S, n]");
  const Tensor empirical = empiricalMarginals(labels, targetMarginals.size(1));
  const auto [e, q] = checkedPair(empirical, targetMarginals, "marginalKl");
  const int64_t variables = empirical.size(0);
  const int64_t classes = empirical.size(1);
  double total = 0;
  for (int64_t i = 0; i < variables; ++i)
    total += klUnchecked(e.narrow(0, i * classes, classes), q.narrow(0, i * classes, classes));
  return total / static_cast<double>(variables);
}

}  // namespace efm

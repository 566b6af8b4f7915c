#include "json_output.h"

#include <torch/torch.h>

#include <cmath>
#include <iostream>

namespace efm::cli {

nlohmann::json finiteOrNull(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json tensorToJson(const torch::Tensor& values) {
  const torch::Tensor v = values.to(torch::kCPU, torch::kFloat64).contiguous();
  if (v.dim() == 1) {
    const double* p = v.data_ptr<double>();
    return nlohmann::json(std::vector<double>(p, p + v.numel()));
  }
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t i = 0; i < v.size(0); ++i) rows.push_back(tensorToJson(v[i]));
  return rows;
}

void printJson(const nlohmann::json& object) { std::cout << object.dump(2) << std::endl; }

}  // namespace efm::cli

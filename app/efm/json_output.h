#pragma once
// JSON on stdout for scripts: one object, non-finite numbers written as null.
#include <torch/types.h>
#include <nlohmann/json.hpp>

namespace efm::cli {

nlohmann::json finiteOrNull(double value);
// float64 tensor of rank 1 or 2 -> nested arrays.
nlohmann::json tensorToJson(const torch::Tensor& values);
void printJson(const nlohmann::json& object);

}  // namespace efm::cli

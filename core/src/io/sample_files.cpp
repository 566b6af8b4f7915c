#include "efm/io/sample_files.h"

#include "efm/io/checkpoint_io.h"

#include <torch/torch.h>

#include <cstdio>
#include <string>

namespace efm {

void writeLabelingsCsv(const std::string& file, const torch::Tensor& labels) {
  const torch::Tensor l = labels.to(torch::kCPU, torch::kInt64).contiguous();
  const auto a = l.accessor<int64_t, 2>();
  std::string text;
  text.reserve(static_cast<size_t>(l.numel()) * 4);
  for (int64_t s = 0; s < l.size(0); ++s) {
    for (int64_t i = 0; i < l.size(1); ++i) {
      if (i) text += ',';
      text += std::to_string(a[s][i]);
    }
    text += '\n';
  }
  writeFileAtomically(file, text);
}

void writeTrajectoriesCsv(const std::string& file, const torch::Tensor& trajectories,
                          const std::vector<double>& times) {
  const torch::Tensor w = trajectories.to(torch::kCPU, torch::kFloat32).contiguous();
  const auto a = w.accessor<float, 4>();
  const int64_t steps = w.size(0), samples = w.size(1), nodes = w.size(2), classes = w.size(3);
  std::string text = "sample,step,t,node";
  for (int64_t j = 0; j < classes; ++j) text += ",p" + std::to_string(j);
  text += '\n';
  char number[32];
  for (int64_t s = 0; s < samples; ++s)
    for (int64_t k = 0; k < steps; ++k)
      for (int64_t i = 0; i < nodes; ++i) {
        std::snprintf(number, sizeof number, "%.6g", times.at(k));
        text +=
            std::to_string(s) + ',' + std::to_string(k) + ',' + number + ',' + std::to_string(i);
        for (int64_t j = 0; j < classes; ++j) {
          std::snprintf(number, sizeof number, ",%.7g", a[k][s][i][j]);
          text += number;
        }
        text += '\n';
      }
  writeFileAtomically(file, text);
}

}  // namespace efm

#pragma once
// Files that sampling writes. Labelings use the format `csv:FILE` reads (one labeling per
// line, n comma-separated integers), so samples can be fed back as data.
#include <torch/types.h>

#include <string>
#include <vector>

namespace efm {

// int64 [S, n] -> FILE, written atomically.
void writeLabelingsCsv(const std::string& file, const torch::Tensor& labels);

// Trajectories W(t) float [T, S, n, c] at `times` -> a long-format CSV with the header
// sample,step,t,node,p0,...,p{c-1}; written atomically.
void writeTrajectoriesCsv(const std::string& file, const torch::Tensor& trajectories,
                          const std::vector<double>& times);

}  // namespace efm

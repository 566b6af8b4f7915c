#pragma once
// Joint tables written as pmf files (docs/DATA.md, `pmf:FILE`), so that a table made or edited
// by hand (the studio's target editor and painter) is data that every command reads back.
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace efm {

// `weights` (c^n non-negative finite numbers with a positive sum, in the order of
// labelingIndex: node 0 the most significant digit) -> FILE: a comment naming n and c, then
// one line per labeling with its n labels and its weight. Every labeling is listed, zero
// weights too, so the file reads back with the same n and c and stays editable by hand.
// Written atomically; InputError for a table that is not one.
void writePmfTable(const std::string& file, const torch::Tensor& weights, int64_t variables,
                   int64_t classes);

}  // namespace efm

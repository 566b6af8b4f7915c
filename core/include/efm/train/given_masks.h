#pragma once
// Which nodes are given in a training batch with --mask-training (docs/METHOD.md,
// "Conditioning"): a mixture that covers every subset, so that the trained model is exact
// for any set of given nodes in the limit, plus the shapes people give on label maps.
#include "efm/base/image_layout.h"

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace efm {

// bool [batch, variables]. Per labeling: with probability 1/4 no node is given (the model
// stays an unconditional one); otherwise every node is given with the same probability r ~
// U[0, 1), a draw that gives every subset of the nodes a positive probability. On image data
// half of the conditioned labelings get a rectangle instead (never empty), given either
// inside or outside: the painted regions and borders of inpainting.
torch::Tensor drawGivenMask(int64_t batch, int64_t variables, const ImageLayout& image,
                            at::Generator& generator);

}  // namespace efm

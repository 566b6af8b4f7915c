#pragma once
// Likelihoods of binary images published by other models' authors, quoted from their papers
// for scale beside efm's own measurements (bench_likelihood.cpp). Each row names the paper,
// the table it comes from, the dataset and its binarization.
#include "report_table.h"

namespace efm::bench {

// Columns: model, source, nats per image, bits/dim (nats / (n ln 2)), dataset. Argmax flows
// and multinomial diffusion (Hoogeboom et al. 2021) report no binarized-MNIST figure; their
// Cityscapes one is listed with its dataset named.
Table publishedLikelihoods();

}  // namespace efm::bench

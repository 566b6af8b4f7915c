// Published likelihoods of binary and categorical images, as their authors report them.
#include "published_likelihoods.h"

#include <cmath>
#include <string>

namespace efm::bench {

namespace {

std::string bitsPerDimension(double nats, double pixels) {
  return formatNumber(nats / (pixels * std::log(2.0)), 3);
}

}  // namespace

Table publishedLikelihoods() {
  Table table;
  table.columns = {"model", "source", "nats per image", "bits/dim", "dataset"};
  // van den Oord, Kalchbrenner, Kavukcuoglu, "Pixel Recurrent Neural Networks", ICML 2016,
  // the binarized-MNIST table: their best autoregressive model.
  table.add({"PixelRNN (Diagonal BiLSTM, 7 layers)", "van den Oord et al. 2016", "79.20",
             bitsPerDimension(79.20, 784), "binarized MNIST (static), 28 x 28"});
  // Burda, Grosse, Salakhutdinov, "Importance Weighted Autoencoders", ICLR 2016, Table 1:
  // two stochastic layers, k = 50, test log-likelihood estimated with 5000 samples.
  table.add({"IWAE (2 stochastic layers, k = 50)", "Burda et al. 2016", "82.90",
             bitsPerDimension(82.90, 784), "binarized MNIST (dynamic), 28 x 28"});
  // Hoogeboom, Nielsen, Jaini, Forre, Welling, "Argmax Flows and Multinomial Diffusion",
  // NeurIPS 2021: no binarized-MNIST result; their image experiment is Cityscapes label
  // maps, 32 x 64 pixels, 8 classes, in bits per pixel (section 6, the text beside Table 4).
  table.add({"Multinomial diffusion", "Hoogeboom et al. 2021", "", "0.37 (ELBO)",
             "Cityscapes 32 x 64, 8 classes (test)"});
  return table;
}

}  // namespace efm::bench

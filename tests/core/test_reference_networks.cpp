// The reference-faithful networks (dense, cnn-ref, unet-ref): parameter counts and
// multiply-adds against numbers computed by hand from the reference's definitions, the time
// features they use, batch normalisation's two modes, and the reference CNN written out
// with full kernels.
#include "efm/base/errors.h"
#include "efm/config/run_config.h"
#include "efm/models/network_registry.h"
#include "efm/models/reference_cnn_field.h"
#include "efm/models/time_features.h"
#include "parameter_count.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>

using namespace efm;
using efm_test::trainableParameters;
using torch::Tensor;

namespace {

VectorFieldPtr referenceNet(const std::string& kind, int64_t n, int64_t c,
                            const ImageLayout& image = {}) {
  NetworkOptions options;
  options.kind = kind;
  resolveNetworkOptions(options);  // the kind's default width
  return makeVectorField(n, c, options, image);
}

}  // namespace

TEST_CASE("dense has the reference DenseNet's parameters and multiply-adds", "[nn][reference]") {
  // DenseNet(c, n, [256, 256]): features c n + 1 -> 256 -> 256 -> c n; each layer
  // BatchNorm1d(d_in) (2 d_in parameters) + Linear (d_in d_out + d_out).
  auto expectedParameters = [](int64_t cn) {
    return 2 * (cn + 1) + (cn + 1) * 256 + 256 + 2 * 256 + 256 * 256 + 256 + 2 * 256 + 256 * cn +
           cn;
  };
  auto expectedMultiplyAdds = [](int64_t cn) { return (cn + 1) * 256 + 256 * 256 + 256 * cn; };
  CHECK(expectedParameters(4) == 69390);  // n = 2, c = 2, as PyTorch counts the reference
  CHECK(expectedParameters(9) == 71965);  // n = 3, c = 3
  for (auto [n, c] : {std::pair<int64_t, int64_t>{2, 2}, {3, 3}, {4, 160}}) {
    auto net = referenceNet("dense", n, c);
    CHECK(trainableParameters(*net) == expectedParameters(n * c));
    CHECK(net->multiplyAddsPerSample() == Approx(expectedMultiplyAdds(n * c)));
  }
}

TEST_CASE("cnn-ref has the reference CNN's parameters and multiply-adds", "[nn][reference]") {
  // CNNModel(K, hidden 128): Conv1d(K, 128, 9); GaussianFourierProjection(128) (64 fixed
  // frequencies, not trainable) + Linear(128, 128); per layer Linear(128, 128),
  // LayerNorm(128), Conv1d(128, 128, 9); final Conv1d(128, 128, 1), Conv1d(128, K, 1).
  auto expectedParameters = [](int64_t k) {
    const int64_t layer = (128 * 128 + 128) + 2 * 128 + (128 * 128 * 9 + 128);
    return (k * 128 * 9 + 128) + (128 * 128 + 128) + 5 * layer + (128 * 128 + 128) + (128 * k + k);
  };
  // Per sample of n positions, every tap counted: convolutions at each position, the time
  // layers once.
  auto expectedMultiplyAdds = [](int64_t k, int64_t n) {
    return double(k * 128 * 9 * n) + 6.0 * 128 * 128 + 5.0 * 128 * 128 * 9 * n +
           double((128 * 128 + 128 * k) * n);
  };
  CHECK(expectedParameters(160) == 1059872);
  CHECK(expectedParameters(40) == 906152);
  for (int64_t k : {40, 160}) {
    auto net = referenceNet("cnn-ref", 4, k);
    CHECK(trainableParameters(*net) == expectedParameters(k));
    CHECK(net->named_buffers()["time.frequencies"].numel() == 64);
    CHECK(net->multiplyAddsPerSample() == Approx(expectedMultiplyAdds(k, 4)));
  }
  CHECK(expectedMultiplyAdds(160, 4) == Approx(3932160));
}

TEST_CASE("unet-ref has the reference U-Net's parameters", "[nn][reference][unet]") {
  // The reference's U-Net for Cityscapes (8 classes): model_channels 32, channel_mult
  // 1,2,2,2, 2 residual blocks, attention in the middle block only, time embedding
  // Linear(32, 128), SiLU, Linear(128, 128) of guided diffusion's 32 sinusoidal features.
  // 2,164,808 parameters as PyTorch counts them; ours with octave features of 16 has the
  // time layer's 16 x 128 fewer.
  const ImageLayout image{64, 128, ""};
  auto reference = referenceNet("unet-ref", 64 * 128, 8, image);
  CHECK(trainableParameters(*reference) == 2164808);
  CHECK(trainableParameters(*referenceNet("unet", 64 * 128, 8, image)) == 2164808 - 16 * 128);
  CHECK(reference->named_buffers()["time.frequencies"].numel() == 16);
  // Multiply-adds of one 64 x 128 map: the reference's layers (every convolution, the
  // attention's 1x1 projections) count 2.892 G; the attention's two matrix products at the
  // 8 x 16 bottleneck, 2 x 128^2 x 64 = 2.1 M, are not layers and come on top.
  CHECK(reference->multiplyAddsPerSample() == Approx(2.892e9 + 2.0 * 128 * 128 * 64).epsilon(5e-4));
}

TEST_CASE("Time features: octaves, guided diffusion's sinusoids, fixed Gaussian frequencies",
          "[nn][reference]") {
  const Tensor t = torch::tensor({0.0, 1.5}, torch::kFloat32);
  // Octaves: f_k = 4 / 2^(3-k) cycles per unit of t, [sin, cos].
  const Tensor octaves = TimeFeatures(8, 4.0, TimeSpacing::kOctaves)->forward(t);
  for (int k = 0; k < 4; ++k) {
    const double phase = 2 * M_PI * 4.0 / std::pow(2.0, 3 - k) * 1.5;
    CHECK(octaves[1][k].item<double>() == Approx(std::sin(phase)).margin(1e-5));
    CHECK(octaves[1][4 + k].item<double>() == Approx(std::cos(phase)).margin(1e-5));
  }
  // Guided diffusion: 10000^(-k/K) radians per unit of t, [cos, sin]; at t = 0 the cosines
  // are 1 and the sines 0.
  const Tensor sinusoids = TimeFeatures(8, 0.0, TimeSpacing::kSinusoidal)->forward(t);
  for (int k = 0; k < 4; ++k) {
    const double phase = std::pow(10000.0, -k / 4.0) * 1.5;
    CHECK(sinusoids[1][k].item<double>() == Approx(std::cos(phase)).margin(1e-5));
    CHECK(sinusoids[1][4 + k].item<double>() == Approx(std::sin(phase)).margin(1e-5));
    CHECK(sinusoids[0][k].item<double>() == Approx(1));
  }
  // Gaussian: 512 frequencies of standard deviation 30 cycles: the sample standard deviation
  // is within 4 standard errors (30 / sqrt(2 * 512) = 0.94) of 30.
  torch::manual_seed(3);
  TimeFeatures gaussian(1024, 30.0, TimeSpacing::kGaussian);
  const double cycles = gaussian->named_buffers()["frequencies"].std().item<double>() / (2 * M_PI);
  CHECK(std::abs(cycles - 30) < 4 * 0.94);
}

TEST_CASE("dense: batch statistics in training, running statistics when sampling",
          "[nn][reference]") {
  torch::manual_seed(5);
  auto net = referenceNet("dense", 3, 2);
  const Tensor w = torch::softmax(torch::randn({6, 3, 2}), -1);
  const Tensor t = torch::rand({6}) * 10;
  {
    // Training mode: a row's output depends on the other rows (batch statistics).
    torch::NoGradGuard noGrad;
    const Tensor all = net->forward(w, t).slice(0, 0, 2);
    const Tensor two = net->forward(w.slice(0, 0, 2), t.slice(0, 0, 2));
    CHECK(!torch::allclose(all, two, 1e-4, 1e-5));
  }
  net->eval();
  torch::NoGradGuard noGrad;
  // Eval mode: rows are independent, and a time shared by the batch equals it per row.
  CHECK(torch::allclose(net->forward(w, t).slice(0, 0, 2),
                        net->forward(w.slice(0, 0, 2), t.slice(0, 0, 2)), 1e-5, 1e-6));
  const Tensor shared = torch::full({1}, 2.5);
  CHECK(torch::allclose(net->forward(w, shared), net->forward(w, shared.expand({6})), 1e-5, 1e-6));
  // The output layer's ReLU: non-negative everywhere.
  CHECK(net->forward(w, t).min().item<double>() >= 0);
}

TEST_CASE("dense refuses a training batch of 1", "[nn][reference]") {
  RunConfig config;
  config.data = "toy:coupled-binary";
  config.network.kind = "dense";
  config.train.batch = 1;
  CHECK_THROWS_WITH(resolveAndValidate(config),
                    Catch::Contains("train.batch must be >= 2") && Catch::Contains("dense"));
  config.train.batch = 2;
  CHECK_NOTHROW(resolveAndValidate(config));
}

TEST_CASE("cnn-ref equals the reference CNN written out with full kernels", "[nn][reference]") {
  // n = 5: the dilations 4, 16 and 64 leave most taps in the padding, which efm skips.
  torch::manual_seed(9);
  NetworkOptions options;
  options.kind = "cnn-ref";
  options.hidden = 16;
  auto net = std::dynamic_pointer_cast<ReferenceCnnFieldImpl>(makeVectorField(5, 3, options));
  REQUIRE(net);
  torch::NoGradGuard noGrad;
  const Tensor w = torch::softmax(torch::randn({3, 5, 3}), -1);
  const Tensor t = torch::rand({3}) * 10;
  const Tensor fast = net->forward(w, t);

  auto children = net->named_children();
  auto layer = [](const std::shared_ptr<torch::nn::Module>& list, size_t k) {
    return list->children()[k];
  };
  const Tensor e = torch::relu(children["time_layer"]->as<torch::nn::Linear>()->forward(
      children["time"]->as<TimeFeatures>()->forward(t)));
  Tensor x = torch::relu(children["embed"]->as<torch::nn::Conv1d>()->forward(w.permute({0, 2, 1})));
  for (size_t k = 0; k < 5; ++k) {
    Tensor h =
        x +
        layer(children["time_projections"], k)->as<torch::nn::Linear>()->forward(e).unsqueeze(-1);
    h = layer(children["norms"], k)
            ->as<torch::nn::LayerNorm>()
            ->forward(h.permute({0, 2, 1}))
            .permute({0, 2, 1});
    x = torch::relu(layer(children["convs"], k)->as<torch::nn::Conv1d>()->forward(h)) + x;
  }
  const Tensor slow =
      children["readout"]->as<torch::nn::Sequential>()->forward(x).permute({0, 2, 1});
  CHECK(torch::allclose(fast, slow, 1e-5, 1e-6));
}

// Networks: shapes and time conditioning of every kind for sequences and tables, the CNN's
// translation equivariance, and its skipped padding taps.
#include "efm/base/errors.h"
#include "efm/models/cnn_field.h"
#include "efm/models/network_registry.h"
#include "efm/models/time_features.h"
#include "efm/models/vector_field.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <memory>

using namespace efm;
using torch::Tensor;

TEST_CASE("Networks map [B, n, c] and [B] to [B, n, c] with registered parameters", "[nn]") {
  for (const NetworkKind& kind : networkKinds()) {
    if (kind.imageOnly) continue;  // test_unet.cpp
    NetworkOptions options;
    options.kind = kind.name;
    options.hidden = 16;
    auto net = makeVectorField(5, 3, options);
    // Sampling's mode: in training mode the dense net's batch norm maps a time column that
    // is constant over the batch to 0.
    net->eval();
    const Tensor w = torch::softmax(torch::randn({4, 5, 3}), -1);
    const Tensor out = net->forward(w, torch::rand({4}));
    CHECK(out.sizes() == torch::IntArrayRef({4, 5, 3}));
    CHECK(net->parameters().size() > 3);
    if (kind.name != "dense")  // the dense net takes raw t
      CHECK(net->named_buffers().contains("time.frequencies"));
    // The output depends on t (time conditioning is wired in).
    CHECK(!torch::allclose(net->forward(w, torch::zeros({4})), net->forward(w, torch::ones({4}))));
  }
  NetworkOptions bad;
  bad.kind = "transformer";
  CHECK_THROWS_AS(makeVectorField(2, 2, bad), InputError);
}

TEST_CASE("The dilated CNN is translation-equivariant away from the borders", "[nn]") {
  NetworkOptions options;
  options.kind = "cnn";
  options.hidden = 8;
  options.kernel = 3;
  options.dilations = {1, 2};
  auto net = makeVectorField(32, 3, options);
  torch::NoGradGuard noGrad;
  const Tensor w = torch::softmax(torch::randn({1, 32, 3}), -1);
  const Tensor t = torch::full({1}, 0.5);
  const Tensor shifted = torch::roll(w, 1, 1);
  const Tensor a = net->forward(w, t), b = net->forward(shifted, t);
  // Receptive field radius 1 + 2 = 3: positions 8..20 see no border.
  CHECK(torch::allclose(torch::roll(a, 1, 1).slice(1, 8, 20), b.slice(1, 8, 20), 1e-5, 1e-5));
}

TEST_CASE("The CNN's skipped padding taps do not change its output", "[nn]") {
  // n = 5 with dilation 4 and 16: most taps of kernel 9 see only padding.
  NetworkOptions options;
  options.kind = "cnn";
  options.hidden = 8;
  options.dilations = {1, 4, 16};
  auto net = std::dynamic_pointer_cast<DilatedCnnFieldImpl>(makeVectorField(5, 3, options));
  REQUIRE(net);
  torch::NoGradGuard noGrad;
  const Tensor w = torch::softmax(torch::randn({3, 5, 3}), -1);
  const Tensor t = torch::rand({3});
  const Tensor fast = net->forward(w, t);
  // The same network written out with full kernels and full padding.
  const auto children = net->named_children();
  Tensor x = children["embed"]->as<torch::nn::Conv1d>()->forward(w.transpose(1, 2));
  const Tensor tf = children["time"]->as<TimeFeatures>()->forward(t);
  const auto norms = children["norms"]->children();
  const auto projections = children["time_projections"]->children();
  const auto layers = children["convs"]->children();
  for (size_t k = 0; k < layers.size(); ++k) {
    Tensor y = norms[k]->as<torch::nn::LayerNorm>()->forward(x.transpose(1, 2)).transpose(1, 2);
    y = y + projections[k]->as<torch::nn::Linear>()->forward(tf).unsqueeze(-1);
    x = x + torch::relu(layers[k]->as<torch::nn::Conv1d>()->forward(y));
  }
  const Tensor slow = children["readout"]->as<torch::nn::Conv1d>()->forward(x).transpose(1, 2);
  CHECK(torch::allclose(fast, slow, 1e-5, 1e-6));
}

// The MLP's variant settings (time input, activation, input transform, normalisation) and
// the per-network training defaults: parameter counts from the definition, the invariance of
// the centred-logit input, the checks of the settings, and what 0 / "" resolve to.
#include "efm/base/errors.h"
#include "efm/config/run_config.h"
#include "efm/models/network_registry.h"
#include "parameter_count.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

using namespace efm;
using efm_test::trainableParameters;
using torch::Tensor;

namespace {

VectorFieldPtr mlp(int64_t n, int64_t c, NetworkOptions options) {
  options.kind = "mlp";
  options.hidden = 32;
  resolveNetworkOptions(options);
  return makeVectorField(n, c, options);
}

Tensor randomPoints(int64_t batch, int64_t n, int64_t c, uint64_t seed) {
  torch::manual_seed(static_cast<int64_t>(seed));
  return torch::softmax(3 * torch::randn({batch, n, c}), -1);
}

}  // namespace

TEST_CASE("MLP variants have the parameters their definition gives", "[nn][mlp]") {
  const int64_t n = 3, c = 4, h = 32, nc = n * c;
  // input Linear(nc, h) + time Linear(F, h, no bias) + Linear(h, h) + Linear(h, nc)
  auto expected = [&](int64_t timeWidth, int64_t normParameters) {
    return nc * h + h + timeWidth * h + h * h + h + h * nc + nc + normParameters;
  };
  // Batch and layer norm both have a scale and a shift per feature, before each of the three
  // linear layers' W parts: nc, h, h features.
  const int64_t norms = 2 * (nc + h + h);
  struct Case {
    std::string key, value;
    int64_t parameters;
  };
  for (const Case& k : std::vector<Case>{{"time_input", "fourier", expected(16, 0)},
                                         {"time_input", "raw", expected(1, 0)},
                                         {"activation", "silu", expected(16, 0)},
                                         {"input", "centred-logits", expected(16, 0)},
                                         {"norm", "batch", expected(16, norms)},
                                         {"norm", "layer", expected(16, norms)}}) {
    INFO(k.key << " = " << k.value);
    NetworkOptions options;
    if (k.key == "time_input") options.timeInput = k.value;
    if (k.key == "activation") options.activation = k.value;
    if (k.key == "input") options.input = k.value;
    if (k.key == "norm") options.norm = k.value;
    auto net = mlp(n, c, options);
    CHECK(trainableParameters(*net) == k.parameters);
    net->eval();
    const Tensor v = net->forward(randomPoints(5, n, c, 1), torch::full({5}, 2.5));
    CHECK(v.sizes() == torch::IntArrayRef({5, n, c}));
    CHECK(torch::isfinite(v).all().item<bool>());
  }
}

TEST_CASE("The centred-logit input sees the e-flat coordinates: scaling W changes nothing",
          "[nn][mlp]") {
  // log(lambda w) - mean(log(lambda w)) = log w - mean(log w) for every lambda > 0 per node;
  // the plain log input does see the scale.
  const int64_t n = 2, c = 5;
  const Tensor w = randomPoints(4, n, c, 3);
  const Tensor scale = torch::tensor({0.5, 3.0}).view({1, n, 1});
  const Tensor t = torch::full({4}, 1.0);
  NetworkOptions centred, logs;
  centred.input = "centred-logits";
  logs.input = "log-probabilities";
  torch::manual_seed(0);
  auto a = mlp(n, c, centred);
  CHECK(torch::allclose(a->forward(w, t), a->forward(w * scale, t), 1e-5, 1e-6));
  auto b = mlp(n, c, logs);
  CHECK_FALSE(torch::allclose(b->forward(w, t), b->forward(w * scale, t), 1e-3, 1e-4));
}

TEST_CASE("MLP variant settings are checked and belong to the mlp", "[nn][mlp][config]") {
  NetworkOptions options;
  resolveNetworkOptions(options);  // the defaults fill in
  CHECK(options.timeInput == "fourier");
  CHECK(options.activation == "relu");
  CHECK(options.input == "probabilities");
  CHECK(options.norm == "none");

  NetworkOptions wrong;
  wrong.activation = "tanh";
  CHECK_THROWS_WITH(resolveNetworkOptions(wrong),
                    Catch::Contains("network.activation must be one of") &&
                        Catch::Contains("'relu'") && Catch::Contains("'tanh'"));
  NetworkOptions cnn;
  cnn.kind = "cnn";
  cnn.norm = "batch";
  CHECK_THROWS_WITH(resolveNetworkOptions(cnn),
                    Catch::Contains("network.norm is a setting of the 'mlp' network only"));

  // Batch normalisation needs two samples in a training batch.
  RunConfig config;
  config.network.norm = "batch";
  config.train.batch = 1;
  CHECK_THROWS_WITH(resolveAndValidate(config), Catch::Contains("train.batch must be >= 2"));
  config.train.batch = 2;
  CHECK_NOTHROW(resolveAndValidate(config));
}

TEST_CASE("Batch, learning rate and schedule default per network", "[config]") {
  for (const NetworkKind& kind : networkKinds()) {
    INFO(kind.name);
    RunConfig config;
    config.network.kind = kind.name;
    if (kind.imageOnly) {
      config.image.height = config.image.width = 16;
      config.variables = 256;
    }
    resolveAndValidate(config);
    CHECK(config.train.batch == kind.training.batch);
    CHECK(config.train.learningRate == kind.training.learningRate);
    CHECK(config.train.schedule == kind.training.schedule);
    CHECK(config.train.batch >= kind.minBatch);
  }
  // The tables' defaults are the reference's toy configuration; given values are kept.
  CHECK(networkKind("mlp").training.batch == 512);
  CHECK(networkKind("mlp").training.learningRate == 5e-4);
  RunConfig given;
  given.train.batch = 64;
  given.train.learningRate = 1e-3;
  given.train.schedule = "cosine";
  resolveAndValidate(given);
  CHECK(given.train.batch == 64);
  CHECK(given.train.learningRate == 1e-3);
  CHECK(given.train.schedule == "cosine");
}

TEST_CASE("A run recorded before network.activation existed keeps its SiLU", "[config]") {
  // Runs trained before ReLU became the MLP's default (their config.json and checkpoints
  // have no activation key) must sample with the activation they were trained with.
  const RunConfig old =
      configFromJsonString(R"({"network": {"kind": "mlp", "hidden": 32}})", "old");
  CHECK(old.network.activation == "silu");
  const RunConfig cnn = configFromJsonString(R"({"network": {"kind": "cnn"}})", "old cnn");
  CHECK(cnn.network.activation.empty());
  RunConfig now;
  resolveAndValidate(now);
  CHECK(now.network.activation == "relu");
  CHECK(configFromJsonString(toJsonString(now), "round trip").network.activation == "relu");
}

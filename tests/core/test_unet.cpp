// The U-Net vector field: shapes, a shared time, its cost model, bad sizes, and a tiny
// image distribution learned well enough that most samples are valid images of it.
#include "trainer_fixtures.h"

#include "efm/base/errors.h"
#include "efm/config/run_config.h"
#include "efm/models/network_registry.h"
#include "efm/models/unet_field.h"
#include "efm/sampling/sampling_request.h"
#include "efm/train/trainer.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

using namespace efm;
using torch::Tensor;

namespace {

using efm_test::tinyUNet;

// 8 x 8 label maps split by one vertical boundary at a random column 2..6: class 0 to the
// left, class 1 to the right. Every row of a valid map is the same 0...01...1 pattern.
class SplitImages final : public Dataset {
 public:
  int64_t variables() const override { return 64; }
  int64_t classes() const override { return 2; }
  Tensor sample(int64_t batch, at::Generator& generator) const override {
    const Tensor boundary = torch::randint(2, 7, {batch, 1, 1}, generator, torch::kLong);
    const Tensor column = torch::arange(8, torch::kLong).view({1, 1, 8}).expand({batch, 8, 8});
    return (column >= boundary).to(torch::kLong).reshape({batch, 64});
  }
  std::optional<Tensor> jointTable() const override { return std::nullopt; }
  Tensor marginals() const override { return torch::full({64, 2}, 0.5, torch::kFloat64); }
  std::string description() const override { return "split images 8x8"; }
  ImageLayout imageLayout() const override { return {8, 8, ""}; }
};

bool isValidSplit(const Tensor& labels) {  // int64 [64]
  const Tensor map = labels.view({8, 8});
  if (!torch::equal(map, map.select(0, 0).unsqueeze(0).expand({8, 8}))) return false;
  const Tensor row = map.select(0, 0);
  const int64_t ones = row.sum().item<int64_t>();
  return ones >= 2 && ones <= 6 && row.slice(0, 8 - ones).min().item<int64_t>() == 1;
}

}  // namespace

TEST_CASE("U-Net maps [B, H*W, c] to [B, H*W, c], and a shared time equals a per-sample time",
          "[nn][unet]") {
  torch::manual_seed(3);
  UNetFieldImpl net(16, 8, 3, tinyUNet());
  // The zero-initialised output layer would make every output 0: perturb all parameters.
  {
    torch::NoGradGuard noGrad;
    for (auto& p : net.parameters()) p.add_(torch::randn_like(p) * 0.1);
  }
  const Tensor w = torch::softmax(torch::randn({5, 128, 3}), -1);
  const Tensor shared = net.forward(w, torch::full({1}, 2.5));
  const Tensor perSample = net.forward(w, torch::full({5}, 2.5));
  REQUIRE(shared.sizes() == torch::IntArrayRef({5, 128, 3}));
  // Equal up to float rounding (the convolution kernels may block a batch differently).
  const double scale = shared.abs().max().item<double>();
  REQUIRE(scale > 0);
  CHECK((shared - perSample).abs().max().item<double>() < 1e-5 * scale);
  // Each sample is processed on its own (group norm is per sample): batch of one agrees.
  const Tensor single = net.forward(w.slice(0, 2, 3), torch::full({1}, 2.5));
  CHECK((single - shared.slice(0, 2, 3)).abs().max().item<double>() < 1e-5 * scale);
  // The time matters.
  CHECK_FALSE(torch::allclose(net.forward(w, torch::full({1}, 0.1)), shared, 1e-3, 1e-3));
  // Pixels are nodes in row-major order: moving one pixel's input changes its own output.
  Tensor moved = w.clone();
  moved[0][37] = torch::tensor({0.9f, 0.05f, 0.05f});
  const Tensor change = (net.forward(moved, torch::full({1}, 2.5)) - shared).abs().sum(-1);
  CHECK(change[0][37].item<float>() > 0);
  CHECK(change[1].max().item<float>() == 0);
}

TEST_CASE("U-Net multiply-adds match a hand count for one level", "[nn][unet]") {
  NetworkOptions options = tinyUNet();
  options.channelMultipliers = {1};
  options.attentionResolutions = {};
  const int64_t h = 4, w = 6, c = 3, ch = 8, hw = h * w;
  UNetFieldImpl net(h, w, c, options);
  const double conv = hw * 9.0;
  double expected = conv * c * ch;                                             // input
  expected += 2 * conv * ch * ch;                                              // encoder block
  expected += 2 * 2 * conv * ch * ch;                                          // two middle blocks
  expected += hw * ch * ch * 4.0 + 2.0 * hw * hw * ch;                         // middle attention
  expected += 2 * (conv * 2 * ch * ch + conv * ch * ch + hw * 2.0 * ch * ch);  // decoder
  expected += conv * ch * c;                                                   // output
  CHECK(net.multiplyAddsPerSample() == Approx(expected));
}

TEST_CASE("U-Net rejects image sizes it cannot halve and data that are not images", "[nn][unet]") {
  NetworkOptions options = tinyUNet();
  options.channelMultipliers = {1, 1, 1};  // halves twice: sides must be multiples of 4
  CHECK_THROWS_WITH(UNetFieldImpl(6, 8, 2, options),
                    Catch::Contains("multiples of 4") && Catch::Contains("6 x 8"));
  CHECK_THROWS_AS(makeVectorField(64, 2, options), InputError);
  CHECK_NOTHROW(makeVectorField(64, 2, options, ImageLayout{8, 8, ""}));
}

TEST_CASE("A tiny U-Net learns split images: loss falls and most samples are valid",
          "[learning][unet]") {
  RunConfig config;
  config.data = "split-images";
  config.network = tinyUNet();
  config.train.batch = 32;
  config.train.steps = 250;
  config.train.learningRate = 3e-3;
  config.train.seed = 5;
  resolveAndValidate(config);
  Trainer trainer(config, std::make_shared<SplitImages>());
  REQUIRE(trainer.config().image.height == 8);
  double first = 0, last = 0;
  for (int64_t k = 0; k < config.train.steps; ++k) {
    const double loss = trainer.step();
    if (k < 40) first += loss / 40;
    if (k >= config.train.steps - 40) last += loss / 40;
  }
  INFO("loss " << first << " -> " << last);
  CHECK(last < 0.7 * first);
  SamplingRequest request;
  request.count = 64;
  request.seed = 2;
  const SampleOptions options = sampleOptionsFor(trainer.path(), 64, 2, request);
  const SampleResult result = sampleLabelings(trainer.network(), trainer.path(), options);
  int valid = 0;
  for (int64_t k = 0; k < options.count; ++k) valid += isValidSplit(result.labels[k]);
  INFO(valid << " of 64 samples are valid split images");
  CHECK(valid >= 40);
}

TEST_CASE("U-Net in mixed bf16: output and gradients close to fp32, and back to fp32 exactly",
          "[unet][precision]") {
  torch::manual_seed(4);
  const VectorFieldPtr net = makeVectorField(16 * 32, 5, tinyUNet(), ImageLayout{16, 32, ""});
  REQUIRE(net->hasBf16Path());
  {  // The zero-initialised last convolutions would make both precisions agree trivially.
    torch::NoGradGuard noGrad;
    for (auto& p : net->parameters()) p.normal_(0, 0.1);
  }
  const Tensor w = torch::softmax(torch::randn({3, 16 * 32, 5}), -1);
  const Tensor t = torch::tensor({0.5F, 2.0F, 9.0F});

  auto forwardAndGradients = [&](Precision precision) {
    net->setPrecision(precision);
    net->zero_grad();
    const Tensor out = net->forward(w, t);
    out.pow(2).mean().backward();
    std::vector<Tensor> grads;
    for (const auto& p : net->parameters()) grads.push_back(p.grad().detach().flatten().clone());
    return std::make_pair(out.detach(), torch::cat(grads));
  };
  const auto [out32, grad32] = forwardAndGradients(Precision::kFloat32);
  const auto [out16, grad16] = forwardAndGradients(Precision::kBFloat16);
  CHECK(out16.scalar_type() == torch::kFloat32);
  CHECK(net->parameters()[0].scalar_type() == torch::kFloat32);  // weights stay fp32
  // bf16 keeps 8 significant bits (relative rounding 2^-9 per operand); through a dozen
  // convolutions the output stays within a few percent of its scale.
  const double scale = out32.abs().max().item<double>();
  CHECK((out16 - out32).abs().max().item<double>() / scale < 0.05);
  CHECK(torch::isfinite(grad16).all().item<bool>());
  const double cosine =
      (torch::dot(grad16, grad32) / (grad16.norm() * grad32.norm())).item<double>();
  CHECK(cosine > 0.99);
  // Back in fp32 the network computes exactly what it computed before.
  const auto [again, gradAgain] = forwardAndGradients(Precision::kFloat32);
  CHECK(torch::equal(again, out32));
}

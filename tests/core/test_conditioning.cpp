// Conditional sampling (docs/CONDITIONING.md): given nodes move along their own conditional
// path (checked against each path's closed form), carry their label, leave the sampler
// unchanged when none is given, and are read from text and label maps with clear errors.
// The network that sees given nodes, the training masks and the exactness measurement.
#include "image_fixtures.h"
#include "input_errors.h"
#include "scratch_directory.h"
#include "trainer_fixtures.h"

#include "efm/data/images/png_io.h"
#include "efm/eval/conditional_exactness.h"
#include "efm/geometry/geometry.h"
#include "efm/io/given_nodes.h"
#include "efm/models/conditioned_field.h"
#include "efm/models/network_registry.h"
#include "efm/paths/path_registry.h"
#include "efm/sampling/sampler.h"
#include "efm/train/given_masks.h"
#include "efm/train/trainer.h"
#include "tensor_checks.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <set>

using namespace efm;
using torch::Tensor;

namespace {

using efm_test::maxAbs;

VectorFieldPtr smallNetwork(int64_t n, int64_t c, bool givenNodes = false) {
  NetworkOptions options;
  options.hidden = 16;
  options.givenNodes = givenNodes;
  torch::manual_seed(5);
  return makeVectorField(n, c, options);
}

ProbabilityPathPtr pathNamed(const std::string& name) {
  PathOptions options;
  options.kind = name;
  return makeProbabilityPath(options);
}

// Sampling options for `count` labelings of n nodes, c classes, with the path's own solver.
SampleOptions optionsFor(const ProbabilityPath& path, int64_t count, int64_t n, int64_t c) {
  SampleOptions options;
  options.count = count;
  options.variables = n;
  options.classes = c;
  options.solver = path.defaultSolver();
  options.seed = 11;
  return options;
}

GivenNodes everyNodeGiven(const Tensor& labels) {
  return {labels, torch::ones(labels.sizes(), torch::kBool), ConditioningMethod::Replace};
}

// P0 of the smoothed one-hot logits of the reference path options (eps = 0.01).
Tensor smoothedLogits(const Tensor& labels, int64_t c) {
  const double eps = PathOptions{}.smoothing;
  const Tensor w1 = (1 - eps) * torch::one_hot(labels, c).to(torch::kFloat32) + eps / c;
  return geometry::projectTangent(w1.log());
}

}  // namespace

TEST_CASE("Given nodes follow their conditional path: closed forms against the integrated flow",
          "[math][conditioning]") {
  const int64_t count = 64, n = 3, c = 4;
  const Tensor labels = torch::tensor({{2, 0, 3}}, torch::kLong);
  const Tensor onehot = torch::one_hot(labels, c).to(torch::kFloat32);
  for (const std::string name : {"ray", "bridge", "linear", "fisher"}) {
    DYNAMIC_SECTION(name) {
      const auto path = pathNamed(name);
      auto network = smallNetwork(n, c);
      SampleOptions options = optionsFor(*path, count, n, c);
      options.solver.keepTrajectory = true;
      options.given = everyNodeGiven(labels);
      const SampleResult drawn = sampleLabelings(*network, *path, options);
      CHECK(torch::equal(drawn.labels, labels.expand({count, n})));
      const Tensor w0 = drawn.trajectories[0].to(torch::kFloat64);
      double worst = 0;
      for (size_t k = 0; k < drawn.times.size(); k += 7) {
        const double t = drawn.times[k];
        Tensor expected;
        if (name == "ray") {  // V_t = V0 + m t vhat
          const Tensor v = smoothedLogits(labels, c).to(torch::kFloat64);
          const Tensor v0 = geometry::projectTangent(w0.log());
          expected = torch::softmax(v0 + PathOptions{}.magnitude * t * v / v.norm(2, -1, true), -1);
        } else if (name == "bridge") {  // V_t = (1 - t) V0 + t V1
          const Tensor v0 = geometry::projectTangent(w0.log());
          const Tensor v1 = smoothedLogits(labels, c).to(torch::kFloat64);
          expected = torch::softmax((1 - t) * v0 + t * v1, -1);
        } else if (name == "linear") {  // x_t = (1 - t) x0 + t e
          expected = (1 - t) * w0 + t * onehot.to(torch::kFloat64);
        } else {  // the great circle from sqrt(x0) to e, at the fraction t of its angle
          const Tensor s0 = w0.sqrt();
          const Tensor s1 = onehot.to(torch::kFloat64).expand_as(s0);
          const Tensor angle = (s0 * s1).sum(-1, true).clamp(-1, 1).acos();
          const Tensor s = (((1 - t) * angle).sin() * s0 + (t * angle).sin() * s1) / angle.sin();
          expected = s * s;
        }
        worst = std::max(worst, maxAbs(drawn.trajectories[static_cast<int64_t>(k)] - expected));
      }
      INFO("largest deviation from the closed form " << worst);
      CHECK(worst < 2e-4);
    }
  }
}

TEST_CASE("A given node on the Dirichlet path reaches the conditional law Dir(1 + (a-1) e)",
          "[math][conditioning]") {
  // The conditional flow carries Dir(1) to Dir(1 + (alpha - 1) e_i): the mean of x_i at
  // alpha is alpha / (alpha + c - 1), read here from the integrated flow's end point.
  const int64_t count = 20000, c = 3;
  const auto path = pathNamed("dirichlet");
  auto network = smallNetwork(1, c);
  SampleOptions options = optionsFor(*path, count, 1, c);
  options.lateFraction = 0.9999;  // W at the last solver time: the state itself
  options.given = everyNodeGiven(torch::tensor({{1}}, torch::kLong));
  const SampleResult drawn = sampleLabelings(*network, *path, options);
  const double alpha = path->timeEnd();
  CHECK(drawn.lateTime == Approx(alpha));
  const double mean = drawn.lateProbabilities.select(-1, 1).mean().item<double>();
  CHECK(mean == Approx(alpha / (alpha + c - 1)).margin(0.01));
  CHECK((drawn.labels == 1).all().item<bool>());
}

TEST_CASE("Sampling with given nodes: labels kept, and nothing given changes nothing",
          "[conditioning]") {
  const int64_t count = 300, n = 4, c = 3;
  for (const std::string name : {"ray", "bridge", "linear", "dirichlet", "fisher"}) {
    DYNAMIC_SECTION(name) {
      const auto path = pathNamed(name);
      auto network = smallNetwork(n, c);
      SampleOptions options = optionsFor(*path, count, n, c);
      const SampleResult free = sampleLabelings(*network, *path, options);
      // A mask with no node set: the same numbers as no conditioning at all.
      options.given = {torch::zeros({1, n}, torch::kLong), torch::zeros({1, n}, torch::kBool),
                       ConditioningMethod::Replace};
      CHECK(torch::equal(sampleLabelings(*network, *path, options).labels, free.labels));
      // Nodes 1 and 3 given, a different value per labeling.
      const Tensor labels = torch::randint(c, {count, n}, torch::kLong);
      const Tensor mask = torch::tensor({{false, true, false, true}}).expand({count, n});
      options.given = {labels, mask.contiguous(), ConditioningMethod::Replace};
      const SampleResult given = sampleLabelings(*network, *path, options);
      CHECK(torch::equal(given.labels.select(1, 1), labels.select(1, 1)));
      CHECK(torch::equal(given.labels.select(1, 3), labels.select(1, 3)));
    }
  }
}

TEST_CASE("The network of a mask-trained run: given nodes read as labels, none = plain field",
          "[conditioning]") {
  const int64_t batch = 5, n = 3, c = 4;
  auto network = smallNetwork(n, c, /*givenNodes=*/true);
  auto* given = dynamic_cast<ConditionedFieldImpl*>(network.get());
  REQUIRE(given);
  CHECK(given->takesGivenNodes());
  CHECK(given->labelClasses() == 0);
  network->eval();
  const Tensor w = torch::softmax(torch::randn({batch, n, c}), -1);
  const Tensor t = torch::full({1}, 0.7);
  const Tensor labels = torch::randint(c, {batch, n}, torch::kLong);
  const Tensor none = torch::zeros({batch, n}, torch::kBool);
  CHECK(torch::equal(network->forward(w, t), given->forwardConditioned(w, t, {labels, none, {}})));
  // With node 0 given, what the network says of the others does not depend on node 0's W.
  const Tensor first = torch::tensor({{true, false, false}}).expand({batch, n});
  Tensor moved = w.clone();
  moved.select(1, 0).copy_(torch::softmax(torch::randn({batch, c}), -1));
  const Tensor a = given->forwardConditioned(w, t, {labels, first, {}});
  const Tensor b = given->forwardConditioned(moved, t, {labels, first, {}});
  CHECK(maxAbs(a - b) < 1e-6);
  CHECK(maxAbs(a - network->forward(w, t)) > 1e-4);  // but it does depend on the label
  CHECK(a.sizes() == w.sizes());
}

TEST_CASE("Conditioning refusals: trained without a mask-trained model, bad shapes, labels",
          "[conditioning][errors]") {
  const int64_t n = 3, c = 2;
  const auto path = pathNamed("ray");
  auto network = smallNetwork(n, c);
  SampleOptions options = optionsFor(*path, 10, n, c);
  options.given = {torch::zeros({1, n}, torch::kLong), torch::ones({1, n}, torch::kBool),
                   ConditioningMethod::Trained};
  CHECK_THAT(inputErrorMessage([&] { sampleLabelings(*network, *path, options); }),
             Catch::Contains("--mask-training"));
  options.given = {torch::zeros({1, n + 1}, torch::kLong), torch::ones({1, n + 1}, torch::kBool),
                   ConditioningMethod::Replace};
  CHECK_THAT(inputErrorMessage([&] { sampleLabelings(*network, *path, options); }),
             Catch::Contains("3 nodes"));
  options.given = {torch::full({1, n}, c, torch::kLong), torch::ones({1, n}, torch::kBool),
                   ConditioningMethod::Replace};
  CHECK_THAT(inputErrorMessage([&] { sampleLabelings(*network, *path, options); }),
             Catch::Contains("outside the classes 0..1"));
  CHECK(parseConditioningMethod("trained") == ConditioningMethod::Trained);
  CHECK_THROWS_AS(parseConditioningMethod("inpaint"), InputError);
}

TEST_CASE("Given nodes from text: NODE=LABEL lists and their errors", "[conditioning][errors]") {
  const GivenNodes given = givenNodesFromText("0=2, 3 = 1", 4, 3);
  CHECK(torch::equal(given.mask, torch::tensor({{true, false, false, true}})));
  CHECK(given.labels[0][0].item<int64_t>() == 2);
  CHECK(given.labels[0][3].item<int64_t>() == 1);
  const auto error = [](const std::string& text) {
    return inputErrorMessage([&] { givenNodesFromText(text, 4, 3); });
  };
  CHECK_THAT(error("4=1"), Catch::Contains("node 4 is outside the data's 4 nodes (0..3)"));
  CHECK_THAT(error("0=3"), Catch::Contains("label 3 of node 0 is outside the classes 0..2"));
  CHECK_THAT(error("1=1,1=0"), Catch::Contains("node 1 is given twice"));
  CHECK_THAT(error("a=1"), Catch::Contains("'a=1' is not NODE=LABEL"));
  CHECK_THAT(error("2"), Catch::Contains("is not NODE=LABEL"));
  CHECK_THAT(error("-1=0"), Catch::Contains("is not NODE=LABEL"));
  CHECK_THAT(error(""), Catch::Contains("no node given"));
}

TEST_CASE("Given nodes from a label map and a mask: pixels, sizes and labels checked",
          "[conditioning][errors]") {
  const auto dir = efm_test::freshDirectory("given-maps");
  const ImageLayout image{4, 5, ""};
  const Tensor labels = torch::arange(20, torch::kInt32).remainder(3).view({4, 5});
  Tensor mask = torch::zeros({4, 5}, torch::kInt32);
  mask[1][3] = 255;  // label 8 % 3 = 2
  mask[3][4] = 1;    // label 19 % 3 = 1
  const std::string labelsFile = (dir / "labels.png").string();
  const std::string maskFile = (dir / "mask.png").string();
  writeLabelPng(labelsFile, labels);
  writeLabelPng(maskFile, mask);
  const GivenNodes given = givenNodesFromLabelMap(labelsFile, maskFile, image, 3);
  CHECK(given.mask.sum().item<int64_t>() == 2);
  CHECK(given.mask[0][1 * 5 + 3].item<bool>());
  CHECK(given.labels[0][1 * 5 + 3].item<int64_t>() == 2);
  CHECK(given.labels[0][19].item<int64_t>() == 1);
  // With two classes the given pixel (1, 3) has a label outside them; the free pixels with
  // label 2 do not matter.
  CHECK_THAT(inputErrorMessage([&] { givenNodesFromLabelMap(labelsFile, maskFile, image, 2); }),
             Catch::Contains("pixel (row 1, column 3) has label 2"));
  CHECK_THAT(inputErrorMessage([&] {
               givenNodesFromLabelMap(labelsFile, maskFile, ImageLayout{5, 4, ""}, 3);
             }),
             Catch::Contains("is 4 x 5 pixels; the model's label maps are 5 x 4"));
  writeLabelPng(maskFile, torch::zeros({4, 5}, torch::kInt32));
  CHECK_THAT(inputErrorMessage([&] { givenNodesFromLabelMap(labelsFile, maskFile, image, 3); }),
             Catch::Contains("nothing is given"));
  CHECK_THAT(inputErrorMessage([&] { givenNodesFromLabelMap(labelsFile, maskFile, {}, 3); }),
             Catch::Contains("needs a model of image data"));
  CHECK_THAT(inputErrorMessage([&] {
               givenNodesFromLabelMap((dir / "missing.png").string(), maskFile, image, 3);
             }),
             Catch::Contains("missing.png"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Training masks: every subset of nodes, a quarter unconditioned, rectangles on maps",
          "[conditioning]") {
  auto generator = at::detail::createCPUGenerator(4);
  const int64_t draws = 20000;
  const Tensor mask = drawGivenMask(draws, 3, {}, generator);
  // Nothing given: the unconditioned quarter, plus the conditioned draws whose nodes all
  // missed their rate: 1/4 + 3/4 * integral (1 - r)^3 dr = 1/4 + 3/16.
  const double none = (mask.sum(1) == 0).to(torch::kFloat64).mean().item<double>();
  CHECK(none == Approx(0.4375).margin(0.015));
  std::set<int64_t> subsets;
  const Tensor codes = (mask.to(torch::kLong) * torch::tensor({1, 2, 4})).sum(1);
  for (int64_t k = 0; k < draws; ++k) subsets.insert(codes[k].item<int64_t>());
  CHECK(subsets.size() == 8);
  // On a 6 x 8 map about half of the conditioned draws are a box given inside or outside.
  const ImageLayout image{6, 8, ""};
  const Tensor maps = drawGivenMask(4000, image.pixels(), image, generator).view({-1, 6, 8});
  int64_t boxes = 0;
  for (int64_t k = 0; k < maps.size(0); ++k)
    for (const Tensor& given : {maps[k], maps[k].logical_not()}) {
      const Tensor rows = given.any(1).nonzero(), columns = given.any(0).nonzero();
      if (rows.numel() == 0 || given.all().item<bool>()) continue;
      const int64_t top = rows.min().item<int64_t>(), bottom = rows.max().item<int64_t>();
      const int64_t left = columns.min().item<int64_t>(), right = columns.max().item<int64_t>();
      const int64_t area = (bottom - top + 1) * (right - left + 1);
      if (given.sum().item<int64_t>() == area && area > 1) {
        ++boxes;
        break;
      }
    }
  // 3/4 conditioned x 1/2 rectangles, less the rare 1 x 1 boxes.
  CHECK(static_cast<double>(boxes) / 4000 > 0.33);
}

TEST_CASE("The loss counts the free nodes only", "[math][conditioning]") {
  PathBatch batch;
  const Tensor perNode = torch::tensor({{1.0, 2.0, 4.0}, {8.0, 16.0, 32.0}});
  CHECK(sumOverCountedNodes(perNode, batch).item<double>() == Approx((7.0 + 56.0) / 2));
  batch.nodeWeight = torch::tensor({{1.0, 0.0, 1.0}, {0.0, 0.0, 0.0}});
  CHECK(sumOverCountedNodes(perNode, batch).item<double>() == Approx(5.0 / 2));
}

TEST_CASE("A mask-trained run trains, saves and loads like any other", "[conditioning]") {
  RunConfig config = efm_test::smallConfig();
  config.network.givenNodes = true;
  const nlohmann::json recorded = config;
  CHECK(recorded["network"]["given_nodes"] == true);
  RunConfig back;
  mergeConfig(back, recorded, "test");
  CHECK(back.network.givenNodes);
  nlohmann::json wrong = recorded;
  wrong["network"]["given_nodes"] = 1;
  CHECK_THAT(inputErrorMessage([&] { mergeConfig(back, wrong, "test"); }),
             Catch::Contains("network.given_nodes' has the wrong type"));

  const auto dir = efm_test::freshDirectory("mask-trained");
  Trainer trainer(config, openDataset(config.data));
  for (int k = 0; k < 5; ++k) CHECK(std::isfinite(trainer.step()));
  const std::string file = (dir / "checkpoint.pt").string();
  trainer.saveCheckpoint(file);
  auto loaded = loadNetwork(file, 3, 3, config);
  REQUIRE(dynamic_cast<ConditionedFieldImpl*>(loaded.get()));
  CHECK(efm_test::sameParameters(efm_test::parameters(*loaded),
                                 efm_test::parameters(trainer.network())));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Conditional exactness: every given set and value of positive probability",
          "[conditioning]") {
  // 3 nodes, 2 classes, (1, 1, 0) and (1, 1, 1) impossible: cases are A in {1 node: 3 sets x
  // 2 values, 2 nodes: 3 sets x 4 values} less x_A = (1, 1) on nodes 0 and 1.
  Tensor joint = torch::full({8}, 1.0 / 6, torch::kFloat64);
  joint[6] = 0;
  joint[7] = 0;
  const auto path = pathNamed("ray");
  auto network = smallNetwork(3, 2);
  SampleOptions options = optionsFor(*path, 1, 3, 2);
  options.solver.step = 1.0;  // an untrained network: the numbers, not their quality
  const ConditionalExactness e = measureConditionalExactness(
      *network, *path, joint, 3, 2, ConditioningMethod::Replace, 50, options);
  CHECK(e.cases.size() == 6 + 12 - 1);
  for (const ConditionalCase& given : e.cases) {
    CHECK(given.probability > 0);
    CHECK(std::isfinite(given.kl));
    CHECK(given.kl >= 0);
  }
  CHECK(e.maxKl >= e.meanKl);
  CHECK(e.samplesPerCase == 50);
}

TEST_CASE("The exact conditional as a joint: Bayes' rule cell by cell, zero off the given",
          "[math][conditioning]") {
  // A random strictly positive joint over 3 nodes with 3 classes, a_1 slowest.
  torch::manual_seed(3);
  const Tensor joint = torch::rand({27}, torch::kFloat64) + 0.1;
  const Tensor p = joint / joint.sum();
  const std::vector<int64_t> given{-1, 2, 0};  // node 1 = 2, node 2 = 0
  const std::optional<Tensor> conditional = conditionalJoint(p, 3, 3, given);
  REQUIRE(conditional.has_value());
  const auto q = conditional->accessor<double, 1>();
  double evidence = 0;  // p(x_1 = 2, x_2 = 0)
  for (int64_t a = 0; a < 3; ++a) evidence += p[a * 9 + 2 * 3 + 0].item<double>();
  for (int64_t a = 0; a < 3; ++a)
    for (int64_t b = 0; b < 3; ++b)
      for (int64_t d = 0; d < 3; ++d) {
        const int64_t cell = a * 9 + b * 3 + d;
        const double expected = (b == 2 && d == 0) ? p[cell].item<double>() / evidence : 0.0;
        CHECK(q[cell] == Approx(expected).margin(1e-14));
      }
  CHECK(conditional->sum().item<double>() == Approx(1.0).epsilon(1e-14));
  // Nothing given, or a given value of probability 0, has no conditional.
  CHECK_FALSE(conditionalJoint(p, 3, 3, {-1, -1, -1}).has_value());
  Tensor holed = p.clone();
  for (int64_t a = 0; a < 3; ++a) holed[a * 9 + 1 * 3 + 1] = 0;
  CHECK_FALSE(conditionalJoint(holed, 3, 3, {-1, 1, 1}).has_value());
  CHECK_THROWS_AS(conditionalJoint(p, 3, 3, {0, 3, -1}), InputError);
  CHECK_THROWS_AS(conditionalJoint(p, 3, 3, {0, 1}), InputError);
}

TEST_CASE("A class-conditional network: the class is an input, no class = plain field",
          "[conditioning]") {
  const int64_t batch = 4, n = 3, c = 2;
  NetworkOptions options;
  options.hidden = 16;
  options.labelClasses = 3;
  torch::manual_seed(2);
  auto network = makeVectorField(n, c, options);
  auto* conditioned = dynamic_cast<ConditionedFieldImpl*>(network.get());
  REQUIRE(conditioned);
  CHECK_FALSE(conditioned->takesGivenNodes());
  CHECK(conditioned->labelClasses() == 3);
  const Tensor w = torch::softmax(torch::randn({batch, n, c}), -1);
  const Tensor t = torch::full({1}, 2.0);
  const auto withClass = [&](const Tensor& classes) {
    return conditioned->forwardConditioned(w, t, {{}, {}, classes});
  };
  CHECK(torch::equal(network->forward(w, t), withClass(torch::full({1}, -1, torch::kLong))));
  const Tensor zero = withClass(torch::zeros({1}, torch::kLong));
  CHECK(maxAbs(zero - withClass(torch::ones({1}, torch::kLong))) > 1e-5);
  // One class per row: row 2 with class 0 is row 2 of everything with class 0.
  const Tensor mixed = withClass(torch::tensor({1, 2, 0, -1}, torch::kLong));
  CHECK(maxAbs(mixed[2] - zero[2]) < 1e-6);
  CHECK(maxAbs(mixed[3] - network->forward(w, t)[3]) < 1e-6);
  // Given nodes need a mask-trained network.
  CHECK_THAT(inputErrorMessage([&] {
               conditioned->forwardConditioned(
                   w, t,
                   {torch::zeros({1, n}, torch::kLong), torch::ones({1, n}, torch::kBool), {}});
             }),
             Catch::Contains("--mask-training"));
}

TEST_CASE("Class-conditional sampling: refusals, and guidance costs two passes per step",
          "[conditioning][errors]") {
  const int64_t n = 3, c = 2;
  const auto path = pathNamed("ray");
  auto plain = smallNetwork(n, c);
  SampleOptions options = optionsFor(*path, 4, n, c);
  options.labelClass = 0;
  CHECK_THAT(inputErrorMessage([&] { sampleLabelings(*plain, *path, options); }),
             Catch::Contains("--condition-on-class"));
  NetworkOptions classOptions;
  classOptions.hidden = 16;
  classOptions.labelClasses = 3;
  auto network = makeVectorField(n, c, classOptions);
  options.labelClass = 3;
  CHECK_THAT(inputErrorMessage([&] { sampleLabelings(*network, *path, options); }),
             Catch::Contains("class 3 is outside the model's class labels 0..2"));
  options.labelClass = 2;
  options.guidance = -1;
  CHECK_THAT(inputErrorMessage([&] { sampleLabelings(*network, *path, options); }),
             Catch::Contains("guidance"));
  // Ray's own sampler: 60 Euler steps, one pass each; guidance doubles the passes.
  options.guidance = 1;
  CHECK(sampleLabelings(*network, *path, options).evaluations == 60);
  options.guidance = 3;
  CHECK(sampleLabelings(*network, *path, options).evaluations == 120);
  RunConfig config = efm_test::smallConfig();
  config.network.labelClasses = -1;  // --condition-on-class on data without labels
  CHECK_THAT(inputErrorMessage([&] { Trainer(config, openDataset(config.data)); }),
             Catch::Contains("needs class labels"));
}

TEST_CASE("Class-conditional training learns each class, and guidance 0 draws both",
          "[learning][conditioning]") {
  // Eight 2 x 2 images, image k white at pixel k % 4 only; class (k % 4) % 2: class 0 is
  // white at pixel 0 or 2, class 1 at pixel 1 or 3.
  const auto dir = efm_test::freshDirectory("class-conditional");
  std::string images = efm_test::idxHeader({8, 2, 2});
  std::vector<uint8_t> labels;
  for (uint32_t k = 0; k < 8; ++k) {
    for (uint32_t p = 0; p < 4; ++p) images.push_back(static_cast<char>(p == k % 4 ? 255 : 0));
    labels.push_back(static_cast<uint8_t>((k % 4) % 2));
  }
  efm_test::writeBytes(dir / "toy-images-idx3-ubyte", images);
  efm_test::writeBytes(dir / "toy-labels-idx1-ubyte", efm_test::idxLabelsBytes(labels));
  RunConfig config;
  config.data = "idx:" + (dir / "toy-images-idx3-ubyte").string();
  config.network.labelClasses = -1;
  config.train.steps = 1500;
  config.train.batch = 128;
  config.train.learningRate = 1e-3;
  resolveAndValidate(config);
  Trainer trainer(config, openDataset(config.data));
  CHECK(trainer.config().network.labelClasses == 2);
  for (int64_t k = 0; k < config.train.steps; ++k) trainer.step();
  // The fraction of samples that are an image of class `k`: one white pixel, of that class.
  const auto ofClass = [](const Tensor& drawn, int64_t k) {
    const Tensor oneWhite = drawn.sum(1) == 1;
    const Tensor classOfPixel = drawn.argmax(1).remainder(2);
    return (oneWhite & (classOfPixel == k)).to(torch::kFloat64).mean().item<double>();
  };
  SampleOptions options = optionsFor(trainer.path(), 2000, 4, 2);
  for (int64_t k : {0, 1}) {
    options.labelClass = k;
    const Tensor drawn = sampleLabelings(trainer.network(), trainer.path(), options).labels;
    INFO("class " << k << ": " << ofClass(drawn, k) << " of its own class");
    CHECK(ofClass(drawn, k) > 0.9);
  }
  options.labelClass = 0;
  options.guidance = 0;  // the unconditional model
  const Tensor mixed = sampleLabelings(trainer.network(), trainer.path(), options).labels;
  INFO("guidance 0: " << ofClass(mixed, 0) << " class 0, " << ofClass(mixed, 1) << " class 1");
  CHECK(ofClass(mixed, 0) > 0.35);
  CHECK(ofClass(mixed, 1) > 0.35);
  std::filesystem::remove_all(dir);
}

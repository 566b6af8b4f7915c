#include "engine/likelihood_service.h"

#include <torch/torch.h>

#include <QMetaObject>
#include <chrono>
#include <cmath>
#include "efm/base/errors.h"
#include "efm/base/random.h"
#include "efm/data/dataset.h"
#include "efm/paths/path_registry.h"
#include "efm/sampling/likelihood_bound.h"

#include "engine/model_snapshot.h"
#include "engine/thread_priority.h"

namespace efm::ui {

namespace {

// The posterior's training settings of the studio: small batches, a fast learning rate
// (the benchmark's, docs/EVALUATION.md).
constexpr int64_t kPosteriorBatch = 16;
constexpr double kPosteriorLearningRate = 3e-3;

// The labelings to score: the first `items` of a finite data set, else `items` drawn.
Tensor testLabelings(const Dataset& data, const std::string& spec, int64_t items, uint64_t seed,
                     std::string& source) {
  if (const std::optional<int64_t> count = data.count()) {
    const int64_t taken = std::min(items, *count);
    source = "the first " + std::to_string(taken) + " items of " + spec;
    return *data.items(0, taken);
  }
  at::Generator generator = makeGenerator(torch::kCPU, seed);
  source = std::to_string(items) + " labelings drawn from " + spec;
  return data.sample(items, generator);
}

}  // namespace

LikelihoodService::LikelihoodService(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::shared_ptr<const efm::ui::LikelihoodReport>>();
}

LikelihoodService::~LikelihoodService() { stopWorker(); }

void LikelihoodService::stopWorker() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
  cancel_ = false;
}

void LikelihoodService::cancel() {
  if (!busy_) return;
  stopWorker();
  ++job_;  // whatever the stopped job posted is dropped
  busy_ = false;
  Q_EMIT failed("cancelled");
  Q_EMIT busyChanged(false);
}

void LikelihoodService::submit(const LikelihoodRequest& request) {
  stopWorker();
  const int64_t job = ++job_;
  if (!busy_) {
    busy_ = true;
    Q_EMIT busyChanged(true);
  }
  worker_ = std::thread([this, request, job] {
    lowerCurrentThreadPriority();
    run(request, job);
  });
}

void LikelihoodService::post(int64_t job, std::function<void()> work) {
  QMetaObject::invokeMethod(
      this,
      [this, job, work = std::move(work)] {
        if (job == job_) work();
      },
      Qt::QueuedConnection);
}

void LikelihoodService::run(const LikelihoodRequest& request, int64_t job) {
  const auto start = std::chrono::steady_clock::now();
  const auto cancelled = [this] { return cancel_.load(); };
  // At most one progress event per percent, so the GUI thread is never flooded.
  int64_t reported = -1;
  auto progress = [&](int64_t done, int64_t total, const char* stage) {
    const int64_t percent = total > 0 ? done * 100 / total : 0;
    if (percent == reported) return;
    reported = percent;
    const QString name = stage;
    post(job, [this, done, total, name] { Q_EMIT progressed(done, total, name); });
  };
  auto finish = [this, job](std::function<void()> signal) {
    post(job, [this, signal = std::move(signal)] {
      busy_ = false;
      signal();
      Q_EMIT busyChanged(false);
    });
  };
  try {
    if (!request.model) throw InputError("no model yet: train one or open a checkpoint first");
    const ModelSnapshot& live = *request.model;
    const RunConfig& config = live.config;
    if (!isEGeodesicPath(config.path.kind))
      throw InputError(
          "the likelihood bound needs an e-geodesic path (ray or bridge); this run "
          "uses '" +
          config.path.kind + "'");
    if (!live.data)
      throw InputError(
          "the run's data cannot be opened here, and the bound's posterior trains "
          "on it");
    // A private copy: the bound freezes and unfreezes the network's parameters, which the
    // sampler may be reading at the same time.
    const SnapshotPtr copy =
        makeSnapshot(config, live.step, *live.network, live.path, live.data, live.device);
    const std::string spec = request.testData.empty() ? config.data : request.testData;
    const DatasetPtr test = request.testData.empty() ? live.data : openDataset(request.testData);
    if (test->variables() != config.variables || test->classes() != config.classes)
      throw InputError(spec + " has n=" + std::to_string(test->variables()) +
                       ", c=" + std::to_string(test->classes()) + " but the model has n=" +
                       std::to_string(config.variables) + ", c=" + std::to_string(config.classes));
    auto report = std::make_shared<LikelihoodReport>();
    const Tensor labels = testLabelings(*test, spec, request.items, request.seed, report->source);

    BoundOptions options;
    options.classes = config.classes;
    options.samples = request.samples;
    options.seed = request.seed;
    options.refineSteps = request.refineSteps;
    options.solver = copy->path->defaultSolver();
    options.device = copy->device;
    PosteriorTrainingOptions training;
    training.steps = request.posteriorSteps;
    training.batch = kPosteriorBatch;
    training.learningRate = kPosteriorLearningRate;
    training.seed = request.seed;
    torch::manual_seed(request.seed);  // the encoders' initial weights
    NoisePosterior posterior(config.variables, config.classes, config.network, config.image,
                             config.path.smoothing);
    posterior->to(copy->device);
    trainNoisePosterior(
        *copy->network, *copy->path, *posterior,
        [&](int64_t batch, at::Generator& g) { return copy->data->sample(batch, g); }, options,
        training, [&](int64_t step, int64_t steps, double) { progress(step, steps, "posterior"); },
        cancelled);
    const BoundResult bound = boundLikelihood(
        *copy->network, *copy->path, *posterior, labels, options,
        [&](int64_t done, int64_t total) { progress(done, total, "bound"); }, cancelled);

    report->modelStep = copy->step;
    report->variables = config.variables;
    report->samples = request.samples;
    for (const LabelingLikelihood& item : bound.bound.items) {
      report->logLikelihood.push_back(item.logLikelihood);
      report->standardError.push_back(item.standardError);
      report->effectiveSamples.push_back(item.effectiveSamples);
    }
    report->elbo = bound.elbo;
    report->bitsPerDimension = bound.bound.bitsPerDimension;
    report->bitsPerDimensionSe = bound.bound.bitsPerDimensionStandardError;
    report->meanElbo = bound.meanElbo;
    report->meanEffectiveSamples = bound.bound.meanEffectiveSamples;
    report->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::shared_ptr<const LikelihoodReport> result = report;
    finish([this, result] { Q_EMIT finished(result); });
  } catch (const Cancelled&) {
    // cancel() has reported it; a job replaced by a newer one says nothing.
  } catch (const std::exception& e) {
    const QString message = e.what();
    finish([this, message] { Q_EMIT failed(message); });
  }
}

}  // namespace efm::ui

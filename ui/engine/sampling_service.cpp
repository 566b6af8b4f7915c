#include "engine/sampling_service.h"
#include "efm/paths/path_registry.h"

#include <torch/torch.h>

#include <QMetaObject>
#include <algorithm>
#include <chrono>
#include "efm/base/errors.h"
#include "efm/eval/conditional_exactness.h"
#include "efm/eval/metrics.h"
#include "efm/io/given_nodes.h"
#include "efm/sampling/sampling_request.h"

#include "engine/model_snapshot.h"
#include "engine/thread_priority.h"

namespace efm::ui {

namespace {

// Mean over samples of the factorizing joints T(W_end) = w_1 (x) ... (x) w_n: the model's
// joint distribution (docs/METHOD.md section 3). float64 [c^n]; computed in chunks of samples.
std::vector<double> meanFactorizingJoint(const Tensor& ends) {
  const int64_t count = ends.size(0), n = ends.size(1);
  Tensor total;
  for (int64_t begin = 0; begin < count; begin += 256) {
    const Tensor w = ends.slice(0, begin, std::min(count, begin + 256)).to(torch::kFloat64);
    Tensor joint = w.select(1, 0);
    for (int64_t i = 1; i < n; ++i)
      joint = (joint.unsqueeze(-1) * w.select(1, i).unsqueeze(1)).flatten(1);
    const Tensor sum = joint.sum(0);
    total = total.defined() ? total + sum : sum;
  }
  total = (total / double(count)).contiguous();
  return std::vector<double>(total.data_ptr<double>(), total.data_ptr<double>() + total.numel());
}

template <typename T>
std::vector<T> toVector(const Tensor& tensor) {
  const Tensor t = tensor.contiguous();
  return std::vector<T>(t.data_ptr<T>(), t.data_ptr<T>() + t.numel());
}

// The state of `kind`'s generative ODE at the points W of the simplex: logits for ours
// (softmax(log W) = W), W itself for the linear and Dirichlet paths, sqrt(W) on the sphere
// for Fisher-Rao. (ProbabilityPath has no inverse of probabilities(); this mirrors them.)
Tensor pathState(const std::string& kind, const Tensor& w) {
  if (isEGeodesicPath(kind)) return torch::log(w);
  if (kind == "fisher") return torch::sqrt(w);
  return w;
}

// Joint tables of at most this many cells are estimated (the views show c x c heat maps).
constexpr double kMaxJointCells = 65536;
// Most memory the flows kept for the views may take (the GUI thread draws from them).
constexpr double kMaxKeptFlowBytes = 256.0 * 1024 * 1024;

}  // namespace

SamplingService::SamplingService(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::shared_ptr<const efm::ui::SampleSet>>();
  qRegisterMetaType<std::shared_ptr<const efm::ui::FieldSlice>>();
  worker_ = std::thread([this] {
    lowerCurrentThreadPriority();
    workerLoop();
  });
}

SamplingService::~SamplingService() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
    queue_.clear();
  }
  cancel_ = true;
  changed_.notify_all();
  worker_.join();
}

void SamplingService::toGui(std::function<void()> function) {
  QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection);
}

void SamplingService::submit(const SampleRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (request.preview) {
      for (auto it = queue_.begin(); it != queue_.end();)
        it = (it->sample && it->sample->preview && it->sample->run == request.run)
                 ? queue_.erase(it)
                 : std::next(it);
    }
    queue_.push_back(Job{request, std::nullopt});
  }
  changed_.notify_all();
}

void SamplingService::submitField(const FieldRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end();)
      it = it->field ? queue_.erase(it) : std::next(it);
    queue_.push_back(Job{std::nullopt, request});
  }
  changed_.notify_all();
}

void SamplingService::cancel() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.clear();
  }
  cancel_ = true;
}

void SamplingService::workerLoop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (queue_.empty() && busy_) {
        busy_ = false;
        toGui([this] { Q_EMIT busyChanged(false); });
      }
      changed_.wait(lock, [this] { return quit_ || !queue_.empty(); });
      if (quit_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      cancel_ = false;
      if (!busy_) {
        busy_ = true;
        toGui([this] { Q_EMIT busyChanged(true); });
      }
    }
    try {
      if (job.sample) run(*job.sample);
      if (job.field) run(*job.field);
    } catch (const Cancelled&) {
      // The user cancelled; nothing to report.
    } catch (const std::exception& e) {
      const QString message = QString("Sampling failed: %1").arg(QString::fromStdString(e.what()));
      toGui([this, message] { Q_EMIT failed(message); });
    }
  }
}

void SamplingService::setConditions(const SampleRequest& request, const ModelSnapshot& model,
                                    SampleOptions& options) {
  const int64_t n = model.config.variables, c = model.config.classes;
  if (!request.givenText.empty()) {
    options.given = givenNodesFromText(request.givenText, n, c);
  } else if (std::any_of(request.givenLabels.begin(), request.givenLabels.end(),
                         [](int64_t label) { return label >= 0; })) {
    if (int64_t(request.givenLabels.size()) != n)
      throw InputError("given pixels: " + std::to_string(request.givenLabels.size()) +
                       " painted, the model has " + std::to_string(n) + " nodes");
    const Tensor labels = torch::tensor(request.givenLabels, torch::kLong).view({1, n});
    options.given = {labels.clamp_min(0), labels >= 0, ConditioningMethod::Replace};
  }
  if (options.given.any())
    options.given.method = !request.conditioning.empty()
                               ? parseConditioningMethod(request.conditioning)
                           : model.config.network.givenNodes ? ConditioningMethod::Trained
                                                             : ConditioningMethod::Replace;
  options.labelClass = request.labelClass;
  options.guidance = request.guidance;
}

void SamplingService::run(const SampleRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  torch::set_num_threads(std::max(1, request.threads));  // per thread (docs/STACK.md, item 5)
  const ModelSnapshot& model = *request.model;
  // The path's own sampler unless the request names a solver or a step; a combination the
  // path cannot integrate is an InputError, which reaches the user as a message.
  SamplingRequest asked;
  asked.count = request.count;
  asked.solver = request.solver;
  asked.step = request.step;
  asked.timeEnd = request.timeEnd;
  asked.seed = request.seed;
  SampleOptions options = sampleOptionsFor(*model.path, model.config.variables,
                                           model.config.classes, asked, model.device);
  setConditions(request, model, options);
  auto progress = [this, preview = request.preview](int64_t done, int64_t total) {
    if (!preview) toGui([this, done, total] { Q_EMIT progressed(done, total); });
  };
  auto cancelled = [this] { return cancel_.load(); };
  // The sampler keeps the flows of every labeling it draws; when that would be large, the
  // kept flows come from a second, smaller run with the same seed instead.
  const double tEnd = request.timeEnd > 0 ? request.timeEnd : model.path->timeEnd();
  const double steps =
      std::ceil((tEnd - model.path->timeStart()) / std::max(1e-6, options.solver.step)) + 1;
  const double flowBytes = 4.0 * steps * double(options.variables * options.classes);
  // Never more kept flows than kMaxKeptFlowBytes hold (one 64 x 128 label map with 8
  // classes: 20 MB of flow), whatever the request says.
  const int64_t keep = std::min<int64_t>(
      {request.keepTrajectories, request.count,
       std::max<int64_t>(1, int64_t(kMaxKeptFlowBytes / std::max(1.0, flowBytes)))});
  const bool separateFlows = keep > 0 && keep < request.count &&
                             flowBytes * double(request.count) > flowMemoryLimit_.load();
  options.solver.keepTrajectory = keep > 0 && !separateFlows;
  SampleResult result = sampleLabelings(*model.network, *model.path, options, progress, cancelled);
  SampleResult flows;
  if (separateFlows) {
    SampleOptions flowOptions = options;
    flowOptions.count = keep;
    flowOptions.solver.keepTrajectory = true;
    flows = sampleLabelings(*model.network, *model.path, flowOptions, nullptr, cancelled);
    // The draws with flows replace the first ones of the big run (both are samples of the
    // same model), so that sample k < keep is the end of flow k in every view.
    torch::InferenceMode inference;  // the sampler's tensors are inference tensors
    result.labels.slice(0, 0, keep).copy_(flows.labels);
    result.endProbabilities.slice(0, 0, keep).copy_(flows.endProbabilities);
  }
  const SampleResult& withFlows = separateFlows ? flows : result;

  auto set = std::make_shared<SampleSet>();
  set->count = options.count;
  set->variables = options.variables;
  set->classes = options.classes;
  set->modelStep = model.step;
  set->image = imageInfo(model.config.image, options.classes);
  set->path = model.config.path.kind;
  set->run = request.run;
  if (withFlows.trajectories.defined()) {
    set->times = withFlows.times;
    set->trajectories = toVector<float>(
        withFlows.trajectories.slice(1, 0, std::min(keep, withFlows.trajectories.size(1))));
  }
  set->endPoints = toVector<float>(result.endProbabilities);
  set->labels = toVector<int64_t>(result.labels);
  const double cells = std::pow(double(options.classes), double(options.variables));
  if (cells <= kMaxJointCells) set->modelJoint = meanFactorizingJoint(result.endProbabilities);
  if (options.given.any()) {
    set->given = toVector<int64_t>(torch::where(options.given.mask, options.given.labels,
                                                torch::full_like(options.given.labels, -1))
                                       .reshape({-1}));
    set->conditioning = conditioningMethodName(options.given.method);
  }
  set->labelClass = options.labelClass;
  set->guidance = options.guidance;
  if (model.data && options.labelClass < 0) {
    // Conditional samples are compared with the data's exact conditional (a class label has
    // none: the data's joint does not know the classes).
    if (std::optional<Tensor> target = model.data->jointTable()) {
      if (set->given.empty()) {
        const JointComparison joint = compareJoint(*target, result.labels, options.classes);
        set->klTargetModel = joint.klTargetModel;
        set->totalVariation = joint.totalVariation;
      } else {
        set->klTargetModel =
            conditionalKl(*target, options.variables, options.classes, set->given, result.labels);
        if (std::optional<Tensor> exact =
                conditionalJoint(*target, options.variables, options.classes, set->given))
          set->conditionalTarget = toVector<double>(*exact);
      }
    }
    if (set->given.empty()) set->marginalKl = marginalKl(result.labels, model.data->marginals());
  }
  set->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::shared_ptr<const SampleSet> shared = set;
  toGui([this, shared, preview = request.preview] { Q_EMIT sampled(shared, preview); });
}

void SamplingService::run(const FieldRequest& request) {
  torch::InferenceMode inference;
  const ModelSnapshot& model = *request.model;
  const ProbabilityPath& path = *model.path;
  const int64_t c = model.config.classes, n = model.config.variables;
  const int64_t g = static_cast<int64_t>(request.points.size()) / c;
  const Tensor points =
      torch::from_blob(const_cast<float*>(request.points.data()), {g, 1, c}, torch::kFloat32)
          .clone()
          .to(model.device);
  // Every node at the grid point, in the path's own state coordinates; the velocity of
  // node 1 in probability coordinates is the derivative of W = probabilities(state) along
  // the solver's move (central differences in double precision), which is R_W(dV/dt) for
  // ours (docs/METHOD.md section 2) and needs no formula per path.
  const Tensor w = points.expand({g, n, c}).contiguous();
  const Tensor state = pathState(model.config.path.kind, w);
  double t = request.time;
  Tensor dv = path.velocity(*model.network, state, t);
  if (!torch::isfinite(dv).all().item<bool>()) {
    // The linear path's velocity is singular at its end (1 / (1 - t)): show it just before.
    t -= 1e-3 * (path.timeEnd() - path.timeStart());
    dv = path.velocity(*model.network, state, t);
  }
  const double h = 1e-5;
  const Tensor x = state.to(torch::kFloat64), v = dv.to(torch::kFloat64);
  const Tensor dw =
      ((path.probabilities(path.retract(x, h * v)) - path.probabilities(path.retract(x, -h * v))) /
       (2 * h))
          .select(1, 0)
          .to(torch::kFloat32)
          .to(torch::kCPU);
  auto slice = std::make_shared<FieldSlice>();
  slice->time = request.time;
  slice->classes = c;
  slice->points = request.points;
  slice->velocities = toVector<float>(dw);
  slice->run = request.run;
  std::shared_ptr<const FieldSlice> shared = slice;
  toGui([this, shared] { Q_EMIT fieldReady(shared); });
}

}  // namespace efm::ui

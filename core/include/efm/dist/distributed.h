#pragma once
// Data-parallel training over c10d, PyTorch's distributed engine (docs/CLUSTER.md).
//
// Every rank runs the same program: the same seed draws the same global batch on every rank,
// each rank computes the loss and gradients of its slice of it, and one allreduce averages
// the gradients (and the loss), so all ranks take the same optimizer step and stay equal.
// Ranks meet through a TCPStore at MASTER_ADDR:MASTER_PORT (rank 0 serves it); the
// collectives are ProcessGroupGloo's. Rank 0 alone writes checkpoints and metrics.
#include <torch/types.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace efm {

// Where and who: the variables PyTorch's launchers (torchrun) and cluster schedulers set.
struct ProcessGroupOptions {
  std::string masterAddress = "127.0.0.1";
  int masterPort = 29500;
  int rank = 0;
  int worldSize = 1;
  int localRank = 0;            // this process's index on its machine (picks its GPU)
  double timeoutSeconds = 300;  // joining, and each collective
};

// Reads RANK, WORLD_SIZE, MASTER_ADDR (default 127.0.0.1), MASTER_PORT (default 29500) and
// LOCAL_RANK (default 0). nullopt when neither RANK nor WORLD_SIZE is set; InputError naming
// the variable when one is missing or malformed.
std::optional<ProcessGroupOptions> processGroupFromEnvironment();

// Whether this build has c10d's Gloo process group (CMake found its headers and library).
bool distributedTrainingAvailable();

// A collective operation failed: another rank stopped, the network broke, or it timed out.
class DistributedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The collectives the trainer needs. Thrown errors are DistributedError naming this rank.
class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int worldSize() const = 0;
  // Elementwise sum over all ranks, in place; same shape and dtype on every rank.
  virtual void allreduceSum(torch::Tensor& tensor) = 0;
  // Rank 0's values to every rank, in place; same shape and dtype on every rank.
  virtual void broadcastFromRankZero(torch::Tensor& tensor) = 0;
};
using CollectivePtr = std::shared_ptr<Collective>;

// Joins the job: blocks until all worldSize ranks have met or timeoutSeconds pass
// (DistributedError), or throws InputError when this build has no c10d.
CollectivePtr joinProcessGroup(const ProcessGroupOptions& options);

// InputError unless `batch` splits into `ranks` equal slices.
void requireEvenSplit(int64_t batch, int ranks);

// Rank 0's `text` on every rank (the argument is ignored elsewhere).
std::string broadcastText(Collective& collective, const std::string& text);
// True on every rank if `flag` is true on any rank.
bool trueOnAnyRank(Collective& collective, bool flag);

// A TCP port on 127.0.0.1 that was free a moment ago (for local jobs and tests).
int freeLocalPort();

}  // namespace efm

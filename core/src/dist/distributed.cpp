// The parts of distributed training that do not depend on c10d: reading the launcher's
// environment, the small collectives built on the two primitives, a free port.
#include "efm/dist/distributed.h"

#include "efm/base/errors.h"

#include <torch/torch.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace efm {

namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (!value) return std::nullopt;
  return std::string(value);
}

int integerVariable(const char* name, int low, int high) {
  const std::string text = environment(name).value_or("");
  size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || value < low || value > high)
    throw InputError("environment variable " + std::string(name) + "='" + text +
                     "': expected an integer from " + std::to_string(low) + " to " +
                     std::to_string(high));
  return static_cast<int>(value);
}

}  // namespace

std::optional<ProcessGroupOptions> processGroupFromEnvironment() {
  const bool hasRank = environment("RANK").has_value();
  const bool hasWorld = environment("WORLD_SIZE").has_value();
  if (!hasRank && !hasWorld) return std::nullopt;
  if (!hasRank || !hasWorld)
    throw InputError(std::string("environment variable ") + (hasRank ? "WORLD_SIZE" : "RANK") +
                     " is not set, but " + (hasRank ? "RANK" : "WORLD_SIZE") +
                     " is: a distributed job needs both (and MASTER_ADDR, MASTER_PORT)");
  ProcessGroupOptions options;
  options.worldSize = integerVariable("WORLD_SIZE", 1, 65536);
  options.rank = integerVariable("RANK", 0, options.worldSize - 1);
  if (auto address = environment("MASTER_ADDR")) {
    if (address->empty()) throw InputError("environment variable MASTER_ADDR is empty");
    options.masterAddress = *address;
  }
  if (environment("MASTER_PORT")) options.masterPort = integerVariable("MASTER_PORT", 1, 65535);
  if (environment("LOCAL_RANK")) options.localRank = integerVariable("LOCAL_RANK", 0, 65535);
  return options;
}

void requireEvenSplit(int64_t batch, int ranks) {
  if (batch % ranks != 0)
    throw InputError("train.batch " + std::to_string(batch) + " does not divide by the " +
                     std::to_string(ranks) + " ranks: each rank takes an equal slice of the batch");
}

std::string broadcastText(Collective& collective, const std::string& text) {
  torch::Tensor size = torch::tensor({static_cast<int64_t>(text.size())}, torch::kLong);
  collective.broadcastFromRankZero(size);
  torch::Tensor bytes = torch::empty({size.item<int64_t>()}, torch::kUInt8);
  if (collective.rank() == 0) std::memcpy(bytes.data_ptr(), text.data(), text.size());
  collective.broadcastFromRankZero(bytes);
  return std::string(static_cast<const char*>(bytes.data_ptr()), bytes.numel());
}

bool trueOnAnyRank(Collective& collective, bool flag) {
  torch::Tensor count = torch::tensor({flag ? 1.0f : 0.0f});
  collective.allreduceSum(count);
  return count.item<float>() > 0;
}

int freeLocalPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("cannot open a socket to find a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;  // the kernel picks
  socklen_t length = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot find a free TCP port on 127.0.0.1");
  return ntohs(address.sin_port);
}

}  // namespace efm

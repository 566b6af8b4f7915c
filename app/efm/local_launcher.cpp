#include "local_launcher.h"

#include "efm/base/errors.h"
#include "efm/dist/distributed.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace efm::cli {

namespace {

constexpr const char* kLaunchedVariable = "EFM_LOCAL_LAUNCH";

volatile std::sig_atomic_t gSignalsReceived = 0;
volatile std::sig_atomic_t gLastSignal = 0;

extern "C" void countSignal(int signal) {
  gLastSignal = signal;
  gSignalsReceived = gSignalsReceived + 1;
}

// This process's own argument list, as the kernel has it.
std::vector<std::string> ownArguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> arguments;
  for (size_t begin = 0; begin < all.size();) {
    const size_t end = all.find('\0', begin);
    arguments.push_back(all.substr(begin, end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  if (arguments.empty()) throw std::runtime_error("cannot read /proc/self/cmdline");
  return arguments;
}

int integerFromEnvironment(const char* name, int fallback, int low, int high) {
  const char* text = std::getenv(name);
  if (!text) return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value < low || value > high)
    throw InputError("environment variable " + std::string(name) + "='" + text +
                     "': expected an integer from " + std::to_string(low) + " to " +
                     std::to_string(high));
  return static_cast<int>(value);
}

std::string describeStatus(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

int exitCodeOf(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 1; }

struct Rank {
  int index = 0;  // global rank
  pid_t pid = 0;
  bool running = false;
  int status = 0;
};

}  // namespace

bool startedByLocalLauncher() { return std::getenv(kLaunchedVariable) != nullptr; }

bool launcherIsGone() {
  const char* launcher = std::getenv(kLaunchedVariable);
  return launcher && std::to_string(getppid()) != launcher;
}

int launchLocalRanks(int processes, double timeoutSeconds,
                     const std::function<void(int)>& checkJob) {
  const int nodes = integerFromEnvironment("NNODES", 1, 1, 65536);
  const int node = integerFromEnvironment("NODE_RANK", 0, 0, nodes - 1);
  const char* givenAddress = std::getenv("MASTER_ADDR");
  if (nodes > 1 && !givenAddress)
    throw InputError("NNODES=" + std::to_string(nodes) +
                     ": set MASTER_ADDR (and MASTER_PORT) to the address of the machine with "
                     "NODE_RANK=0, the same on every machine");
  const std::string address = givenAddress ? givenAddress : "127.0.0.1";
  const int port =
      integerFromEnvironment("MASTER_PORT", nodes > 1 ? 29500 : freeLocalPort(), 1, 65535);
  const int world = nodes * processes;
  checkJob(world);

  const std::vector<std::string> arguments = ownArguments();
  std::vector<char*> argv;
  argv.reserve(arguments.size() + 1);
  for (const std::string& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  // Forward Ctrl-C and SIGTERM ourselves: the ranks run in their own process group, so that
  // a terminal's Ctrl-C reaches them once (through us), not twice.
  struct sigaction action {
  }, previousInt{}, previousTerm{};
  action.sa_handler = countSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previousInt);
  sigaction(SIGTERM, &action, &previousTerm);

  std::vector<Rank> ranks(processes);
  pid_t group = 0;
  std::string startError;
  for (int local = 0; local < processes; ++local) {
    Rank& rank = ranks[local];
    rank.index = node * processes + local;
    std::vector<std::string> variables;
    for (char** e = environ; *e; ++e) {
      const std::string entry = *e;
      bool replaced = false;
      for (const char* name : {"RANK=", "WORLD_SIZE=", "LOCAL_RANK=", "LOCAL_WORLD_SIZE=",
                               "MASTER_ADDR=", "MASTER_PORT=", "EFM_LOCAL_LAUNCH="})
        replaced = replaced || entry.rfind(name, 0) == 0;
      if (!replaced) variables.push_back(entry);
    }
    variables.push_back("RANK=" + std::to_string(rank.index));
    variables.push_back("WORLD_SIZE=" + std::to_string(world));
    variables.push_back("LOCAL_RANK=" + std::to_string(local));
    variables.push_back("LOCAL_WORLD_SIZE=" + std::to_string(processes));
    variables.push_back("MASTER_ADDR=" + address);
    variables.push_back("MASTER_PORT=" + std::to_string(port));
    variables.push_back(std::string(kLaunchedVariable) + "=" + std::to_string(getpid()));
    std::vector<char*> envp;
    envp.reserve(variables.size() + 1);
    for (std::string& v : variables) envp.push_back(v.data());
    envp.push_back(nullptr);

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, group);  // 0 for the first: a new group
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGHUP);  // the ranks' parent-death signal, even under nohup
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    const int failed =
        posix_spawn(&rank.pid, "/proc/self/exe", nullptr, &attributes, argv.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    if (failed) {
      startError = "cannot start rank " + std::to_string(rank.index) + ": " + strerror(failed);
      break;
    }
    rank.running = true;
    if (group == 0) group = rank.pid;
  }
  if (!startError.empty() && group != 0) kill(-group, SIGKILL);
  std::cerr << (startError.empty() ? "" : "efm train: " + startError + "\n");
  if (startError.empty() && node == 0 && processes > 1)
    std::cerr << "efm train: started " << processes << " ranks"
              << (nodes > 1 ? " on this machine of " + std::to_string(world) : std::string())
              << " (c10d job at " << address << ":" << port << ")\n";

  using Clock = std::chrono::steady_clock;
  std::sig_atomic_t forwarded = 0;
  Clock::time_point firstFailure{};
  bool anyFailure = !startError.empty(), killed = false;
  int firstFailureCode = startError.empty() ? 0 : 1;
  for (;;) {
    bool anyRunning = false;
    for (Rank& rank : ranks) {
      if (!rank.running) continue;
      int status = 0;
      const pid_t done = waitpid(rank.pid, &status, WNOHANG);
      if (done == 0) {
        anyRunning = true;
        continue;
      }
      rank.running = false;
      rank.status = status;
      const bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
      // An interrupted rank (130) stopped because it was asked to, not because it failed.
      if (failed && !(WIFEXITED(status) && WEXITSTATUS(status) == 130 && forwarded > 0)) {
        std::cerr << "efm train: rank " << rank.index << " " << describeStatus(status) << "\n";
        if (!anyFailure) {
          anyFailure = true;
          firstFailure = Clock::now();
          firstFailureCode = exitCodeOf(status);
        }
      }
    }
    if (!anyRunning) break;
    while (forwarded < gSignalsReceived) {
      kill(-group, gLastSignal == SIGTERM ? SIGTERM : SIGINT);
      ++forwarded;
    }
    if (anyFailure && !killed &&
        std::chrono::duration<double>(Clock::now() - firstFailure).count() > timeoutSeconds + 5) {
      std::cerr << "efm train: stopping the ranks still running " << timeoutSeconds + 5
                << " s after the first failure\n";
      kill(-group, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sigaction(SIGINT, &previousInt, nullptr);
  sigaction(SIGTERM, &previousTerm, nullptr);

  if (!startError.empty()) return 1;
  const int rankZero = ranks.front().index == 0 ? exitCodeOf(ranks.front().status) : 0;
  if (rankZero != 0) return rankZero;
  return anyFailure ? firstFailureCode : 0;
}

}  // namespace efm::cli

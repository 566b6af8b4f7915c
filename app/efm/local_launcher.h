#pragma once
// `efm train --nproc N`: starts N copies of the running command as the ranks of one c10d job
// on this machine (efm/distributed.h), like PyTorch's torchrun, and waits for them.
#include <functional>

namespace efm::cli {

// Starts the ranks with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and
// MASTER_PORT set. One machine by default (127.0.0.1, a free port); with NNODES and
// NODE_RANK set, this machine's share of a multi-machine job at MASTER_ADDR:MASTER_PORT.
// Ctrl-C and SIGTERM are passed on to the ranks once each (the first makes them save and
// stop, a second stops them at once). When a rank fails, the others stop by themselves
// (they lose contact); any still running after `timeoutSeconds` are killed. Returns the exit
// code: 0 when all ranks finished, else rank 0's code, else the first failing rank's.
// `checkJob(worldSize)` runs before any rank starts (it throws InputError to refuse).
int launchLocalRanks(int processes, double timeoutSeconds,
                     const std::function<void(int)>& checkJob);

// Whether this process is a rank started by launchLocalRanks.
bool startedByLocalLauncher();
// Whether it is, and the launcher that started it has exited (it is now someone else's child).
bool launcherIsGone();

}  // namespace efm::cli

#pragma once
// Process-wide settings that decide how fast LibTorch runs on a small CPU machine, measured
// here (README.md, "Performance"):
//
// 1. OpenMP waiting. LibTorch's elementwise kernels run on OpenMP threads that by default
//    spin for a long while after each parallel region, while OpenBLAS's own threads need the
//    same cores for the next matmul. A short spin (GOMP_SPINCOUNT=1000) made the MLP training
//    step about 2.5x faster. libgomp reads its settings when it is loaded, before main(),
//    so they are applied by re-executing the program once with the variables set.
// 2. Memory. glibc serves every block above its mmap threshold with a fresh mmap, so each
//    new activation tensor of a few MiB costs hundreds of page faults; raising the mmap and
//    trim thresholds keeps such blocks in the heap for reuse.

namespace efm {

// Call first thing in main(). Sets the malloc thresholds, then, unless the user already set
// OMP_WAIT_POLICY, GOMP_SPINCOUNT or EFM_KEEP_OPENMP_SETTINGS, sets the OpenMP variables and
// re-executes /proc/self/exe with the same arguments (continues normally if that fails).
void tuneRuntime(char** argv);

}  // namespace efm

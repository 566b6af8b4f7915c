#include "efm/base/runtime_tuning.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>

namespace efm {

void tuneRuntime(char** argv) {
  // 32 MiB is glibc's largest allowed mmap threshold on 64-bit systems.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT") ||
      std::getenv("EFM_KEEP_OPENMP_SETTINGS"))
    return;
  ::setenv("GOMP_SPINCOUNT", "1000", 1);
  ::setenv("KMP_BLOCKTIME", "0", 0);             // the same for LLVM's OpenMP runtime
  ::setenv("EFM_KEEP_OPENMP_SETTINGS", "1", 1);  // never loop
  ::execv("/proc/self/exe", argv);
  // exec failed (no /proc): run on with the default settings.
}

}  // namespace efm

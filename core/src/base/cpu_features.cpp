#include "efm/base/cpu_features.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace efm {

namespace {

bool switchedOff() {
  const char* value = std::getenv("EFM_DISABLE_BF16");
  return value && *value && std::strcmp(value, "0") != 0;
}

#if defined(__x86_64__) || defined(__i386__)
// The state components the OS saves on context switches (XCR0): without them the
// instructions exist but fault.
unsigned long long enabledStateComponents() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27)))  // OSXSAVE
    return 0;
  unsigned low = 0, high = 0;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (static_cast<unsigned long long>(high) << 32) | low;
}
#endif

}  // namespace

bool CpuBf16Support::native() const { return (avx512Bf16 || amxBf16) && !switchedOff(); }

std::string CpuBf16Support::describe() const {
  if (switchedOff() && (avx512Bf16 || amxBf16)) return "bf16 switched off (EFM_DISABLE_BF16)";
  if (amxBf16 && avx512Bf16) return "AMX-BF16 and AVX512-BF16";
  if (amxBf16) return "AMX-BF16";
  if (avx512Bf16) return "AVX512-BF16";
  return "no native bf16";
}

CpuBf16Support detectCpuBf16() {
  CpuBf16Support support;
#if defined(__x86_64__) || defined(__i386__)
  const unsigned long long xcr0 = enabledStateComponents();
  const bool avx512State = (xcr0 & 0xe6) == 0xe6;      // SSE, AVX, opmask, ZMM
  const bool tileState = (xcr0 & 0x60000) == 0x60000;  // XTILECFG, XTILEDATA
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    const unsigned maxSubleaf = eax;
    support.amxBf16 = tileState && (edx & (1u << 22));
    if (maxSubleaf >= 1 && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
      support.avx512Bf16 = avx512State && (eax & (1u << 5));
  }
#endif
  return support;
}

}  // namespace efm

#pragma once
// What this CPU offers for reduced-precision arithmetic. bf16 (bfloat16) convolutions and
// matrix products are fast only where the CPU computes in bf16 itself: AVX512-BF16 (Cooper
// Lake, Zen 4 and later) or AMX-BF16 (Sapphire Rapids and later). Elsewhere oneDNN emulates
// bf16 with fp32 arithmetic plus conversions, slower than plain fp32.

#include <string>

namespace efm {

struct CpuBf16Support {
  bool avx512Bf16 = false;  // AVX512-BF16 instructions, and the OS saves AVX-512 state
  bool amxBf16 = false;     // AMX tiles with bf16, and the OS saves tile state
  // Native bf16 arithmetic of either kind, and not switched off with EFM_DISABLE_BF16=1
  // (which makes a machine with bf16 behave as one without, e.g. to test the fallback).
  bool native() const;
  // "AVX512-BF16", "AMX-BF16 and AVX512-BF16", or "no native bf16".
  std::string describe() const;
};

// Reads the CPU's identification (x86 CPUID and XGETBV); false for both on other machines.
CpuBf16Support detectCpuBf16();

}  // namespace efm

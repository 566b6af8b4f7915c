#!/usr/bin/env bash
# The sanitizer stage of CI (.ci/run): builds the asan preset (clang, AddressSanitizer +
# UndefinedBehaviorSanitizer, no GUI), runs the unit and command-line tests under it, then
# each libFuzzer target for EFM_FUZZ_SECONDS (default 20). docs/ROBUSTNESS.md has the
# details; `ctest --preset asan` runs the whole non-GUI suite, one process per test case
# (slower: each pays ASan's start-up of LibTorch).
#
# Left out here, to keep CI well under its limit: the seeded learning runs (LibTorch's large
# tensors make ASan's allocator slow: 7.5 min on a fast 2-core machine, about 3 times that on
# CI's) and the command-line tests tagged [heavy]: the two option sweeps of test_cli_malformed
# (hundreds of runs of efm that only parse options, each paying ASan's start-up of LibTorch,
# 2 s against 0.7 s) and the runs whose time goes into LibTorch's numerics (the U-Net, bf16,
# the bound's posterior, the peer paths, class guidance, two ranks; docs/ROBUSTNESS.md).
# EFM_SANITIZERS_FULL=1 includes everything.
set -euo pipefail
cd "$(dirname "$0")/.."
EFM_WITH_SANITIZERS=1 EFM_HEADLESS=1 bash scripts/setup-debian.sh
cmake --preset asan
cmake --build --preset asan
# The same settings as the asan test preset (CMakePresets.json).
supp="$PWD/tests/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:strict_init_order=1:suppressions=$supp/asan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"
if [ "${EFM_SANITIZERS_FULL:-0}" = "1" ]; then
  echo "sanitizers: unit and learning tests under ASan + UBSan"
  build-asan/bin/efm_core_tests
else
  echo "sanitizers: unit tests under ASan + UBSan"
  build-asan/bin/efm_core_tests "~[learning]"
fi
echo "sanitizers: command-line tests (efm built with ASan + UBSan)"
if [ "${EFM_SANITIZERS_FULL:-0}" = "1" ]; then
  build-asan/bin/efm_cli_tests
else
  build-asan/bin/efm_cli_tests "~[heavy]"
fi
bash scripts/fuzz.sh "${EFM_FUZZ_SECONDS:-20}"

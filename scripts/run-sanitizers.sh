#!/usr/bin/env bash
# The sanitizer stage of CI: builds the asan preset (clang, AddressSanitizer +
# UndefinedBehaviorSanitizer, no GUI), runs the whole non-GUI test suite under it, then each
# libFuzzer target for EFM_FUZZ_SECONDS (default 20). docs/ROBUSTNESS.md has the details.
set -euo pipefail
cd "$(dirname "$0")/.."
EFM_WITH_SANITIZERS=1 EFM_HEADLESS=1 bash scripts/setup-debian.sh
cmake --preset asan
cmake --build --preset asan
ctest --preset asan
bash scripts/fuzz.sh "${EFM_FUZZ_SECONDS:-20}"

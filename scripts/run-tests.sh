#!/usr/bin/env bash
# Installs what is missing, checks that core/ keeps its layering, builds, and runs the whole
# test suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/check-layers.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 900

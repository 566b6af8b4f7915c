#!/usr/bin/env bash
# Configures and builds into build/ (Release, Ninja). Extra arguments go to cmake's
# configure step, e.g. -DEFM_BUILD_GUI=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build --parallel "$(nproc)"

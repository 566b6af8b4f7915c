#!/usr/bin/env bash
# Configures and builds into build/ (Release, Ninja, unity build). Extra arguments go to
# cmake's configure step, e.g. -DEFM_BUILD_GUI=OFF, or -DCMAKE_UNITY_BUILD=OFF to compile
# file by file (quicker rebuilds after editing one file; docs/TESTING.md, "Build time").
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON "$@"
cmake --build build --parallel "$(nproc)"

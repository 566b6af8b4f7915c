#!/usr/bin/env bash
# Installs the Debian 12 packages that efm needs to build, test and run; only the missing
# ones. Run as root (or it uses sudo when available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libeigen3-dev libopenblas0-pthread
  nlohmann-json3-dev libcli11-dev catch2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages are installed"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "setup: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

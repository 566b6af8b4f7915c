#!/usr/bin/env bash
# Installs the Debian 12 packages that efm needs to build, test and run; only the missing
# ones. Run as root (or it uses sudo when available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libeigen3-dev libopenblas0-pthread
  nlohmann-json3-dev libcli11-dev catch2
  libpng-dev zlib1g-dev
  # Gloo, the collectives behind c10d's ProcessGroupGloo (efm train --nproc).
  libgloo-dev
  # Fashion-MNIST for the idx:fashion-mnist data SPEC (and its tests).
  dataset-fashion-mnist
)
# The desktop application (efm-studio) and its tests under a virtual X server. Skip them with
# EFM_HEADLESS=1 for machines that only train from the command line.
if [ "${EFM_HEADLESS:-0}" != "1" ]; then
  packages+=(
    qt6-base-dev libqt6opengl6-dev qt6-qpa-plugins libvtk9-dev
    libgl1-mesa-dri libglx-mesa0 fonts-dejavu-core xvfb xauth
  )
fi

# The sanitizer and fuzzing builds (scripts/run-sanitizers.sh): clang with its runtimes.
if [ "${EFM_WITH_SANITIZERS:-0}" = "1" ]; then
  packages+=(clang libclang-rt-14-dev)
fi

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

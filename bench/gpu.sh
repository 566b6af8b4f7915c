#!/usr/bin/env bash
# The training and sampling benchmarks on a CUDA GPU. Builds the core and `efm` (no GUI,
# no tests) against the LibTorch inside an installed PyTorch (its CMake files, found through
# torch.utils.cmake_prefix_path), then times on the GPU:
#   - training steps/s of efm_bench_core's cases (MLP coupled-binary batch 512, CNN
#     class-scaling K=160 batch 128) and of the reference U-Net on 64×128 street scenes
#     (batch 4, as efm_bench_unet),
#   - sampling 16,000 coupled-binary labelings (RK4, step 0.2, to t = 15),
# and prints them with the device, PyTorch's version and the CPU figures for comparison.
#
#   bench/gpu.sh [--steps N] [--python PYTHON] [--build DIR]
#
# Needs: a CUDA GPU with its driver, python3 with a CUDA build of torch, cmake, ninja, a C++
# compiler, and the Debian headers (scripts/setup-debian.sh with EFM_HEADLESS=1).
set -euo pipefail
set -f  # the data SPECs hold '?'
cd "$(dirname "$0")/.."
steps=500 python=python3 build=build-gpu
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    *) echo "usage: $0 [--steps N] [--python PYTHON] [--build DIR]" >&2; exit 2 ;;
  esac
done

if ! "$python" -c "import torch" 2> /dev/null; then
  echo "gpu.sh: $python cannot import torch; install PyTorch with CUDA (pip install torch)" >&2
  exit 2
fi
read -r torch_version cuda_ok prefix <<< "$("$python" -c \
  'import torch; print(torch.__version__, torch.cuda.is_available(), torch.utils.cmake_prefix_path)')"
if [ "$cuda_ok" != "True" ]; then
  echo "gpu.sh: PyTorch $torch_version sees no CUDA GPU here; nothing to measure" >&2
  exit 2
fi
device_name=$("$python" -c 'import torch; print(torch.cuda.get_device_name(0))')
echo "gpu.sh: PyTorch $torch_version, $device_name; LibTorch from $prefix"

# PyTorch's LibTorch brings its own Gloo: Debian's libgloo must not be linked beside it.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DEFM_BUILD_GUI=OFF -DEFM_BUILD_TESTS=OFF -DEFM_BUILD_BENCH=OFF \
  -DEFM_GLOO_LIBRARY=EFM_GLOO_LIBRARY-NOTFOUND > "$build.configure.log"
cmake --build "$build" --target efm
efm="$build/bin/efm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$efm" data synth-streets --out "$work/streets" --count 8 --seed 0 --height 64 --width 128 \
  > /dev/null 2>&1

rate() { tail -n 1 "$1/metrics.csv" | cut -d, -f4; }
seconds() { date +%s.%N; }

cases=(
  "train MLP 2×256, coupled-binary, batch 512|--data toy:coupled-binary --model mlp --batch 512"
  "train CNN h128, class-scaling K=160, batch 128|--data toy:kscaling?K=160&n=4&seed=0 --model cnn --batch 128"
  "train U-Net, streets 64×128, batch 4|--data cityscapes:$work/streets?classes=categories&scale=1 --model unet --batch 4"
)
echo
echo "| case | $device_name | CPU ($(nproc) threads) |"
echo "|---|---|---|"
for entry in "${cases[@]}"; do
  name="${entry%%|*}" flags="${entry#*|}"
  for device in cuda cpu; do
    # shellcheck disable=SC2086  # the flags are words
    "$efm" train $flags --steps "$steps" --seed 1 --device "$device" --checkpoint-seconds 0 \
      --out "$work/$device" > "$work/$device.log" 2>&1 || { cat "$work/$device.log" >&2; exit 1; }
  done
  printf '| %s | %.1f steps/s | %.1f steps/s |\n' "$name" "$(rate "$work/cuda")" \
    "$(rate "$work/cpu")"
  [ "$name" = "${cases[0]%%|*}" ] && cp -r "$work/cuda" "$work/model"
  rm -rf "$work/cuda" "$work/cpu"
done
for device in cuda cpu; do
  start=$(seconds)
  "$efm" sample --run "$work/model" --count 16000 --solver rk4 --step 0.2 --t-end 15 \
    --device "$device" --out "$work/samples-$device.csv" > /dev/null 2>&1
  eval "sample_$device=$(awk -v a="$start" -v b="$(seconds)" 'BEGIN { print b - a }')"
done
# shellcheck disable=SC2154  # set by the eval above
printf '| sample 16,000 coupled-binary, RK4 0.2 to t_end 15 (whole command) | %.2f s | %.2f s |\n' \
  "$sample_cuda" "$sample_cpu"

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
#   bench/gpu.sh [--steps N] [--cpu-steps N] [--python PYTHON] [--build DIR] [--no-distributed]
#
# --steps: training steps on the GPU (default 1000); --cpu-steps: on the CPU (default 200,
# the U-Net is slow there). Steps/s are counted from the first metrics row to the last, so
# start-up (CUDA context, cuDNN and cuBLAS handles, the first kernels) is left out.
# --no-distributed builds without c10d (if that part fails to build against this LibTorch).
#
# With c10d, it also trains on 2 ranks (one GPU shared) against 1 process with the same
# global batch, and prints both losses: they should agree.
#
# Needs: a CUDA GPU with its driver, python3 with a CUDA build of torch, cmake, ninja, a C++
# compiler, and the Debian headers (scripts/setup-debian.sh with EFM_HEADLESS=1). PyTorch's
# wheels hold Gloo but not its headers: distributed training is built where libgloo-dev's
# headers (or a Gloo checkout on CMAKE_PREFIX_PATH) are found, and left out otherwise.
set -euo pipefail
set -f  # the data SPECs hold '?'
cd "$(dirname "$0")/.."
steps=1000 cpu_steps=200 python=python3 build=build-gpu distributed=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --cpu-steps) cpu_steps="$2"; shift 2 ;;
    --no-distributed) distributed=(-DEFM_HAVE_C10D_GLOO=OFF); shift ;;
    --python) python="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    *) echo "usage: $0 [--steps N] [--cpu-steps N] [--python PYTHON] [--build DIR]" \
      "[--no-distributed]" >&2; exit 2 ;;
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
  -DEFM_GLOO_LIBRARY=EFM_GLOO_LIBRARY-NOTFOUND "${distributed[@]}" > "$build.configure.log"
cmake --build "$build" --target efm
efm="$build/bin/efm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$efm" data synth-streets --out "$work/streets" --count 8 --seed 0 --height 64 --width 128 \
  > /dev/null 2>&1

# Steps per second between the first and the last metrics row (step, loss, lr, steps/s,
# seconds): the first row comes after 50 steps, so start-up costs are not counted.
rate() {
  awk -F, 'NR == 2 { s0 = $1; t0 = $5 } NR > 2 { s = $1; t = $5 }
    END { if (t > t0) printf "%.1f", (s - s0) / (t - t0); else print "n/a" }' "$1/metrics.csv"
}
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
    n=$steps
    [ "$device" = cpu ] && n=$cpu_steps
    # shellcheck disable=SC2086  # the flags are words
    "$efm" train $flags --steps "$n" --seed 1 --device "$device" --checkpoint-seconds 0 \
      --out "$work/$device" > "$work/$device.log" 2>&1 || { cat "$work/$device.log" >&2; exit 1; }
  done
  printf '| %s | %s steps/s | %s steps/s |\n' "$name" "$(rate "$work/cuda")" "$(rate "$work/cpu")"
  [ "$name" = "${cases[0]%%|*}" ] && cp -r "$work/cuda" "$work/model"
  rm -rf "$work/cuda" "$work/cpu"
done
for device in cuda cpu; do
  start=$(seconds)
  "$efm" sample --run "$work/model" --count 16000 --solver rk4 --step 0.2 --t-end 15 \
    --device "$device" --out "$work/samples-$device.csv" > "$work/sample.log" 2>&1 ||
    { cat "$work/sample.log" >&2; exit 1; }
  eval "sample_$device=$(awk -v a="$start" -v b="$(seconds)" 'BEGIN { print b - a }')"
done
# shellcheck disable=SC2154  # set by the eval above
printf '| sample 16,000 coupled-binary, RK4 0.2 to t_end 15 (whole command) | %.2f s | %.2f s |\n' \
  "$sample_cuda" "$sample_cpu"

# That the GPU run learned: the MLP trained above against the exact coupled-binary target.
"$efm" eval --run "$work/model" --device cuda > "$work/eval.json" 2> "$work/eval.log" ||
  { cat "$work/eval.log" >&2; exit 1; }
"$python" -c 'import json, sys
kl = json.load(open(sys.argv[1]))["kl_target_model"]
print("\nMLP after %s steps on the GPU: KL(target || model) = %.5f" % (sys.argv[2], kl))' \
  "$work/eval.json" "$steps"

# Distributed training (c10d over Gloo; CUDA tensors pass through the CPU) on this LibTorch.
if grep -q '^EFM_HAVE_C10D_GLOO:INTERNAL=1' "$build/CMakeCache.txt"; then
  common=(--data toy:coupled-binary --steps 300 --batch 512 --seed 3 --device cuda
    --checkpoint-seconds 0)
  "$efm" train "${common[@]}" --out "$work/one" > "$work/one.log" 2>&1 ||
    { cat "$work/one.log" >&2; exit 1; }
  "$efm" train --nproc 2 "${common[@]}" --out "$work/two" > "$work/two.log" 2>&1 ||
    { cat "$work/two.log" >&2; exit 1; }
  loss() { tail -n 1 "$1/metrics.csv" | cut -d, -f2; }
  echo "MLP, 300 steps of batch 512 on cuda: loss $(loss "$work/one") in 1 process," \
    "$(loss "$work/two") on 2 ranks (c10d, Gloo)"
else
  echo "This build has no c10d (no Gloo headers found): distributed training not tried."
fi

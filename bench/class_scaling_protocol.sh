#!/usr/bin/env bash
# Class scaling at the reference's protocol, scaled down (issue 16, docs/RESULTS.md §1): the
# reference's CNN (`cnn-ref`), batch 128, Adam lr 3e-4, K = 5, 10, 20, 40, 80, 160, every
# path, 2 seeds, 20,000 steps, 100,000 samples per model, marginal KL as Dirichlet flow
# matching computes it. Two runs, the second training again with the same seeds: each path
# with its own recommended sampler (ours RK4 step 0.2 to t = 15, 300 evaluations; the peers
# Euler, 300), then every path at the same number of network evaluations (--nfe).
#
#   bash bench/class_scaling_protocol.sh [--device cuda] [--threads N] [--steps 20000]
#                                        [--samples 100000] [--nfe 100] [--out DIR]
#
# Cost, measured on a 2-core CPU (2026-12-05, one thread, K = 160): 24 ms per training step
# of cnn-ref and 48 µs per labeling and network evaluation when sampling, so about 32 minutes
# per model at K = 160 and some 12 hours for the whole protocol on one core. Run it on a
# GPU (--device cuda, with a CUDA build: bench/gpu.sh builds one) or in the background.
set -euo pipefail
cd "$(dirname "$0")/.."
device=cpu threads=2 steps=20000 samples=100000 nfe=100 out=bench-results/class_scaling_protocol
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --nfe) nfe=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "class_scaling_protocol: unknown option $1" >&2; exit 2 ;;
  esac
done
bench="${EFM_BENCH_CLASS_SCALING:-build/bin/efm_bench_class_scaling}"
[ -x "$bench" ] || { echo "class_scaling_protocol: $bench not found (build first)" >&2; exit 2; }
common=(--K 5,10,20,40,80,160 --model cnn-ref --batch 128 --lr 3e-4 --steps "$steps"
        --seeds 2 --samples "$samples" --device "$device" --threads "$threads")
"$bench" "${common[@]}" --out "$out/own-sampler"
"$bench" "${common[@]}" --nfe "$nfe" --out "$out/nfe-$nfe"

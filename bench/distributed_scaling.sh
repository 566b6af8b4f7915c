#!/usr/bin/env bash
# Steps per second of `efm train` on 1 and on N local c10d ranks (--nproc), with the same
# global batch and the same total number of cores, for the reference MLP and CNN cases of
# efm_bench_core and the reference U-Net on 32×64 synthetic street scenes. Prints a Markdown table.
#
#   bench/distributed_scaling.sh [--ranks N] [--steps S] [--efm PATH]
#
# The rate is the one training reports in metrics.csv (steps over training time; process
# start-up and data loading are not in it). Defaults: 2 ranks, 300 steps, build/bin/efm.
set -euo pipefail
set -f  # the data SPECs hold '?'
cd "$(dirname "$0")/.."
ranks=2 steps=300 efm=build/bin/efm
while [ $# -gt 0 ]; do
  case "$1" in
    --ranks) ranks="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --efm) efm="$2"; shift 2 ;;
    *) echo "usage: $0 [--ranks N] [--steps S] [--efm PATH]" >&2; exit 2 ;;
  esac
done
[ -x "$efm" ] || { echo "$efm not found: build first (cmake --build build)" >&2; exit 2; }
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$efm" data synth-streets --out "$work/streets" --count 8 --seed 0 --height 64 --width 128 \
  > /dev/null 2>&1

# name | flags
cases=(
  "MLP 2×256, coupled-binary, batch 512|--data toy:coupled-binary --model mlp --batch 512"
  "CNN h128, class-scaling K=160, batch 128|--data toy:kscaling?K=160&n=4&seed=0 --model cnn --batch 128"
  "U-Net, streets 32×64, batch 4 (a tenth of the steps)|--data cityscapes:$work/streets?classes=categories&scale=0.5 --model unet --batch 4"
)

# The last row's steps_per_s of a run's metrics.csv.
rate() { tail -n 1 "$1/metrics.csv" | cut -d, -f4; }

echo "efm train, $steps steps, $cores cores in all ($(date -u +%Y-%m-%d))"
echo
echo "| case | 1 process ($cores threads) | $ranks ranks ($((cores / ranks > 0 ? cores / ranks : 1)) threads each) | ratio |"
echo "|---|---|---|---|"
for entry in "${cases[@]}"; do
  name="${entry%%|*}" flags="${entry#*|}" n=$steps
  case "$name" in U-Net*) n=$(( steps / 10 > 10 ? steps / 10 : 10 )) ;; esac
  # shellcheck disable=SC2086  # the flags are words
  "$efm" train $flags --steps "$n" --seed 1 --threads "$cores" --checkpoint-seconds 0 \
    --out "$work/one" > /dev/null 2>&1
  # shellcheck disable=SC2086
  "$efm" train $flags --steps "$n" --seed 1 --nproc "$ranks" --checkpoint-seconds 0 \
    --out "$work/many" > /dev/null 2>&1
  one=$(rate "$work/one") many=$(rate "$work/many")
  awk -v name="$name" -v one="$one" -v many="$many" \
    'BEGIN { printf "| %s | %.1f steps/s | %.1f steps/s | %.2fx |\n", name, one, many, many / one }'
  rm -rf "$work/one" "$work/many"
done

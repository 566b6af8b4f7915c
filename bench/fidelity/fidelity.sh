#!/usr/bin/env bash
# Per-step fidelity against the authors' reference (docs/RESULTS.md, "Fidelity"): trains
# each network on each table for the reference's budget (batch 512, Adam lr 5e-4, 5000
# steps; ray path with its defaults), samples 64,000 labelings with RK4 (step 0.2 to t = 15,
# argmax) and reports KL(target || model) per seed and its mean with standard error. With
# GAF_DIR set to an extracted checkout of the authors' code (IPA-HD/generative-af), it also
# trains their DenseNet on the same tables, with the same seeds, in the same run.
#
#   bash bench/fidelity/fidelity.sh [--tables coupled,potts3,ring4] [--models mlp,dense] [--seeds 3] [--steps 5000]
#                                   [--threads 2] [--out bench-results/fidelity]
#
# Tables: coupled-binary (2 variables, 2 classes), potts3 (3 variables, 3 classes, a Potts
# chain with coupling 2: strong pairwise dependence) and ring4 (4 variables, 3 classes, a
# Potts ring with coupling 1.5), written as pmf files into --out.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tables=coupled,potts3,ring4 models=mlp,dense seeds=3 steps=5000 threads=2 out=bench-results/fidelity
while [ $# -gt 0 ]; do
  case "$1" in
    --tables) tables=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "fidelity: unknown option $1" >&2; exit 2 ;;
  esac
done
efm="${EFM:-$root/build/bin/efm}"
[ -x "$efm" ] || { echo "fidelity: $efm not found (build first, or set EFM)" >&2; exit 2; }
mkdir -p "$out"
results="$out/fidelity.csv"

python3 "$here/tables.py" "$out"

echo "implementation,network,table,seed,steps,train_s,kl_target_model" > "$results"
kl_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["'"$1"'"])'; }
for table in ${tables//,/ }; do
  for model in ${models//,/ }; do
    for seed in $(seq 1 "$seeds"); do
      run="$out/runs/$table-$model-$seed"
      rm -rf "$run"
      start=$(date +%s.%N)
      "$efm" train --data "pmf:$out/$table.pmf" --out "$run" --model "$model" --batch 512 \
        --lr 5e-4 --steps "$steps" --seed "$seed" --threads "$threads" > /dev/null
      train_s=$(python3 -c "import time; print(round(time.time() - $start, 1))")
      kl=$("$efm" eval --run "$run" --samples 64000 --seed "$seed" --threads "$threads" |
        kl_of kl_target_model)
      echo "efm,$model,$table,$seed,$steps,$train_s,$kl" | tee -a "$results"
    done
  done
  if [ -n "${GAF_DIR:-}" ]; then
    for seed in $(seq 1 "$seeds"); do
      line=$(/usr/bin/python3 "$here/reference_quality.py" "$out/$table.pmf" --steps "$steps" \
        --batch 512 --lr 5e-4 --seed "$seed" --threads "$threads")
      train_s=$(echo "$line" | kl_of train_s)
      kl=$(echo "$line" | kl_of kl_target_model)
      echo "reference,dense,$table,$seed,$steps,$train_s,$kl" | tee -a "$results"
    done
  fi
done

# Mean and standard error of KL per (implementation, network, table).
python3 - "$results" <<'PY'
import csv, math, sys
groups = {}
for row in csv.DictReader(open(sys.argv[1])):
    key = (row["table"], row["implementation"], row["network"])
    groups.setdefault(key, []).append(float(row["kl_target_model"]))
print("\n| table | implementation | network | seeds | KL(target ‖ model), mean ± s.e. |")
print("|---|---|---|---|---|")
for (table, impl, net), kls in sorted(groups.items()):
    mean = sum(kls) / len(kls)
    se = math.sqrt(sum((k - mean) ** 2 for k in kls) / (len(kls) - 1) / len(kls)) if len(kls) > 1 else float("nan")
    print(f"| {table} | {impl} | {net} | {len(kls)} | {mean:.4f} ± {se:.4f} |")
PY

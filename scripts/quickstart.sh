#!/usr/bin/env bash
# The main job on its embedded default: installs and builds efm, trains e-geodesic flow
# matching on the coupled-binary toy (METHOD.md section 8), samples from the model and
# prints how close the model's joint distribution is to the target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh
run=runs/quickstart
rm -rf "$run"
build/bin/efm train --data toy:coupled-binary --out "$run" --steps 3000 --lr 1e-3
build/bin/efm sample --run "$run" --count 10000 --out "$run/samples.csv"
echo "efm eval (KL and total variation of the model's joint against the target):"
build/bin/efm eval --run "$run" --samples 40000 | tee "$run/eval.json"
echo "Run directory: $run (checkpoint.pt, config.json, metrics.csv, samples.csv, eval.json)"

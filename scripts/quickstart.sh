#!/usr/bin/env bash
# The main job on its embedded default. Installs and builds efm and efm-studio, then:
# - with a display (DISPLAY or WAYLAND_DISPLAY set): opens efm-studio on the coupled-binary
#   toy, ready to train (press Start; on the first start the guided tour opens and does);
# - without one: trains e-geodesic flow matching on the coupled-binary toy (docs/METHOD.md
#   section 8) with the command line, samples, prints how close the model's joint is to
#   the target, and runs the studio's headless demo under a virtual X server, which saves
#   one picture per view.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${EFM_QUICKSTART_HEADLESS:-0}" != "1" ]; then
  echo "quickstart: opening efm-studio (data toy:coupled-binary; on the first start a guided tour opens and trains a short run, later press Start)"
  exec build/bin/efm-studio
fi

run=runs/quickstart
rm -rf "$run"
build/bin/efm train --data toy:coupled-binary --out "$run" --steps 3000 --lr 1e-3
build/bin/efm sample --run "$run" --count 10000 --out "$run/samples.csv"
echo "efm eval (KL and total variation of the model's joint against the target):"
build/bin/efm eval --run "$run" --samples 40000 | tee "$run/eval.json"

echo "quickstart: no display here; running the studio's demo under a virtual X server"
EFM_STUDIO_RUNS="$run/studio-runs" xvfb-run -a -s "-screen 0 1600x1200x24" \
  build/bin/efm-studio --demo toy:coupled-binary --steps 1500 --screenshot-dir "$run/studio" \
  > "$run/studio-files.txt"
echo "Results:"
echo "  $run/ (checkpoint.pt, config.json, metrics.csv, samples.csv, eval.json)"
echo "  $run/studio/ (the studio's views as PNG:" \
  "$(cd "$run/studio" && ls -- *.png | tr '\n' ' '))"

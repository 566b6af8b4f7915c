#!/usr/bin/env bash
# Runs each libFuzzer target (fuzz/) for SECONDS (default 60), seeded with real files:
# label-map PNGs and a checkpoint written by efm itself, a small IDX file, CSV and PMF
# tables, a run configuration. Builds the asan preset's fuzz targets first if needed.
# Findings (crashing inputs) land in build-asan/fuzz/findings/; the script then exits 1.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_png_labels fuzz_idx fuzz_csv fuzz_config fuzz_checkpoint)

[ -f build-asan/CMakeCache.txt ] || cmake --preset asan >/dev/null
cmake --build --preset asan --target efm efm_fuzz_targets >/dev/null
bin=build-asan/bin
work=build-asan/fuzz
mkdir -p "$work/findings"
# Leaks are checked per input. Full unwinding of allocations (slower) lets the suppressions
# in tests/sanitizers/lsan.supp name the LibTorch functions that leak, which have no frame
# pointers; settings the caller exported come last and win.
supp="$PWD/tests/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export EFM_CACHE_DIR="$work/cache"

# Seeds, written once from efm's own output.
seeds="$work/seeds"
if [ ! -d "$seeds" ]; then
  mkdir -p "$seeds"/{fuzz_png_labels,fuzz_idx,fuzz_csv,fuzz_config,fuzz_checkpoint}
  "$bin/efm" data synth-streets --count 2 --height 8 --width 16 --split 1,0,0 \
    --out "$work/streets" >/dev/null 2>&1
  find "$work/streets" -name '*.png' | head -4 | while read -r png; do
    cp "$png" "$seeds/fuzz_png_labels/"
  done
  # 2 images of 3 x 3 pixels, plain and gzip.
  printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x03' > "$seeds/fuzz_idx/two.idx"
  head -c 18 /dev/urandom >> "$seeds/fuzz_idx/two.idx"
  gzip -c "$seeds/fuzz_idx/two.idx" > "$seeds/fuzz_idx/two.idx.gz"
  # The first byte picks the reader: even = csv:, odd = pmf:.
  printf '\x00# labelings\n0,1,2\n2,1,0\n' > "$seeds/fuzz_csv/labelings"
  printf '\x01 0 1 0.25\n1 0 0.75\n' > "$seeds/fuzz_csv/weights"
  printf '{"network": {"hidden": 8}}\n' > "$work/hidden8.json"
  rm -rf "$work/run"
  "$bin/efm" train --out "$work/run" --config "$work/hidden8.json" --steps 2 --batch 8 \
    --threads 1 2>/dev/null >/dev/null
  cp "$work/run/config.json" "$seeds/fuzz_config/"
  cp "$work/run/checkpoint.pt" "$seeds/fuzz_checkpoint/"
fi

status=0
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: $target for ${seconds}s"
  if ! "$bin/$target" "$corpus" "$seeds/$target" -max_total_time="$seconds" \
      -rss_limit_mb=3072 -timeout=30 -print_final_stats=1 \
      -artifact_prefix="$work/findings/$target-" > "$work/$target.log" 2>&1; then
    echo "fuzz: $target FOUND A PROBLEM; see $work/$target.log and $work/findings/" >&2
    tail -40 "$work/$target.log" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$target.log" |
      tr '\n' ' ' | sed "s/^/fuzz: $target ok: /;s/$/\n/"
  fi
done
exit $status

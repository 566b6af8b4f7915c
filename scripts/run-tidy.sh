#!/usr/bin/env bash
# clang-tidy with the committed .clang-tidy on the C++ files changed since the last commit
# at which the whole tree was checked clean (.ci/tidy-base), or on every file with --all.
# Any warning fails (exit 1). Needs a configured build/ (compile_commands.json): CI runs it
# after scripts/run-tests.sh.
#
#   bash scripts/run-tidy.sh            # files changed since .ci/tidy-base
#   bash scripts/run-tidy.sh --all      # every file; with --update-base, records HEAD as
#                                       # the new base when everything is clean
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-tidy >/dev/null; then
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends clang-tidy
fi
[ -f build/compile_commands.json ] || { echo "tidy: configure build/ first (scripts/build.sh)" >&2; exit 2; }

all=0 update=0
for arg in "$@"; do
  case "$arg" in
    --all) all=1 ;;
    --update-base) update=1 ;;
    *) echo "tidy: unknown option $arg" >&2; exit 2 ;;
  esac
done

# clang-tidy's compile commands, one per source file, in build/tidy/:
# - A unity build (scripts/build.sh) compiles generated files that each #include a batch of
#   sources; every source in a batch gets that batch's command.
# - The build's precompiled torch header is a GCC file that clang cannot read: an include
#   of <torch/torch.h> takes its place.
mkdir -p build/tidy
python3 - <<'PY'
import json, re
entries = []
for entry in json.load(open("build/compile_commands.json")):
    command = entry.get("command", "")
    command = re.sub(r"-include \S*cmake_pch\.hxx", "-include torch/torch.h", command)
    command = command.replace("-Winvalid-pch", "")
    batch = entry["file"]
    if re.search(r"/Unity/unity_[^/]*\.(cxx|c)$", batch):
        sources = re.findall(r'^#include "([^"]+)"', open(batch).read(), re.M)
        for source in sources:
            entries.append(dict(entry, file=source, command=command.replace(batch, source)))
    else:
        entries.append(dict(entry, command=command))
json.dump(entries, open("build/tidy/compile_commands.json", "w"))
PY
# The translation units of the build: only they have compile commands.
mapfile -t units < <(python3 -c '
import json, os
for entry in json.load(open("build/tidy/compile_commands.json")):
    path = os.path.relpath(entry["file"])
    if not path.startswith("build") and not path.startswith(".."):
        print(path)' | sort -u)
if [ "$all" = "1" ]; then
  files=("${units[@]}")
else
  base=$(cat .ci/tidy-base)
  if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    # A shallow clone does not hold the base. Checking every file instead would take about
    # 45 minutes on 2 cores, longer than CI can give, so say so and check nothing.
    echo "tidy: the base $base is not in this history (a shallow clone?): no changed files" \
      "to check; run scripts/run-tidy.sh --all for the whole tree" >&2
    files=()
  else
    mapfile -t changed < <(git diff --name-only "$base" HEAD -- '*.cpp' '*.h')
    files=()
    for f in "${changed[@]}"; do
      for u in "${units[@]}"; do [ "$f" = "$u" ] && files+=("$f"); done
    done
    # A changed header is checked through the units that include it.
    for f in "${changed[@]}"; do
      case "$f" in *.h)
        name=$(basename "$f")
        for u in "${units[@]}"; do grep -q "$name\"" "$u" && files+=("$u"); done ;;
      esac
    done
  fi
fi
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u | sed '/^$/d')
echo "tidy: ${#files[@]} files"
[ ${#files[@]} -eq 0 ] && exit 0
status=0
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 1 \
  clang-tidy -p build/tidy --quiet --extra-arg=-Wno-unknown-warning-option || status=$?
if [ "$status" -ne 0 ]; then
  echo "tidy: warnings above (fix them, or argue a check out in .clang-tidy)" >&2
  exit 1
fi
if [ "$update" = "1" ] && [ "$all" = "1" ]; then
  git rev-parse HEAD > .ci/tidy-base
  echo "tidy: clean; .ci/tidy-base is now $(cat .ci/tidy-base) (commit it)"
fi
echo "tidy: clean"

#!/usr/bin/env bash
# Fails when a folder of core/ includes a folder above it (docs/ARCHITECTURE.md): every
# "efm/<folder>/..." and private "<folder>/..." include of core/src and core/include must
# name its own folder or one below it in this order.
set -euo pipefail
cd "$(dirname "$0")/.."
layers=(base geometry solvers models paths sampling data config io dist train eval)
rank() {
  local i
  for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }; done
  echo -1
}
status=0
while IFS= read -r file; do
  folder=$(echo "$file" | sed -E 's#^core/(src|include/efm)/([a-z]+)/.*#\2#')
  own=$(rank "$folder")
  if [ "$own" -lt 0 ]; then echo "layers: $file is in no known folder"; status=1; continue; fi
  while IFS= read -r included; do
    target=$(rank "$included")
    if [ "$target" -lt 0 ]; then
      echo "layers: $file includes the unknown folder '$included'"; status=1
    elif [ "$target" -gt "$own" ]; then
      echo "layers: $file ($folder) includes $included, a folder above it"; status=1
    fi
  done < <(grep -hoE '#include "(efm/)?[a-z]+/' "$file" | sed -E 's#.*"(efm/)?([a-z]+)/#\2#' | sort -u)
done < <(find core/src core/include/efm -name '*.h' -o -name '*.cpp' | sort)
[ "$status" -eq 0 ] && echo "layers: core/ includes only its own folder or those below it"
exit "$status"

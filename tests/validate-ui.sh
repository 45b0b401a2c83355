#!/bin/sh
# Runs `gtk4-builder-tool validate` on every .ui file under src/, with
# tests/ui-validate-types.c preloaded so the tool knows libadwaita's and
# Haul's widget types. Needs a display (meson test runs under Xvfb).
# Usage: validate-ui.sh PRELOAD_MODULE SOURCE_DIR
set -u
module=$1 src=$2
status=0 n=0
for ui in $(find "$src/src" -name '*.ui' | sort); do
  n=$((n + 1))
  out=$(LD_PRELOAD="$module" gtk4-builder-tool validate "$ui" 2>&1)
  rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "FAIL ${ui#"$src"/} (exit $rc)"
    echo "$out" | sed 's/^/  /'
    status=1
  else
    echo "ok   ${ui#"$src"/}"
  fi
done
[ $n -gt 0 ] || { echo "no .ui files found under $src/src"; exit 1; }
exit $status

#!/bin/bash
# run-bulk.sh — bulk actions on a long list in the window (issue 16).
#
# Runs bench-bulk (the real HaulApplication and window, in process, with a
# real SQLite store in a throwaway XDG_DATA_HOME) once per action and list
# length, each in a fresh process under
#   dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24"
# with GSK_RENDERER=cairo, and prints a markdown table: per action and N,
# the total time until the action's result is there and the longest
# main-loop iteration (see bench-bulk.c for what each action does and
# waits for). Nothing is fetched: the links point to 127.0.0.1:9.
#
# Environment:
#   ROWS="10000 100000"   list lengths
#   ACTIONS="…"           default: all of bench-bulk's actions
#   RENDERER=gl            GTK's renderer (default cairo; gl is llvmpipe under Xvfb)
#   RUNS=1                runs per action and length (each line is one run)
#   CAP=120               seconds before a run is reported as "> CAP s"
#   BUILD=path/to/_build  default: the newest _build* with bench-bulk
#   BENCH_RESULTS=tests/bench/results
#
# Raw results: $BENCH_RESULTS/bulk-DATE.tsv; the table is printed.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=$(cd "$BENCH_DIR/../.." && pwd)
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
ROWS=${ROWS:-10000 100000}
ACTIONS=${ACTIONS:-select-all remove-selected pause-selected resume-selected cancel-selected retry-selected pause-all resume-all clear-finished undo-remove undo-add filter search offline online metered-hold metered schedule unschedule}
RUNS=${RUNS:-1}
CAP=${CAP:-120}
BUILD=${BUILD:-$(ls -td "$SRC_ROOT"/_build*/ 2>/dev/null | while read -r d; do [ -x "$d/tests/bench/bench-bulk" ] && echo "$d" && break; done)}
[ -n "$BUILD" ] && [ -x "$BUILD/tests/bench/bench-bulk" ] || { echo "error: build bench-bulk first (ninja -C _build)" >&2; exit 1; }
BENCH="$BUILD/tests/bench/bench-bulk"
mkdir -p "$RESULTS"
raw="$RESULTS/bulk-$(date +%Y%m%d-%H%M%S).tsv"
SANDBOX=$(mktemp -d /tmp/haul-bench-bulk-XXXXXX)
trap 'rm -rf "$SANDBOX"' EXIT

{
  echo "# bench-bulk: $BENCH (source $(git -C "$SRC_ROOT" describe --always --dirty 2>/dev/null || echo "?"))"
  echo "# $(uname -srm); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'action\trows\ttotal_ms\tlongest_iteration_ms\tover_16.7ms\tover_50ms\titerations\n'
} >"$raw"

for n in $ROWS; do
  for action in $ACTIONS; do
    for _ in $(seq "$RUNS"); do
      rm -rf "$SANDBOX"/*
      mkdir -p "$SANDBOX"/{config,data,cache,runtime}
      chmod 700 "$SANDBOX/runtime"
      line=$(env HOME="$SANDBOX" XDG_CONFIG_HOME="$SANDBOX/config" XDG_DATA_HOME="$SANDBOX/data" \
               XDG_CACHE_HOME="$SANDBOX/cache" XDG_RUNTIME_DIR="$SANDBOX/runtime" \
               GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$BUILD/data" GSK_RENDERER="${RENDERER:-cairo}" \
               dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
               "$BENCH" -a "$action" -n "$n" --cap "$CAP" 2>"$SANDBOX.err" | tail -n 1 || true)
      grep -h "longest iterations" "$SANDBOX.err" >>"$raw.where" || true
      [ -n "$line" ] || line=$(printf '%s\t%s\tfailed: %s' "$action" "$n" "$(tail -n 1 "$SANDBOX.err" 2>/dev/null)")
      printf '%s\n' "$line" >>"$raw"
      printf '%s\n' "$line" >&2
    done
  done
done
rm -f "$SANDBOX.err"

echo "| action | rows | total (ms) | longest iteration (ms) | iterations > 16.7 ms | > 50 ms |"
echo "|---|---:|---:|---:|---:|---:|"
grep -v '^#' "$raw" | tail -n +2 | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
echo
echo "raw: $raw (where the time went: $raw.where)" >&2

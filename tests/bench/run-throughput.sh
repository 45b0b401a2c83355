#!/bin/bash
# run-throughput.sh — Haul against wget2, curl and aria2c on loopback.
#
# Starts a private nginx on 127.0.0.1 (sendfile on), generates the
# workloads, and times every tool on each workload, alternating tools
# within each round (the starting tool rotates from round to round), with
# GNU time for wall, CPU and peak RSS. Every run's output is checked (file
# count, every size, and a byte-for-byte compare of a sample) so a tool
# that failed cannot look fast; outputs are deleted between runs.
#
# Environment:
#   WORKLOADS="W1 W2 W3"         which workloads
#   RUNS=5                       recorded runs per tool and workload (at least 3)
#   WARMUP=1                     unrecorded rounds first (page cache, inode tables, CPU clocks)
#   TOOLS="haul wget2 curl aria2c"
#   JOBS=16                      parallel downloads for every tool
#   HAUL=path/to/haul            default: newest _build*/src/haul
#   HAUL_ARGS="-x 1"             more arguments for haul (default: none, its defaults)
#   BENCH_PORT=18481  BENCH_WORK=tests/bench/work  BENCH_RESULTS=tests/bench/results
#   KEEP_DATA=1                  keep the generated files (default: delete W1's 2 GiB at the end)
#
# Raw results: $BENCH_RESULTS/throughput-DATE.tsv; summary (markdown):
# $BENCH_RESULTS/throughput-DATE.md, also printed.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"

WORKLOADS=${WORKLOADS:-W1 W2 W3}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
TOOLS=${TOOLS:-haul wget2 curl aria2c}
JOBS=${JOBS:-16}

ensure_deps
find_haul
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin

stamp=$(date +%Y%m%d-%H%M%S)
raw="$RESULTS/throughput-$stamp.tsv"
summary="$RESULTS/throughput-$stamp.md"
OUT="$WORK/out"

cleanup () {
  rm -rf "$OUT"
  stop_nginx
  if [ "${KEEP_DATA:-0}" != 1 ]; then
    rm -rf "$WWW/W1"
  fi
}
trap cleanup EXIT

start_nginx

{
  echo "# haul: $HAUL ${HAUL_ARGS:-} (source $(git -C "$SRC_ROOT" describe --always --dirty 2>/dev/null || echo "?"))"
  echo "# $(wget2 --version | head -n 1); $(curl --version | head -n 1 | cut -d' ' -f1-2); $(aria2c --version | head -n 1); $(nginx -v 2>&1)"
  echo "# $(uname -srm); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'workload\ttool\trun\twall_s\tuser_s\tsys_s\tmaxrss_kb\tstatus\n'
} >"$raw"

# run_tool TOOL W → runs the download into $OUT
tool_cmd () {
  local tool=$1 w=$2
  case "$tool" in
    haul)
      echo "$HAUL" --headless -j "$JOBS" ${HAUL_ARGS:-} --quiet -d "$OUT" -i "$WORK/$w.urls" ;;
    wget2)
      echo wget2 --max-threads="$JOBS" --quiet --no-config -P "$OUT" -i "$WORK/$w.urls" ;;
    curl)
      # curl takes the URLs from a config file (no argv limit) and names
      # each output after the URL, like the others.
      echo curl -Z --parallel-max "$JOBS" --silent --show-error --fail --remote-name-all \
           --output-dir "$OUT" -K "$WORK/$w.curlrc" ;;
    aria2c)
      echo aria2c -j"$JOBS" --file-allocation=none --quiet --no-conf -d "$OUT" -i "$WORK/$w.urls" ;;
    *) die "unknown tool $tool" ;;
  esac
}


set -- $TOOLS
ntools=$#
tools=("$@")

for w in $WORKLOADS; do
  ensure_workload "$w"
  awk '{ print "url = \"" $0 "\"" }' "$WORK/$w.urls" >"$WORK/$w.curlrc"
  # Warm the page cache for the source files, so run 1 is not special.
  cat "$WWW/$w"/*.bin >/dev/null

  for run in $(seq $(( 1 - WARMUP )) "$RUNS"); do
    for k in $(seq 0 $(( ntools - 1 ))); do
      tool=${tools[$(( (k + run + WARMUP - 1) % ntools ))]}
      # shellcheck disable=SC2046
      timed_run "$w" "$tool" "$run" warm-up "verify $w" $(tool_cmd "$tool" "$w")
    done
  done
  rm -rf "$OUT"
done

"$BENCH_DIR/summarize-throughput.sh" "$raw" | tee "$summary"
log "raw: $raw"
log "summary: $summary"

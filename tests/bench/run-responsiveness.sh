#!/bin/bash
# run-responsiveness.sh — main-loop lateness while Haul downloads W3.
#
# Starts the private nginx of bench-lib.sh, makes sure W3 (50 × 20 MiB)
# exists, and runs bench-responsiveness for each concurrency in JOBS_LIST
# (the same engine, the same 10 ms probe), then the probe alone in its own
# process while `haul --headless -j 16` or aria2c -j16 downloads W3 in
# another process, and with the machine otherwise idle: those lines are the
# machine's own scheduling noise under the same load, which tells how much
# of the lateness is the main loop's work and how much is waiting for a CPU.
#
# Environment:
#   JOBS_LIST="16 1 4 32"    concurrencies to run (16 is the one the targets are for)
#   SECONDS_EACH=10          how long each run keeps downloading
#   LIMITED_RATE=100M        also run -j 16 with this total rate limit (bytes/s,
#                            k/M suffixes; empty to skip): the engine at a
#                            realistic network speed instead of loopback's
#   BENCH_BIN=path           default: newest _build*/tests/bench/bench-responsiveness
#   BASELINE=1               also run the probe-only baselines (0 to skip)
#   ROUNDS=2                 repeat everything, alternating (the machine is shared and noisy)
#   HAUL=path/to/haul        the loader for the "probe alone while haul downloads" baseline
#   SEGMENTED="8m full"      also the segmented runs (issue 15; empty to skip): SEG_FILES
#                            large files at once (-j SEG_FILES), each from its own server
#                            (127.0.0.1, 127.0.0.2, …: the per-server budget is per host)
#                            with -x for each of SEG_X; "8m" holds every connection to
#                            8 MiB/s (nginx limit_rate), "full" is loopback speed
#   SEG_FILES=16  SEG_SIZE=128 (MiB, hard links to one file)  SEG_X="8 1"
#
# Raw results: $BENCH_RESULTS/responsiveness-DATE.tsv (+ .log), also printed.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"

JOBS_LIST=${JOBS_LIST-16 1 4 32}
SECONDS_EACH=${SECONDS_EACH:-10}
BASELINE=${BASELINE:-1}
ROUNDS=${ROUNDS:-2}
LIMITED_RATE=${LIMITED_RATE-100M}
SEGMENTED=${SEGMENTED-8m full}
SEG_X=${SEG_X:-8 1}

ensure_deps
find_haul
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
if [ -z "${BENCH_BIN:-}" ]; then
  BENCH_BIN=$(ls -t "$SRC_ROOT"/_build*/tests/bench/bench-responsiveness 2>/dev/null | head -n 1 || true)
fi
[ -n "$BENCH_BIN" ] && [ -x "$BENCH_BIN" ] ||
  die "no bench-responsiveness binary: build the project first (ninja -C _build) or set BENCH_BIN"

stamp=$(date +%Y%m%d-%H%M%S)
raw="$RESULTS/responsiveness-$stamp.tsv"
logf="$RESULTS/responsiveness-$stamp.log"
SCRATCH="$WORK/resp-out"
LOADER_PID=""

# Stops the loader loop and the download it is running (its child: killing
# that makes the loop exit too).
stop_loader () {
  if [ -n "$LOADER_PID" ]; then
    pkill -TERM -P "$LOADER_PID" 2>/dev/null || true
    kill "$LOADER_PID" 2>/dev/null || true
    wait "$LOADER_PID" 2>/dev/null || true
    LOADER_PID=""
  fi
}

cleanup () {
  stop_loader
  rm -rf "$SCRATCH" "$WORK/load-out"
  stop_nginx
}
trap cleanup EXIT

NGINX_EXTRA_SERVER_CONF=""
[ -z "$SEGMENTED" ] || seg_prepare $SEGMENTED
export NGINX_EXTRA_SERVER_CONF

start_nginx
ensure_workload W3
cat "$WWW/W3"/*.bin >/dev/null
[ -z "$SEGMENTED" ] || seg_write_urls $SEGMENTED

{
  echo "# $BENCH_BIN; $(uname -srm); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'label\tjobs\telapsed_s\tp50_ms\tp99_ms\tmax_ms\tsamples\tpublications_per_s\tnotifications_per_s\tmain_cpu_pct\tMiB_per_s\tfailed\titerations_per_s\titer_cpu_p99_ms\titer_cpu_max_ms\titer_wall_p99_ms\titer_wall_max_ms\tconnections_mean\tconnections_max\n'
} >"$raw"
: >"$logf"

# run_engine J ROUND [RATE]
run_engine () {
  local label="engine-j$1" rate_args=()
  if [ -n "${3:-}" ]; then
    label="$label-limit-$3"
    rate_args=(--limit-rate "$(numfmt --from=iec "$3")")
  fi
  rm -rf "$SCRATCH"
  sync
  log "== round $2: $label, ${SECONDS_EACH} s"
  "$BENCH_BIN" -i "$WORK/W3.urls" -d "$SCRATCH" -j "$1" -t "$SECONDS_EACH" --min-rounds 1 \
    "${rate_args[@]}" --label "$label" |
    tee -a "$logf" | tee /dev/stderr | grep '^RESULT' | cut -f2- >>"$raw"
}

# run_segmented MODE X ROUND: SEG_FILES files at once, -x X, MODE = a rate or full
run_segmented () {
  local label="seg-$1-j$SEG_FILES-x$2"
  rm -rf "$SCRATCH"
  sync
  log "== round $3: $label, ${SECONDS_EACH} s"
  "$BENCH_BIN" -i "$WORK/seg-$1.urls" -d "$SCRATCH" -j "$SEG_FILES" -x "$2" -t "$SECONDS_EACH" --min-rounds 1 \
    --label "$label" |
    tee -a "$logf" | tee /dev/stderr | grep '^RESULT' | cut -f2- >>"$raw"
}

# run_probe_with LOADER ROUND: the probe alone while LOADER downloads W3 in
# a loop in another process (none: machine otherwise idle)
run_probe_with () {
  local loader=$1
  log "== round $2: probe alone, loader: $loader"
  if [ "$loader" != none ]; then
    (
      while :; do
        rm -rf "$WORK/load-out"
        case "$loader" in
          aria2c) aria2c -j16 --file-allocation=none --quiet --no-conf -d "$WORK/load-out" -i "$WORK/W3.urls" ;;
          haul) "$HAUL" --headless -j 16 --quiet -d "$WORK/load-out" -i "$WORK/W3.urls" ;;
        esac || exit 1
      done
    ) &
    LOADER_PID=$!
    sleep 1
  fi
  "$BENCH_BIN" --probe-only "$SECONDS_EACH" --label "probe-only+$loader" |
    tee -a "$logf" | tee /dev/stderr | grep '^RESULT' | cut -f2- >>"$raw"
  stop_loader
}

for round in $(seq 1 "$ROUNDS"); do
  for j in $JOBS_LIST; do
    run_engine "$j" "$round"
  done
  if [ -n "$LIMITED_RATE" ]; then
    run_engine 16 "$round" "$LIMITED_RATE"
  fi
  for m in $SEGMENTED; do
    for x in $SEG_X; do
      run_segmented "$m" "$x" "$round"
    done
  done
  if [ "$BASELINE" = 1 ]; then
    run_probe_with haul "$round"
    run_probe_with aria2c "$round"
    run_probe_with none "$round"
  fi
  echo "# load after round $round: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw"
done

echo
printf '| run | probe p50 (ms) | probe p99 (ms) | probe max (ms) | samples | publications/s | notifications/s | main thread CPU | iteration CPU p99 / max (ms) | iteration wall p99 / max (ms) | MiB/s | connections mean / max |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|\n'
grep -v '^#' "$raw" | tail -n +2 | awk -F '\t' '{
  printf "| %s | %.2f | %.2f | %.2f | %s | %.1f | %s | %.1f %% | %.3f / %.3f | %.3f / %.3f | %s | %s |\n", $1, $4, $5, $6, $7, $8, $9, $10, $14, $15, $16, $17, $11,
    $1 ~ /^probe/ ? "–" : $18 " / " $19 }'
log "raw: $raw"

#!/bin/bash
# run-ramp.sh — how fast a tool opens its connections to one throttled file,
# and how long its last connections run alone (issue 15).
#
# Starts the private nginx of bench-lib.sh with /throttled-RATE/ (as
# run-throttled.sh: `limit_rate RATE; limit_rate_after 0;`), then for each
# tool and run downloads t-SIZE.bin while sampling, every ~5 ms, the
# established TCP connections to nginx's port (`ss`). Prints per run: the
# wall time, the time from start to 1, 2, 4 and the peak number of open
# connections, how long at least N−1 of the peak N stayed open, and the tail:
# the time from the first drop below the peak to the end.
#
# Environment:
#   RATE=4m  SIZE=128 (MiB)  RUNS=3
#   TOOLS="haul aria2c"      (haul with its defaults, plus HAUL_ARGS)
#   HAUL=path/to/haul        HAUL_ARGS="-x 4"
#   CONNECTIONS=8            aria2c -x/-s
#
# Raw samples: $BENCH_RESULTS/ramp-DATE/TOOL-RUN.txt ("seconds connections");
# summary: $BENCH_RESULTS/ramp-DATE.md, also printed.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"

RATE=${RATE:-4m}
SIZE=${SIZE:-128}
RUNS=${RUNS:-3}
TOOLS=${TOOLS:-haul aria2c}
CONNECTIONS=${CONNECTIONS:-8}

ensure_deps
find_haul
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin

stamp=$(date +%Y%m%d-%H%M%S)
dir="$RESULTS/ramp-$stamp"
summary="$RESULTS/ramp-$stamp.md"
OUT="$WORK/out-ramp"
TDIR="$WWW/T"
name="t-$SIZE.bin"
mkdir -p "$dir"

trap 'rm -rf "$OUT"; stop_nginx' EXIT

if [ ! -f "$TDIR/$name" ] || [ "$(stat -c %s "$TDIR/$name")" -ne $(( SIZE * 1048576 )) ]; then
  mkdir -p "$TDIR"
  gen_stream T $(( SIZE * 1048576 )) >"$TDIR/$name.tmp"
  mv "$TDIR/$name.tmp" "$TDIR/$name"
fi
cat "$TDIR/$name" >/dev/null

NGINX_EXTRA_SERVER_CONF="
    location /throttled-$RATE/ { alias $TDIR/; limit_rate $RATE; limit_rate_after 0; }"
export NGINX_EXTRA_SERVER_CONF
start_nginx
url="$BASE_URL/throttled-$RATE/$name"

# sample PID FILE: "seconds-since-start connections" until PID ends
sample () {
  local pid=$1 file=$2 t0 now n
  t0=$(date +%s%N)
  while kill -0 "$pid" 2>/dev/null; do
    now=$(date +%s%N)
    n=$(ss -Htn state established "( dport = :$PORT )" | wc -l)
    echo "$(( (now - t0) / 1000 )) $n" >>"$file"
    sleep 0.005
  done
}

{
  echo "# $HAUL ${HAUL_ARGS:-}; rate $RATE per connection, $SIZE MiB; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| tool | run | wall (s) | to 1 conn (ms) | to 2 (ms) | to 4 (ms) | peak | to peak (ms) | ≥ peak−1 for (s) | tail: first drop below peak → end (s) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$summary"

for run in $(seq 1 "$RUNS"); do
  for tool in $TOOLS; do
    rm -rf "$OUT"; mkdir -p "$OUT"; sync
    f="$dir/$tool-$run.txt"
    : >"$f"
    # shellcheck disable=SC2086
    case "$tool" in
      haul) "$HAUL" --headless ${HAUL_ARGS:-} --quiet -d "$OUT" "$url" & ;;
      aria2c) aria2c -x"$CONNECTIONS" -s"$CONNECTIONS" -k1M --file-allocation=none --quiet --no-conf -d "$OUT" "$url" & ;;
      *) die "unknown tool $tool" ;;
    esac
    pid=$!
    sample "$pid" "$f"
    wait "$pid" || die "$tool failed"
    cmp -s "$OUT/$name" "$TDIR/$name" || die "$tool: $name differs from the source"
    awk -v tool="$tool" -v run="$run" '
      { t[NR] = $1 / 1e6; n[NR] = $2; if ($2 > peak) peak = $2 }
      END {
        for (i = 1; i <= NR; i++) {
          if (!t1 && n[i] >= 1) t1 = t[i]
          if (!t2 && n[i] >= 2) t2 = t[i]
          if (!t4 && n[i] >= 4) t4 = t[i]
          if (!tp && n[i] >= peak) tp = t[i]
          if (n[i] >= peak - 1 && i > 1) near += t[i] - t[i - 1]
          if (tp && !drop && n[i] < peak) drop = t[i]
        }
        end = t[NR]
        printf "| %s | %d | %.2f | %.0f | %.0f | %.0f | %d | %.0f | %.2f | %.2f |\n",
          tool, run, end, t1 * 1000, t2 * 1000, t4 * 1000, peak, tp * 1000, near, drop ? end - drop : 0
      }' "$f" >>"$summary"
  done
done

cat "$summary"
log "samples: $dir"
log "summary: $summary"

#!/bin/bash
# run-throttled.sh — one large file from a server that holds every
# connection to a fixed rate (issue 15): Haul against aria2c and wget2,
# which open several connections per file, and curl (one connection).
#
# Starts the private nginx of bench-lib.sh on 127.0.0.1 with one location per
# rate, /throttled-RATE/, where `limit_rate RATE; limit_rate_after 0;` holds
# each connection (each request) to RATE. Checks first that the limit holds
# per connection (two curls at once, each at the rate). Then, for every case
# (rate × size): one unrecorded warm-up round of every tool against the same
# file unthrottled (page cache, binaries, disk; the throttle needs no
# warming), then RUNS rounds against the throttled location, the starting
# tool rotating from round to round. GNU time gives wall, CPU and peak RSS;
# every output is checked (one file, its size, cmp with the source); a run
# that fails is reported and never counted.
#
# Environment:
#   RATES="4m 16m"  SIZES="64 256"   every rate × every size (sizes in MiB,
#                   rates in nginx's syntax: k = KiB/s, m = MiB/s)
#   CASES="4m:96 16m:256"        RATE:SIZE pairs instead (the default, used
#                   when neither RATES nor SIZES is set; ~4.5 min)
#   RUNS=3                       recorded rounds per case
#   WARMUP=1                     unrecorded unthrottled rounds per case (0 to skip)
#   TOOLS="haul aria2c wget2 curl"
#   CONNECTIONS=8                aria2c -x/-s and wget2 --max-threads
#   WGET2_CHUNK=1M               wget2 --chunk-size
#   HAUL=path/to/haul            default: newest _build*/src/haul; run with its defaults
#   HAUL_ARGS="-x 1"             more arguments for haul (default: none)
#   BENCH_PORT=18481  BENCH_WORK=tests/bench/work  BENCH_RESULTS=tests/bench/results
#
# A run takes about RUNS × Σ over cases of 2.2 × SIZE / RATE seconds (two
# one-connection tools at SIZE / RATE each while Haul has one connection).
# Keep SIZE / RATE ≥ 16 s: nginx gives every request its first second's
# worth in one burst (see tests/bench/README.md, "Throttled server").
#
# Raw results: $BENCH_RESULTS/throttled-DATE.tsv; summary (markdown):
# $BENCH_RESULTS/throttled-DATE.md, also printed (summarize-throttled.sh).
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"

RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
TOOLS=${TOOLS:-haul aria2c wget2 curl}
CONNECTIONS=${CONNECTIONS:-8}
WGET2_CHUNK=${WGET2_CHUNK:-1M}

if [ -n "${RATES:-}" ] || [ -n "${SIZES:-}" ]; then
  CASES=""
  for r in ${RATES:-4m}; do
    for s in ${SIZES:-128}; do CASES="$CASES $r:$s"; done
  done
fi
CASES=${CASES:-4m:96 16m:256}

# rate_bytes RATE → bytes per second (nginx: k = 1024, m = 1024²)
rate_bytes () {
  case "$1" in
    *[kK]) echo $(( ${1%?} * 1024 )) ;;
    *[mM]) echo $(( ${1%?} * 1048576 )) ;;
    *[!0-9]*|"") die "bad rate '$1' (e.g. 512k, 4m)" ;;
    *) echo "$1" ;;
  esac
}

ensure_deps
find_haul
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin

stamp=$(date +%Y%m%d-%H%M%S)
raw="$RESULTS/throttled-$stamp.tsv"
summary="$RESULTS/throttled-$stamp.md"
OUT="$WORK/out-throttled"
TDIR="$WWW/T"

cleanup () {
  rm -rf "$OUT"
  stop_nginx
}
trap cleanup EXIT

# The files: t-SIZE.bin, SIZE MiB of the AES-CTR stream keyed "T" (kept).
rates=""
for c in $CASES; do
  r=${c%%:*} s=${c#*:}
  [ "$r" != "$c" ] && [ -n "$s" ] || die "bad case '$c' (RATE:SIZE_MIB)"
  rate_bytes "$r" >/dev/null
  case "$s" in *[!0-9]*) die "bad size '$s' in case '$c' (MiB)" ;; esac
  case " $rates " in *" $r "*) ;; *) rates="$rates $r" ;; esac
  f="$TDIR/t-$s.bin"
  if [ ! -f "$f" ] || [ "$(stat -c %s "$f")" -ne $(( s * 1048576 )) ]; then
    mkdir -p "$TDIR"
    log "generating $f …"
    gen_stream T $(( s * 1048576 )) >"$f.tmp"
    mv "$f.tmp" "$f"
  fi
done

NGINX_EXTRA_SERVER_CONF=""
for r in $rates; do
  NGINX_EXTRA_SERVER_CONF="$NGINX_EXTRA_SERVER_CONF
    location /throttled-$r/ { alias $TDIR/; limit_rate $r; limit_rate_after 0; }"
done
export NGINX_EXTRA_SERVER_CONF
start_nginx

{
  echo "# haul: $HAUL ${HAUL_ARGS:-} (source $(git -C "$SRC_ROOT" describe --always --dirty 2>/dev/null || echo "?"))"
  echo "# $(wget2 --version | head -n 1); $(curl --version | head -n 1 | cut -d' ' -f1-2); $(aria2c --version | head -n 1); $(nginx -v 2>&1)"
  echo "# $(uname -srm); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# connections: $CONNECTIONS; wget2 chunk: $WGET2_CHUNK; cases: $CASES"
} >"$raw"

# Does limit_rate hold per connection? Two curls at once, each asking for
# 3 s worth of bytes at the rate. nginx sends as much as its allowance
# (rate × (whole seconds since the request began + 1) − bytes sent) and the
# socket take, then pauses for what it sent ÷ rate; the last burst's pause
# delays nobody, so B bytes take B / rate − up to 1 s. If the rate were
# shared by the two connections, each would take about 2 × B / rate − 1 s.
for r in $rates; do
  rb=$(rate_bytes "$r")
  f=""
  for c in $CASES; do
    [ "${c%%:*}" = "$r" ] && f="t-${c#*:}.bin" && break
  done
  fsize=$(stat -c %s "$TDIR/$f")
  bytes=$(( 3 * rb ))
  [ "$bytes" -le "$fsize" ] || bytes=$fsize
  read -r lo hi < <(awk -v b="$bytes" -v r="$rb" 'BEGIN {
    lo = b / r - 1.3; printf "%.2f %.2f\n", lo < 0 ? 0 : lo, b / r + 0.3 }')
  url="$BASE_URL/throttled-$r/$f"
  walls=$(
    for _ in 1 2; do
      curl -s -o /dev/null -r "0-$(( bytes - 1 ))" -w '%{time_total} %{size_download}\n' "$url" &
    done
    wait
  )
  ok=$(printf '%s\n' "$walls" | awk -v lo="$lo" -v hi="$hi" -v b="$bytes" '
    { if ($2 != b || $1 < lo || $1 > hi) bad = 1; w = w " " sprintf("%.2f", $1) }
    END { print (bad || NR != 2) ? "BAD" : "ok"; print w }')
  verdict=$(printf '%s\n' "$ok" | sed -n 1p)
  got=$(printf '%s\n' "$ok" | sed -n 2p)
  if [ "$bytes" -lt $(( 2 * rb )) ] && [ "$verdict" = ok ]; then
    verdict="not conclusive (the file holds less than 2 s at this rate)"
  fi
  line="limit check $r: 2 curls at once, $bytes bytes each:$got s (expected $lo–$hi s each): $verdict"
  echo "# $line" >>"$raw"
  log "$line"
  [ "$verdict" != BAD ] || die "nginx's limit_rate $r does not hold per connection as expected"
done

printf 'case\ttool\trun\twall_s\tuser_s\tsys_s\tmaxrss_kb\tstatus\n' >>"$raw"

# tool_cmd TOOL URL
tool_cmd () {
  local tool=$1 url=$2
  case "$tool" in
    haul)
      echo "$HAUL" --headless ${HAUL_ARGS:-} --quiet -d "$OUT" "$url" ;;
    aria2c)
      echo aria2c -x"$CONNECTIONS" -s"$CONNECTIONS" -k1M --file-allocation=none --quiet --no-conf -d "$OUT" "$url" ;;
    wget2)
      echo wget2 --max-threads="$CONNECTIONS" --chunk-size="$WGET2_CHUNK" --quiet --no-config -P "$OUT" "$url" ;;
    curl)
      echo curl --silent --show-error --fail -o "$OUT/${url##*/}" "$url" ;;
    *) die "unknown tool $tool" ;;
  esac
}

# verify NAME → "ok" when $OUT holds exactly NAME, of the source's size and bytes
verify_one () {
  local name=$1 got
  got=$(cd "$OUT" && find . -mindepth 1 -printf '%P %s\n' | sort)
  if [ "$got" != "$name $(stat -c %s "$TDIR/$name")" ]; then
    echo "BAD:files($(printf '%s' "$got" | tr '\n' ' ' | cut -c1-60))"
    return
  fi
  cmp -s "$OUT/$name" "$TDIR/$name" || { echo "BAD:content"; return; }
  echo ok
}

set -- $TOOLS
ntools=$#
tools=("$@")

for c in $CASES; do
  r=${c%%:*} s=${c#*:}
  name="t-$s.bin"
  cat "$TDIR/$name" >/dev/null   # page cache
  for run in $(seq $(( 1 - WARMUP )) "$RUNS"); do
    if [ "$run" -ge 1 ]; then
      url="$BASE_URL/throttled-$r/$name"
    else
      url="$BASE_URL/T/$name"    # warm-up: unthrottled
    fi
    for k in $(seq 0 $(( ntools - 1 ))); do
      tool=${tools[$(( (k + run + WARMUP - 1) % ntools ))]}
      # shellcheck disable=SC2046
      timed_run "$c" "$tool" "$run" "warm-up, unthrottled" "verify_one $name" $(tool_cmd "$tool" "$url")
    done
  done
  rm -rf "$OUT"
done

"$BENCH_DIR/summarize-throttled.sh" "$raw" | tee "$summary"
log "raw: $raw"
log "summary: $summary"

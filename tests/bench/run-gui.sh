#!/bin/bash
# run-gui.sh — the window's responsiveness, under Xvfb.
#
# Two parts (PARTS="w3 drop"):
#
#  w3    The real `haul` binary (the GUI, not --headless) downloads W3
#        (50 × 20 MiB from the private nginx on 127.0.0.1), 16 at a time,
#        with HAUL_LATENCY_REPORT on and HAUL_EXIT_WHEN_DONE=1, alternating
#        with `haul --headless -j 16` on the same files: RUNS runs each, the
#        first of each pair swapping from run to run. The GUI gets its 16
#        through the GSettings "max-active" key: GSETTINGS_BACKEND=keyfile
#        reads a keyfile written into the run's private XDG_CONFIG_HOME
#        (the memory backend cannot be preset from outside, and this keeps
#        the real binary and its real main()). Both outputs are verified
#        like run-throughput.sh does (names, sizes, a byte compare).
#
#  drop  bench-drop (real HaulApplication and window, in process) receives a
#        simulated drop of DROP_LINKS distinct links to W2's files on the
#        same nginx (so the first ones really download, 4 at a time, the
#        default), DROP_RUNS times, each in a fresh process.
#
#  seg   (issue 15; not in the default PARTS) The real `haul` GUI downloads
#        SEG_FILES (16) files of SEG_SIZE (128) MiB at once, each from its own
#        server (127.0.0.N, see seg_prepare in bench-lib.sh), with the
#        "connections-per-download" key at each of SEG_X ("8 1"), for each
#        of SEG_MODES ("8m full": every connection held to 8 MiB/s by nginx,
#        or loopback speed), SEG_RUNS (2) times per renderer, with
#        HAUL_LATENCY_REPORT. Verified with seg_verify.
#
# Every GUI process runs under
#   dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24"
# with a temporary HOME / XDG_* dirs and HAUL_NO_STORE=1.
#
# Environment:
#   PARTS="w3 drop"  RUNS=3  DROP_RUNS=3  DROP_LINKS=10000  DROP_WATCH_MS=2000
#   RENDERERS="gl cairo"  GSK renderers to run every GUI measurement with:
#                       "gl" is GTK 4.8's default (under Xvfb: Mesa's llvmpipe,
#                       software GL on the CPU), "cairo" is GSK_RENDERER=cairo
#   HAUL=path/to/haul   default: newest _build*/src/haul (bench-drop and the
#                       schemas are taken from the same build directory)
#   BENCH_PORT=18481  BENCH_WORK=tests/bench/work  BENCH_RESULTS=tests/bench/results
#
# Raw results: $BENCH_RESULTS/gui-DATE.tsv (W3) and gui-DATE-drop.txt;
# a markdown summary in $BENCH_RESULTS/gui-DATE.md, also printed.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"

PARTS=${PARTS:-w3 drop}
RUNS=${RUNS:-3}
DROP_RUNS=${DROP_RUNS:-3}
DROP_LINKS=${DROP_LINKS:-10000}
DROP_WATCH_MS=${DROP_WATCH_MS:-2000}
RENDERERS=${RENDERERS:-gl cairo}
SEG_MODES=${SEG_MODES:-8m full}
SEG_X=${SEG_X:-8 1}
SEG_RUNS=${SEG_RUNS:-2}
JOBS=16
XVFB=(dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24")

ensure_deps
find_haul
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
BUILD=$(cd "$(dirname "$HAUL")/.." && pwd)
SCHEMAS="$BUILD/data"
BENCH_DROP="$BUILD/tests/bench/bench-drop"
[ -f "$SCHEMAS/gschemas.compiled" ] || die "no compiled schemas in $SCHEMAS"

stamp=$(date +%Y%m%d-%H%M%S)
raw="$RESULTS/gui-$stamp.tsv"
dropraw="$RESULTS/gui-$stamp-drop.txt"
summary="$RESULTS/gui-$stamp.md"
OUT="$WORK/out"
SANDBOX="$WORK/gui-home"

cleanup () {
  rm -rf "$OUT" "$SANDBOX"
  stop_nginx
}
trap cleanup EXIT

# new_sandbox → a fresh HOME with its own XDG dirs
new_sandbox () {
  rm -rf "$SANDBOX"
  mkdir -p "$SANDBOX"/{config/glib-2.0/settings,data,cache,runtime}
  chmod 700 "$SANDBOX/runtime"
}

# gui_env → the environment every GUI process gets (prefix for `env`)
gui_env () {
  echo HOME="$SANDBOX" XDG_CONFIG_HOME="$SANDBOX/config" XDG_DATA_HOME="$SANDBOX/data" \
       XDG_CACHE_HOME="$SANDBOX/cache" XDG_RUNTIME_DIR="$SANDBOX/runtime" \
       GSETTINGS_SCHEMA_DIR="$SCHEMAS" HAUL_NO_STORE=1
}

# renderer_env R → `env` arguments for renderer R (put them first)
renderer_env () {
  case "$1" in
    gl) echo -u GSK_RENDERER ;;   # GTK's default
    *) echo GSK_RENDERER="$1" ;;
  esac
}


NGINX_EXTRA_SERVER_CONF=""
[[ " $PARTS " != *" seg "* ]] || seg_prepare $SEG_MODES
export NGINX_EXTRA_SERVER_CONF
start_nginx
[[ " $PARTS " != *" seg "* ]] || seg_write_urls $SEG_MODES

{
  echo "# haul: $HAUL (source $(git -C "$SRC_ROOT" describe --always --dirty 2>/dev/null || echo "?"))"
  echo "# $(uname -srm); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'run\tmode\twall_s\tuser_s\tsys_s\tmaxrss_kb\tstatus\tsamples\tp50_ms\tp99_ms\tmax_ms\tframes\tlongest_gap_ms\tgaps_over_33ms\tmeter_s\n'
} >"$raw"

# ------------------------------------------------------------------
# W3: GUI against headless

run_headless () {
  local run=$1 tfile="$WORK/time.txt" rc=0 wall user sys rss status
  rm -rf "$OUT"; mkdir -p "$OUT"; sync
  /usr/bin/time -f '%e %U %S %M' -o "$tfile" \
    "$HAUL" --headless -j "$JOBS" --quiet -d "$OUT" -i "$WORK/W3.urls" >"$WORK/tool.log" 2>&1 || rc=$?
  read -r wall user sys rss < <(tail -n 1 "$tfile") || { wall=0 user=0 sys=0 rss=0; }
  status=$(verify W3); [ "$rc" -eq 0 ] || status="$status,exit=$rc"
  printf '%s\theadless\t%s\t%s\t%s\t%s\t%s\t\t\t\t\t\t\t\t\n' "$run" "$wall" "$user" "$sys" "$rss" "$status" >>"$raw"
  log "W3 run $run headless: ${wall}s wall, $status"
}

# run_gui RUN RENDERER [URLS VERIFY CONNECTIONS MODE]: W3 by default
run_gui () {
  local run=$1 renderer=$2 urls=${3:-$WORK/W3.urls} check=${4:-verify W3} conns=${5:-} mode=${6:-gui} tfile="$WORK/time.txt" json="$WORK/latency.json" rc=0 wall user sys rss status fields
  rm -rf "$OUT" "$json"; mkdir -p "$OUT"; sync
  new_sandbox
  # What Preferences would have saved: 16 at a time, into $OUT.
  printf '[io/github/haulapp/Haul]\nmax-active=%d\ndownload-folder=%s\n%s' \
    "$JOBS" "'$OUT'" "${conns:+connections-per-download=$conns
}" >"$SANDBOX/config/glib-2.0/settings/keyfile"
  # shellcheck disable=SC2046
  got=$(env $(gui_env) GSETTINGS_BACKEND=keyfile gsettings get io.github.haulapp.Haul max-active)
  [ "$got" = "$JOBS" ] || die "the keyfile backend did not give max-active=$JOBS (got $got)"
  # shellcheck disable=SC2046
  env $(renderer_env "$renderer") $(gui_env) GSETTINGS_BACKEND=keyfile HAUL_EXIT_WHEN_DONE=1 HAUL_LATENCY_REPORT="$json" \
    "${XVFB[@]}" /usr/bin/time -f '%e %U %S %M' -o "$tfile" \
    "$HAUL" $(cat "$urls") >"$WORK/tool.log" 2>&1 || rc=$?
  read -r wall user sys rss < <(tail -n 1 "$tfile") || { wall=0 user=0 sys=0 rss=0; }
  status=$($check); [ "$rc" -eq 0 ] || status="$status,exit=$rc"
  if [ -f "$json" ]; then
    fields=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))
print("\t".join(str(j[k]) for k in ("samples","p50_ms","p99_ms","max_ms","frames","longest_frame_gap_ms","frame_gaps_over_33ms","duration_s")))' "$json")
    cp "$json" "$RESULTS/gui-$stamp-run$run-$renderer.json"
  else
    fields=$'\t\t\t\t\t\t\t'; status="$status,no-report"
  fi
  printf '%s\t%s-%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$mode" "$renderer" "$wall" "$user" "$sys" "$rss" "$status" "$fields" >>"$raw"
  log "$([ "$mode" = gui ] && echo W3 || echo "$mode") run $run GUI ($renderer): ${wall}s wall, $status; samples p50 p99 max frames gap >33 meter_s: $(echo "$fields" | tr '\t' ' ')"
  if [ "$status" != ok ]; then head -n 20 "$WORK/tool.log" >&2 || true; fi
}

if [[ " $PARTS " == *" w3 "* ]]; then
  ensure_workload W3
  cat "$WWW/W3"/*.bin >/dev/null
  # One unrecorded round of each first (page cache, the X server's first start).
  # Each run: headless and every renderer once, the starting one rotating.
  modes=(headless $RENDERERS)
  for m in "${modes[@]}"; do
    if [ "$m" = headless ]; then run_headless 0; else run_gui 0 "$m"; fi
  done
  for run in $(seq 1 "$RUNS"); do
    for k in $(seq 0 $(( ${#modes[@]} - 1 ))); do
      m=${modes[$(( (k + run) % ${#modes[@]} ))]}
      if [ "$m" = headless ]; then run_headless "$run"; else run_gui "$run" "$m"; fi
    done
  done
  sed -i '/^0\t/d' "$raw"
  rm -rf "$OUT"
fi

# ------------------------------------------------------------------
# 16 large files, several connections each

if [[ " $PARTS " == *" seg "* ]]; then
  for m in $SEG_MODES; do
    for x in $SEG_X; do
      for run in $(seq 1 "$SEG_RUNS"); do
        for renderer in $RENDERERS; do
          run_gui "$run" "$renderer" "$WORK/seg-$m.urls" seg_verify "$x" "seg-$m-x$x"
        done
      done
    done
  done
  rm -rf "$OUT"
fi

# ------------------------------------------------------------------
# 10 000 dropped links

if [[ " $PARTS " == *" drop "* ]]; then
  [ -x "$BENCH_DROP" ] || die "no $BENCH_DROP: build it (ninja -C $BUILD)"
  ensure_workload W2
  cat "$WWW/W2"/*.bin >/dev/null
  : >"$dropraw"
  for run in $(seq 1 "$DROP_RUNS"); do
   for renderer in $RENDERERS; do
    new_sandbox
    rm -rf "$OUT"; mkdir -p "$OUT"
    # shellcheck disable=SC2046
    env $(renderer_env "$renderer") $(gui_env) GSETTINGS_BACKEND=memory \
      "${XVFB[@]}" "$BENCH_DROP" -i "$WORK/W2.urls" -n "$DROP_LINKS" -d "$OUT" \
      -w "$DROP_WATCH_MS" | grep -E '^(drop of|  details)' | sed "s/^drop of/$renderer: drop of/" |
      tee -a "$dropraw" >&2 ||
      log "drop run $run ($renderer): bench-drop exited with an error (rows never painted, or it failed)"
   done
  done
  rm -rf "$OUT"
fi

# ------------------------------------------------------------------
# Summary

{
  echo "## Window responsiveness ($stamp, load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  if [ "$(grep -c $'\t\(gui\|seg\)-' "$raw" || true)" -gt 0 ]; then
    python3 - "$raw" <<'EOF'
import csv, statistics, sys
rows = [r for r in csv.DictReader((l for l in open(sys.argv[1]) if not l.startswith('#')), delimiter='\t')]
ok = lambda m: [r for r in rows if r['mode'] == m and r['status'] == 'ok']
h = ok('headless')
print('| run | mode | wall (s) | CPU (s) | probe p50 / p99 / max (ms) | frames | longest frame gap (ms) | gaps > 33 ms | meter (s) |')
print('|---|---|---|---|---|---|---|---|---|')
for r in rows:
    cpu = float(r['user_s']) + float(r['sys_s'])
    if r['mode'].startswith(('gui', 'seg')):
        what = 'GUI' if r['mode'].startswith('gui-') else 'GUI ' + r['mode'].rsplit('-', 1)[0]
        print(f"| {r['run']} | {what}, {r['mode'].rsplit('-', 1)[1]} | {r['wall_s']} | {cpu:.2f} | {float(r['p50_ms']):.2f} / {float(r['p99_ms']):.2f} / {float(r['max_ms']):.1f} | {r['frames']} | {float(r['longest_gap_ms']):.1f} | {r['gaps_over_33ms']} | {float(r['meter_s']):.2f} |" + ('' if r['status'] == 'ok' else f" {r['status']}"))
    else:
        print(f"| {r['run']} | headless | {r['wall_s']} | {cpu:.2f} | | | | | |" + ('' if r['status'] == 'ok' else f" {r['status']}"))
print()
for mode in sorted({r['mode'] for r in rows if r['mode'].startswith('gui-')}):
    g = ok(mode)
    if g and h:
        mg = statistics.median(float(r['wall_s']) for r in g)
        mh = statistics.median(float(r['wall_s']) for r in h)
        print(f"Median wall, {mode}: {mg:.2f} s against headless {mh:.2f} s: **{mg / mh:.2f}×** (target ≤ 1.1×)  ")
EOF
  fi
  if [ -s "$dropraw" ]; then
    echo
    echo '```'
    cat "$dropraw"
    echo '```'
  fi
} | tee "$summary"
log "raw: $raw $dropraw"
log "summary: $summary"

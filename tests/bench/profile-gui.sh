#!/bin/bash
# profile-gui.sh — where the window's main thread spends its time, under
# Xvfb with GSK_RENDERER=cairo: during bench-drop's 10 000-link drop (the
# 2 s after haul_window_drop_value()) and during W3 in the real `haul`.
#
#   HAUL=$PWD/_build-bench/src/haul tests/bench/profile-gui.sh   # as root (perf, uprobes)
#
# Two runs of each: one with `perf record -e cpu-clock/period=250000/
# --call-graph dwarf` (a sample per 0.25 ms of CPU: ms = samples / 4), one
# with uprobes on entry and return of the functions in PROBES_* (calls and
# wall time per call, outermost call only when nested). Only the main
# thread (tid == pid) is counted. GTK without debug symbols: its internal
# functions show under their nearest exported caller.
#
# Environment: HAUL, DROP_LINKS=10000, DROP_WATCH_MS=2000, PARTS="drop w3",
#   MODES="cpu uprobes", PROBES_HAUL / PROBES_GTK / PROBES_X11 (functions to probe)
#   UPROBE_STACKS=1 (uprobes mode: record call stacks too; with KEEP=1, perf.data stays in $BENCH_WORK)
# Results: $BENCH_RESULTS/profile-DATE-{drop,w3}-{cpu,uprobes}.txt
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"

PARTS=${PARTS:-drop w3}
DROP_LINKS=${DROP_LINKS:-10000}
DROP_WATCH_MS=${DROP_WATCH_MS:-2000}
XVFB=(dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24")
find_haul
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
BUILD=$(cd "$(dirname "$HAUL")/.." && pwd)
BENCH_DROP="$BUILD/tests/bench/bench-drop"
GTK=$(ldconfig -p | awk '/libgtk-4\.so\.1 /{ print $NF; exit }')
X11=$(ldconfig -p | awk '/libX11\.so\.6 /{ print $NF; exit }')
PROBES_HAUL=${PROBES_HAUL:-"import_done_cb add_slice haul_queue_add_uris haul_download_row_new update states_timeout_cb
  update_summary attempt_done_cb queue_states_changed_cb"}
PROBES_GTK=${PROBES_GTK:-"gsk_renderer_render gdk_x11_monitor_get_workarea gtk_widget_init_template"}
PROBES_X11=${PROBES_X11:-"XGetWindowProperty XGetGeometry"}

stamp=$(date +%Y%m%d-%H%M%S)
OUT="$WORK/out"
SANDBOX="$WORK/gui-home"
PERFDATA="$WORK/perf.data"

cleanup () {
  perf probe -q -d 'probe_hb:*' 2>/dev/null || true
  rm -rf "$OUT" "$SANDBOX" "$PERFDATA.old"; [ -n "${KEEP:-}" ] || rm -f "$PERFDATA"
  stop_nginx
}
trap cleanup EXIT

new_sandbox () {
  rm -rf "$SANDBOX" "$OUT"
  mkdir -p "$SANDBOX"/{config/glib-2.0/settings,data,cache,runtime} "$OUT"
  chmod 700 "$SANDBOX/runtime"
}
gui_env () {
  echo GSK_RENDERER=cairo HOME="$SANDBOX" XDG_CONFIG_HOME="$SANDBOX/config" XDG_DATA_HOME="$SANDBOX/data" \
       XDG_CACHE_HOME="$SANDBOX/cache" XDG_RUNTIME_DIR="$SANDBOX/runtime" \
       GSETTINGS_SCHEMA_DIR="$BUILD/data" HAUL_NO_STORE=1
}

# add_probes BINARY FUNC… → entry and return uprobes in group probe_hb
add_probes () {
  local bin=$1 f; shift
  for f in "$@"; do
    perf probe -q -x "$bin" -a "probe_hb:${f}_in=$f" 2>/dev/null || log "no probe on $f in $bin"
    perf probe -q -x "$bin" -a "probe_hb:${f}_out=$f%return" 2>/dev/null || true
  done
}

# run_target PART MODE → perf record around the target (bench-drop or haul)
run_target () {
  local part=$1 mode=$2 bin events
  new_sandbox
  if [ "$part" = drop ]; then bin=$BENCH_DROP; else bin=$HAUL; fi
  perf probe -q -d 'probe_hb:*' 2>/dev/null || true
  # The start of the window: the drop, or W3's links joining the queue.
  if [ "$part" = drop ]; then
    perf probe -q -x "$BENCH_DROP" -a "probe_hb:mark=haul_window_drop_value"
  else
    perf probe -q -x "$HAUL" -a "probe_hb:mark=import_done_cb"
  fi
  if [ "$mode" = cpu ]; then
    events=(-e cpu-clock/period=250000/ --call-graph dwarf,16384 -e 'probe_hb:mark*')
  else
    add_probes "$bin" $PROBES_HAUL
    add_probes "$GTK" $PROBES_GTK
    add_probes "$X11" $PROBES_X11
    events=(-e 'probe_hb:*' ${UPROBE_STACKS:+--call-graph dwarf,16384})
  fi
  if [ "$part" = drop ]; then
    # shellcheck disable=SC2046
    env $(gui_env) GSETTINGS_BACKEND=memory "${XVFB[@]}" \
      perf record -q -k CLOCK_MONOTONIC -o "$PERFDATA" "${events[@]}" -- \
      "$BENCH_DROP" -i "$WORK/W2.urls" -n "$DROP_LINKS" -d "$OUT" -w "$DROP_WATCH_MS" 2>/dev/null |
      grep -E '^(drop of|  details)' >&2
  else
    printf '[io/github/haulapp/Haul]\nmax-active=16\ndownload-folder=%s\n' "'$OUT'" \
      >"$SANDBOX/config/glib-2.0/settings/keyfile"
    # shellcheck disable=SC2046
    env $(gui_env) GSETTINGS_BACKEND=keyfile HAUL_EXIT_WHEN_DONE=1 HAUL_LATENCY_REPORT="$WORK/latency.json" \
      "${XVFB[@]}" perf record -q -k CLOCK_MONOTONIC -o "$PERFDATA" "${events[@]}" -- \
      "$HAUL" $(cat "$WORK/W3.urls") >/dev/null 2>&1
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("W3 latency report:", {k: j[k] for k in ("p99_ms","max_ms","frames","longest_frame_gap_ms","frame_gaps_over_33ms","duration_s")})' \
      "$WORK/latency.json" >&2
  fi
}

# summarize PART MODE → text on stdout
summarize () {
  local part=$1 mode=$2 window_ms
  if [ "$part" = drop ]; then window_ms=$DROP_WATCH_MS; else window_ms=0; fi
  if [ "$mode" = cpu ]; then
    perf script -i "$PERFDATA" -F comm,pid,tid,time,event,ip,sym,dso 2>/dev/null
  else
    perf script -i "$PERFDATA" -F comm,pid,tid,time,event 2>/dev/null
  fi | python3 "$BENCH_DIR/profile-summary.py" "$mode" "$window_ms"
}

start_nginx
for part in $PARTS; do
  case "$part" in
    drop) ensure_workload W2 ;;
    w3) ensure_workload W3 ;;
    *) die "unknown part $part" ;;
  esac
  for mode in ${MODES:-cpu uprobes}; do
    log "== $part, $mode"
    run_target "$part" "$mode"
    summarize "$part" "$mode" | tee "$RESULTS/profile-$stamp-$part-$mode.txt"
  done
done

#!/bin/bash
# run-bounded.sh — memory and responsiveness with huge inputs (issue 6).
#
# The real HaulApplication and window (bench-drop, in process, under Xvfb
# and a D-Bus session, GSK_RENDERER=cairo) receive:
#   drop-10k   a drop of text with 10 000 links
#   drop-1m    a drop of text with 1 000 000 links
#   file-1g    a dropped 1 GiB file of links (26.8 million lines): Haul reads
#              only its first 1 000 000 links and says so
# The links point at 127.0.0.1:9 (nothing listens): the first ones fail at
# once, the rest wait in the queue. Each run reports when all items were in
# the list and painted, the main-loop probe lateness during the first
# WATCH_MS, how many items the list holds at the end ("nothing lost"), and
# the process's peak RSS (VmHWM).
#
# Environment: CASES="drop-10k drop-1m file-1g" WATCH_MS=5000
#   BUILD=_build  WORK=tests/bench/work  RESULTS=tests/bench/results
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$src/_build}
work=${WORK:-$src/tests/bench/work}
results=${RESULTS:-$src/tests/bench/results}
cases=${CASES:-drop-10k drop-1m file-1g}
watch=${WATCH_MS:-5000}
mkdir -p "$work" "$results"
ninja -C "$build" tests/bench/bench-drop data/gschemas.compiled >/dev/null

echo "http://127.0.0.1:9/file.bin" > "$work/one-link.txt"
big=$work/links-1g.txt
if [[ " $cases " == *" file-1g "* && ! -f "$big" ]]; then
  echo "writing $big (1 GiB of links)…"
  python3 - "$big" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    i = size = 0
    chunk = []
    while size < (1 << 30):
        line = "http://127.0.0.1:9/files/%010d.bin\n" % i
        chunk.append(line); size += len(line); i += 1
        if len(chunk) == 100000:
            f.write("".join(chunk)); chunk = []
    f.write("".join(chunk))
PY
fi

out=$results/bounded-$(date +%Y%m%d-%H%M%S).txt
for c in $cases; do
  case $c in
    drop-10k) args=(-i "$work/one-link.txt" -n 10000) ;;
    drop-1m) args=(-i "$work/one-link.txt" -n 1000000) ;;
    file-1g) args=(--file "$big" -n 1000000) ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
  home=$(mktemp -d); folder=$(mktemp -d)
  echo "== $c" | tee -a "$out"
  HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_CACHE_HOME=$home/cache \
  GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$build/data HAUL_NO_STORE=1 GSK_RENDERER=cairo \
    dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
      "$build/tests/bench/bench-drop" "${args[@]}" -d "$folder" -w "$watch" --give-up 180 2>&1 \
    | grep -E "^drop of|details:|peak RSS|gave up" | tee -a "$out"
  rm -rf "$home" "$folder"
done
echo "results: $out"

#!/bin/sh
# The window in steady state: `haul --demo` (4 downloads at a time from the
# embedded server, 300 KiB/s to 12 MiB/s each) under Xvfb with the cairo
# renderer and HAUL_LATENCY_REPORT for SECONDS (default 15), then SIGTERM
# (which quits cleanly and writes the report). Prints the JSON.
#   HAUL=_build-bench/src/haul tests/bench/run-demo-steady.sh [SECONDS] [OUT.json]
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
haul=${HAUL:-$src/_build-bench/src/haul}
seconds=${1:-15}
out=${2:-$(mktemp /tmp/haul-steady-XXXXXX.json)}
home=$(mktemp -d)

export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
export GSETTINGS_SCHEMA_DIR="$(dirname "$(dirname "$haul")")/data" GSETTINGS_BACKEND=memory
export HAUL_LATENCY_REPORT="$out" GSK_RENDERER="${GSK_RENDERER:-cairo}"

dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  sh -c "\"$haul\" --demo >/dev/null 2>&1 & p=\$!; sleep $seconds; kill -TERM \$p; wait \$p" >/dev/null 2>&1
cat "$out"
echo
rm -rf "$home"

#!/bin/sh
# The soak run: 20 000 small downloads with 200 pause/resume/cancel cycles
# against a local server with random faults (tests/soak.c says what is
# checked). Builds first; takes several minutes. The figures it prints are
# the ones SECURITY.md and the issue notes quote.
# Usage: tests/soak.sh [N_FILES [CYCLES [SEED]]]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/_build}
"$src/build-aux/ensure-deps.sh"
[ -f "$build/build.ninja" ] || meson setup "$build" "$src"
ninja -C "$build" tests/soak >/dev/null
exec "$build/tests/soak" "$@"

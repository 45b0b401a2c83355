#!/bin/sh
# Builds Haul (installing missing Debian packages first) and launches it.
# Arguments are passed to haul: links or files of links to add, or
# --headless … for the terminal. Without arguments it runs `haul --demo`:
# files from a server on 127.0.0.1, so Haul can be watched without internet.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build="$src/_build"

"$src/build-aux/ensure-deps.sh"

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$src" >/dev/null
fi
ninja -C "$build" >/dev/null

if [ $# -eq 0 ]; then
  set -- --demo
fi

# Uninstalled: the settings schema compiled in the build tree.
GSETTINGS_SCHEMA_DIR="$build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}" \
  exec "$build/src/haul" "$@"

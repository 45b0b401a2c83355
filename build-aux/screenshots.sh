#!/bin/bash
# Takes the README's screenshots from a real window under Xvfb:
#   data/screenshots/empty.png        the empty window
#   data/screenshots/downloading.png  `haul --demo`, DEMO_SECONDS (8) after it starts
#
# Builds Haul first (like run.sh: _build, or BUILD=path), installs what is
# missing (build-aux/debian-packages.txt and tests/bench/debian-packages.txt,
# which has imagemagick and xdotool) the way build-aux/ensure-deps.sh does,
# and runs each window in its own
#   dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24"
# with a temporary HOME, GSETTINGS_BACKEND=memory (default preferences) and
# HAUL_NO_STORE=1 (no saved list). Without a window manager the window sits
# at 0,0 undecorated by anything but its own header bar; it is resized to
# WIDTH×HEIGHT (900×640) with xdotool and captured with ImageMagick's
# `import -window`, which crops to the window.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/_build}
out=${OUT:-$src/data/screenshots}
WIDTH=${WIDTH:-900}
HEIGHT=${HEIGHT:-640}
DEMO_SECONDS=${DEMO_SECONDS:-8}

if [ "${1:-}" != --inner ]; then
  "$src/build-aux/ensure-deps.sh" "$src/tests/bench/debian-packages.txt"
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$src" >/dev/null
  fi
  ninja -C "$build" src/haul data/gschemas.compiled >/dev/null
  mkdir -p "$out"
  home=$(mktemp -d "${TMPDIR:-/tmp}/haul-screenshots-XXXXXX")
  trap 'rm -rf "$home"' EXIT
  for shot in empty downloading; do
    mkdir -p "$home/$shot/runtime"; chmod 700 "$home/$shot/runtime"
    HOME="$home/$shot" XDG_CONFIG_HOME="$home/$shot/config" XDG_DATA_HOME="$home/$shot/data" \
    XDG_CACHE_HOME="$home/$shot/cache" XDG_RUNTIME_DIR="$home/$shot/runtime" \
    GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$build/data" HAUL_NO_STORE=1 \
    LANG=C.UTF-8 BUILD="$build" OUT="$out" \
      dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" "$0" --inner "$shot"
  done
  echo "$out/empty.png $out/downloading.png"
  exit 0
fi

# --inner SHOT: inside Xvfb and the session bus.
shot=$2
haul="$build/src/haul"
case "$shot" in
  empty) "$haul" & ;;
  downloading) "$haul" --demo & ;;
  *) echo "unknown shot $shot" >&2; exit 2 ;;
esac
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT

# The toplevel GTK maps (GTK also creates unmapped helper windows).
xid=$(xdotool search --sync --onlyvisible --name '^Haul$' | head -n 1)
xdotool windowsize "$xid" "$WIDTH" "$HEIGHT"
xdotool windowmove "$xid" 0 0
if [ "$shot" = downloading ]; then
  sleep "$DEMO_SECONDS"
else
  sleep 2   # the new size painted, nothing animating
fi
read -r w h < <(xwininfo -id "$xid" | awk '/Width:/ { w = $2 } /Height:/ { h = $2 } END { print w, h }')
[ "$w" = "$WIDTH" ] && [ "$h" = "$HEIGHT" ] || { echo "window is ${w}x$h, not ${WIDTH}x$HEIGHT" >&2; exit 1; }
import -window "$xid" "$out/$shot.png.tmp.png"
mv "$out/$shot.png.tmp.png" "$out/$shot.png"

#!/bin/sh
# Valgrind memcheck over the unit and integration tests (issue 6): fails on
# any invalid read or write, use of uninitialised memory, or definite or
# indirect leak; "possibly lost" and "still reachable" blocks (GLib's type
# system, caches, thread pools kept for the process's life) are not errors.
# Suppressions: GLib's own glib.supp and tests/valgrind.supp (each entry
# explained there). Takes long (everything runs 20-50 times slower), so it is
# not part of build-aux/test.sh; run it before a release.
# Usage: tests/valgrind.sh [meson test arguments, e.g. a test name]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/_build-valgrind}
command -v valgrind >/dev/null || sudo_apt=1
[ -z "${sudo_apt:-}" ] || "$src/build-aux/ensure-deps.sh" "$src/tests/valgrind-packages.txt"
[ -f "$build/build.ninja" ] || meson setup "$build" "$src" --buildtype=debug -Dwerror=true
ninja -C "$build" >/dev/null

supp="--suppressions=$src/tests/valgrind.supp"
[ -f /usr/share/glib-2.0/valgrind/glib.supp ] && supp="$supp --suppressions=/usr/share/glib-2.0/valgrind/glib.supp"
export G_SLICE=always-malloc G_DEBUG=gc-friendly
# shellcheck disable=SC2086
exec meson test -C "$build" --print-errorlogs --num-processes 2 --timeout-multiplier 20 \
  --logbase testlog-valgrind --suite unit --suite integration --suite tls \
  --wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-origins=yes --num-callers=30 $supp" \
  "$@"

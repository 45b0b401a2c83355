#!/bin/sh
# Builds Haul and runs the whole test suite, installing missing Debian
# packages first:
#   1. a normal build with -Werror, all suites, under Xvfb and a D-Bus session;
#   2. a second build with AddressSanitizer + UndefinedBehaviorSanitizer
#      running the same suites (skip it with --quick).
# Exit status: 0 when every test passed.
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
quick=no
for arg in "$@"; do
  case "$arg" in
    --quick) quick=yes ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done

"$src/build-aux/ensure-deps.sh" || exit 1

status=0

run_suite () {
  build=$1; shift
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$src" -Dwerror=true "$@" || return 1
  fi
  ninja -C "$build" || return 1
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
    meson test -C "$build" --print-errorlogs --num-processes 2
}

run_suite "$src/_build" || status=1

if [ "$quick" = no ]; then
  # LeakSanitizer is off here: GLib and libsoup keep process-lifetime
  # allocations (types, quarks, TLS backends) that it would report.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  G_SLICE=always-malloc \
    run_suite "$src/_build-sanitize" -Db_sanitize=address,undefined -Db_lundef=false \
      --buildtype=debug || status=1
fi

exit $status

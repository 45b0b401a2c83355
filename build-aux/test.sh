#!/bin/sh
# Builds Haul and runs the whole test suite, installing missing Debian
# packages (and the browser test's npm packages) first:
#   1. a normal build with -Werror, all suites, under Xvfb and a D-Bus session;
#   2. a second build with AddressSanitizer + UndefinedBehaviorSanitizer
#      running the same suites;
#   3. a clang build of the libFuzzer targets (tests/fuzz), each run for
#      30 s on the committed corpus (2 and 3 are skipped with --quick).
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

build () {
  build=$1; shift
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$src" -Dwerror=true "$@" || return 1
  fi
  ninja -C "$build" || return 1
}

# meson test under Xvfb and a D-Bus session; $1 is the build, $2 the log
# name (meson-logs/$2.json), the rest are meson test arguments.
run_tests () {
  build=$1; log=$2; shift 2
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
    meson test -C "$build" --print-errorlogs --num-processes 2 --logbase "$log" "$@"
}

rm -f "$src"/_build/meson-logs/testlog*.json "$src"/_build-sanitize/meson-logs/testlog*.json \
  "$src"/_build-fuzz/meson-logs/testlog*.json

if build "$src/_build" && "$src/build-aux/ensure-node-modules.sh" "$src/_build"; then
  run_tests "$src/_build" testlog || status=1
else
  status=1
fi

if [ "$quick" = no ]; then
  if build "$src/_build-sanitize" -Db_sanitize=address,undefined -Db_lundef=false \
       --buildtype=debug; then
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    export G_SLICE=always-malloc
    # The engine, the CLI and their tests with LeakSanitizer. Full stacks
    # (no fast unwinding: GLib has no frame pointers) so that the few
    # suppressions in tests/lsan.supp, all inside system libraries, match.
    # That unwinding makes every malloc slow (the 200 000-link parse takes
    # about 50 s instead of 0.3 s), hence the longer timeouts.
    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=1 \
    LSAN_OPTIONS=suppressions="$src/tests/lsan.supp":print_suppressions=0 \
      run_tests "$src/_build-sanitize" testlog-core --timeout-multiplier 3 \
        --suite unit --suite integration --suite crash \
      || status=1
    # The window with AddressSanitizer only: GTK, fontconfig and Mesa keep
    # many process-lifetime allocations, and full-stack unwinding of every
    # malloc makes GTK too slow to test. The TLS test too (suite "tls"):
    # LeakSanitizer's tracer crashes at exit once GnuTLS is loaded.
    # (The data and install checks have no C code of their own to sanitize.)
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
      run_tests "$src/_build-sanitize" testlog-ui --no-suite unit --no-suite integration --no-suite crash \
        --no-suite data --no-suite install --no-suite browser \
      || status=1
  else
    status=1
  fi
  if (CC=clang; export CC; build "$src/_build-fuzz" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false); then
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      meson test -C "$src/_build-fuzz" --print-errorlogs --num-processes 2 --logbase testlog-fuzz \
        --suite fuzz || status=1
  else
    status=1
  fi
fi

exit $status

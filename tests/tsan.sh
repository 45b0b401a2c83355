#!/bin/sh
# ThreadSanitizer run (issue 6). Debian's GLib is not built with TSan, so
# its futex locks, thread pools and main loops are invisible to it; the
# build links src/core/haul-tsan.c, which annotates every GLib lock and
# hand-over Haul uses (see there). Then:
#   1. the canary: a real race must be reported, GLib-locked code must not;
#   2. the unit tests of everything that crosses threads (progress bridge,
#      rate limiter, store writer thread, parsers used by workers): no
#      report at all;
#   3. the engine tests (queue, transfer, hostile): reports are counted and
#      classified by tests/tsan-check.py; those where Haul's code makes the
#      access fail the run, those made inside GLib/libsoup on their own
#      memory are listed (GLib's frames carry no frame pointers, so TSan
#      often cannot unwind through them; see the issue notes).
# Usage: tests/tsan.sh   (a few minutes; not part of build-aux/test.sh)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/_build-tsan}
[ -f "$build/build.ninja" ] || meson setup "$build" "$src" -Db_sanitize=thread -Db_lundef=false --buildtype=debug
unit="progress rate-limiter store backoff uri-list filename http checksum format download download-notify link-import segments"
engine="queue queue-scheduler transfer segmented hostile cli persist session demo"
targets="tests/tsan-canary src/haul"
for t in $unit $engine; do targets="$targets tests/test-$t"; done
# shellcheck disable=SC2086
ninja -C "$build" $targets >/dev/null || exit 1

export G_SLICE=always-malloc G_TEST_SRCDIR="$src/tests" G_TEST_BUILDDIR="$build/tests"
export GSETTINGS_BACKEND=memory GIO_USE_VFS=local LC_ALL=C.UTF-8 LANGUAGE= HAUL_BINARY="$build/src/haul"
# Reports go to LOG.PID files (one per process: the tests start
# `haul --headless` too), and do not change exit statuses, which the tests
# check themselves.
tsan_base="halt_on_error=0 report_signal_unsafe=0 history_size=4 exitcode=0 suppressions=$src/tests/tsan.supp"
logs=$(mktemp -d)
status=0
run () {  # run NAME COMMAND…: reports in $logs/NAME.tsan.*
  name=$1; shift
  TSAN_OPTIONS="$tsan_base log_path=$logs/$name.tsan" "$@" >"$logs/$name.log" 2>&1
}
reports () { cat "$logs/$1".tsan.* 2>/dev/null | grep -c 'WARNING: ThreadSanitizer'; }

run canary-racy "$build/tests/tsan-canary" racy
run canary-locked "$build/tests/tsan-canary" locked || status=1
racy=$(reports canary-racy)
locked=$(reports canary-locked)
echo "canary: racy $racy report(s) (must be > 0), locked $locked (must be 0)"
[ "$racy" -gt 0 ] && [ "$locked" -eq 0 ] || status=1

for t in $unit; do
  run "$t" "$build/tests/test-$t"
  rc=$?
  n=$(reports "$t")
  echo "unit $t: exit $rc, $n report(s)"
  if [ "$n" -ne 0 ] || [ $rc -ne 0 ]; then status=1; cat "$logs/$t".tsan.* 2>/dev/null | head -60; fi
done

# (The unwritable-folder and full-disk tests need a single-threaded process
# to enter a user namespace; TSan's own thread makes that impossible.)
for t in $engine; do
  run "$t" "$build/tests/test-$t" -s /haul/core/transfer/unwritable -s /haul/core/transfer/disk-full
  rc=$?
  echo "engine $t: exit $rc ($(grep -c '^ok' "$logs/$t.log") tests passed, $(reports "$t") report(s))"
  [ $rc -eq 0 ] || status=1
done
# shellcheck disable=SC2046
python3 "$src/tests/tsan-check.py" $(for t in $engine; do ls "$logs/$t".tsan.* 2>/dev/null; done) || status=1
echo "logs: $logs"
exit $status

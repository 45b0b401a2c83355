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
unit="progress rate-limiter store backoff uri-list filename http checksum format"
engine="queue transfer hostile"
targets="tests/tsan-canary src/haul"
for t in $unit $engine; do targets="$targets tests/test-$t"; done
# shellcheck disable=SC2086
ninja -C "$build" $targets >/dev/null || exit 1

export G_SLICE=always-malloc G_TEST_SRCDIR="$src/tests" G_TEST_BUILDDIR="$build/tests"
export GSETTINGS_BACKEND=memory GIO_USE_VFS=local LC_ALL=C.UTF-8 LANGUAGE= HAUL_BINARY="$build/src/haul"
export TSAN_OPTIONS="halt_on_error=0 report_signal_unsafe=0 history_size=4 suppressions=$src/tests/tsan.supp"
logs=$(mktemp -d)
status=0

"$build/tests/tsan-canary" racy >"$logs/canary-racy.log" 2>&1
"$build/tests/tsan-canary" locked >"$logs/canary-locked.log" 2>&1 || status=1
racy=$(grep -c 'WARNING: ThreadSanitizer' "$logs/canary-racy.log")
locked=$(grep -c 'WARNING: ThreadSanitizer' "$logs/canary-locked.log")
echo "canary: racy $racy report(s) (must be > 0), locked $locked (must be 0)"
[ "$racy" -gt 0 ] && [ "$locked" -eq 0 ] || status=1

for t in $unit; do
  "$build/tests/test-$t" >"$logs/$t.log" 2>&1
  rc=$?
  n=$(grep -c 'WARNING: ThreadSanitizer' "$logs/$t.log")
  echo "unit $t: exit $rc, $n report(s)"
  if [ "$n" -ne 0 ] || { [ $rc -ne 0 ] && [ $rc -ne 66 ]; }; then status=1; sed -n '/WARNING/,/SUMMARY/p' "$logs/$t.log" | head -60; fi
done

# (The unwritable-folder and full-disk tests need a single-threaded process
# to enter a user namespace; TSan's own thread makes that impossible.)
for t in $engine; do
  "$build/tests/test-$t" -s /haul/core/transfer/unwritable -s /haul/core/transfer/disk-full \
    >"$logs/$t.log" 2>&1
  rc=$?
  echo "engine $t: exit $rc ($(grep -c '^ok' "$logs/$t.log") tests passed)"
  [ $rc -eq 0 ] || [ $rc -eq 66 ] || status=1
done
# shellcheck disable=SC2046
python3 "$src/tests/tsan-check.py" $(for t in $engine; do echo "$logs/$t.log"; done) || status=1
echo "logs: $logs"
exit $status

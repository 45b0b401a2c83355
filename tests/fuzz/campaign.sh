#!/bin/sh
# The long fuzzing run behind the figures in SECURITY.md: each target for
# SECONDS (default 600) on a copy of its committed corpus, one after the
# other (one core), then the inputs that add coverage are merged back into
# tests/fuzz/corpus/TARGET (libFuzzer -merge=1), so CI's 30-second runs
# start from there. Needs the fuzz build:
#   CC=clang meson setup _build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false
#   ninja -C _build-fuzz
# Usage: tests/fuzz/campaign.sh [SECONDS] [TARGET…]   (log: _build-fuzz/campaign/*.log)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$src/_build-fuzz}
seconds=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-uri-list filename content-range retry-after content-type}
out=$build/campaign
mkdir -p "$out"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

for t in $targets; do
  work=$out/$t
  rm -rf "$work"; mkdir -p "$work/corpus"
  cp "$src/tests/fuzz/corpus/$t/"* "$work/corpus/"
  echo "== $t: $seconds s"
  if ! "$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" >"$out/$t.log" 2>&1; then
    echo "FAILED: see $out/$t.log"; tail -n 30 "$out/$t.log"; exit 1
  fi
  grep -E '^#[0-9]+[[:space:]]+DONE' "$out/$t.log" | tail -n 1
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$out/$t.log"
  before=$(ls "$src/tests/fuzz/corpus/$t" | wc -l)
  "$build/tests/fuzz/fuzz-$t" -merge=1 "$src/tests/fuzz/corpus/$t" "$work/corpus" >"$out/$t.merge.log" 2>&1
  echo "corpus: $before -> $(ls "$src/tests/fuzz/corpus/$t" | wc -l) inputs"
done

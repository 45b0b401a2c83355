#!/bin/sh
# Runs one libFuzzer target for SECONDS on the committed corpus, and fails
# on any crash, sanitizer report, leak, timeout (10 s per input) or
# out-of-memory (2 GiB). New inputs and artifacts go to a temporary folder;
# a failing input is printed (base64) so it can be added to the corpus.
# Usage: run-fuzzer.sh FUZZER CORPUS_DIR SECONDS [MORE LIBFUZZER ARGS…]
set -u
fuzzer=$1 corpus=$2 seconds=$3
shift 3
work=$(mktemp -d "${TMPDIR:-/tmp}/haul-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
[ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] || { echo "no corpus in $corpus"; exit 1; }

"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$@" "$work/new" "$corpus" >"$work/log" 2>&1
status=$?

grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$work/log" | tail -n 2
grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$work/log"
echo "corpus: $(ls "$corpus" | wc -l) committed inputs, $(ls "$work/new" | wc -l) new"
if [ $status -ne 0 ]; then
  tail -n 60 "$work/log"
  for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -f "$a" ] || continue
    echo "artifact $(basename "$a") (base64):"
    base64 "$a"
  done
  exit 1
fi

#!/bin/sh
# Runs `gtk4-builder-tool validate` on every .ui file under src/, with
# tests/ui-validate-types.c preloaded so the tool knows libadwaita's and
# Haul's widget types. Needs a display (meson test runs under Xvfb).
#
# A file fails when the tool exits non-zero, names the file in a message
# ("FILE:LINE:COL …") or reports a CRITICAL. Other output (the environment
# speaking: no accessibility bus, no settings backend, …) is shown as a
# note and does not fail the file. The accessibility bridge is turned off
# (GTK_A11Y=none): validating a file needs no assistive technology.
#
# Before the real files, the two files under tests/data/ui-invalid/ (a
# bad property, a bad type) must fail: proof that the check still sees
# what it is there for.
# Usage: validate-ui.sh PRELOAD_MODULE SOURCE_DIR
set -u
module=$1 src=$2
status=0

# validate FILE: prints the verdict, returns 0 when the file is valid.
validate () {
  ui=$1 name=${1#"$src"/}
  out=$(GTK_A11Y=none LD_PRELOAD="$module" gtk4-builder-tool validate "$ui" 2>&1)
  rc=$?
  about=$(printf '%s\n' "$out" | grep -F -e "$ui:" -e "CRITICAL")
  other=$(printf '%s\n' "$out" | grep -v -F -e "$ui:" -e "CRITICAL" | sed '/^$/d')
  if [ $rc -ne 0 ] || [ -n "$about" ]; then
    echo "FAIL $name (exit $rc)"
    [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/  /'
    return 1
  fi
  echo "ok   $name"
  [ -n "$other" ] && printf '%s\n' "$other" | sed 's/^/  note (environment, not the file): /'
  return 0
}

for ui in "$src"/tests/data/ui-invalid/*.ui; do
  if validate "$ui" >/dev/null; then
    echo "FAIL the check accepted ${ui#"$src"/}, which it must reject"
    status=1
  else
    echo "ok   rejects ${ui#"$src"/}"
  fi
done

n=0
for ui in $(find "$src/src" -name '*.ui' | sort); do
  n=$((n + 1))
  validate "$ui" || status=1
done
[ $n -gt 0 ] || { echo "no .ui files found under $src/src"; exit 1; }
exit $status

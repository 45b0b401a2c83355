#!/bin/sh
# Fails when a source or data file with translatable strings is missing
# from po/POTFILES.in, or when POTFILES.in names a file that does not exist
# or has nothing to translate. Run from the source root (meson test does).
set -u
cd "${MESON_SOURCE_ROOT:-$(dirname "$0")/..}" || exit 2

listed=$(mktemp) found=$(mktemp)
trap 'rm -f "$listed" "$found"' EXIT
grep -v '^#' po/POTFILES.in | grep -v '^[[:space:]]*$' | sort -u > "$listed"

{
  # C: gettext calls (_(), N_(), C_(), NC_(), g_dngettext and friends).
  grep -lE '(^|[^A-Za-z0-9_])(N?C?_|g_dngettext|g_dpgettext2?|ngettext) ?\(' \
    $(find src -name '*.c' | sort)
  # GtkBuilder files.
  grep -l 'translatable="yes"' $(find src -name '*.ui' | sort)
  # Desktop file, metainfo and schema templates.
  for f in data/*.desktop.in.in data/*.metainfo.xml.in.in data/*.gschema.xml; do
    [ -f "$f" ] && echo "$f"
  done
} | sort -u > "$found"

status=0
missing=$(comm -13 "$listed" "$found")
stale=$(comm -23 "$listed" "$found")
if [ -n "$missing" ]; then
  echo "Files with translatable strings missing from po/POTFILES.in:"
  echo "$missing" | sed 's/^/  /'
  status=1
fi
if [ -n "$stale" ]; then
  echo "po/POTFILES.in lists files that do not exist or have no translatable strings:"
  echo "$stale" | sed 's/^/  /'
  status=1
fi
[ $status = 0 ] && echo "po/POTFILES.in lists all $(wc -l < "$found") files with translatable strings"
exit $status

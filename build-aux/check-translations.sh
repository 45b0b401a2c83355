#!/bin/sh
# Fails unless every language in po/LINGUAS (at least de, es and fr)
# translates every message Haul has today: the template is extracted afresh
# from the files in po/POTFILES.in (the keywords of i18n.gettext's glib
# preset), each .po must translate all of it, no entry fuzzy, and msgfmt
# --check must accept it (format strings, plural forms, accelerators).
set -u
cd "${MESON_SOURCE_ROOT:-$(dirname "$0")/..}" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -v '^#' po/POTFILES.in | grep -v '^[[:space:]]*$' > "$tmp/files"
xgettext --from-code=UTF-8 --add-comments --package-name=haul -f "$tmp/files" -o "$tmp/haul.pot" \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format || exit 1
total=$(msgfmt --statistics -o /dev/null "$tmp/haul.pot" 2>&1 | sed -n 's/.* \([0-9]*\) untranslated.*/\1/p')

status=0
langs=$(grep -v '^#' po/LINGUAS | tr -s ' \n' ' ')
for required in de es fr; do
  case " $langs " in *" $required "*) ;; *) echo "po/LINGUAS lacks $required"; status=1 ;; esac
done
for lang in $langs; do
  if ! msgcmp "po/$lang.po" "$tmp/haul.pot" 2>"$tmp/cmp"; then
    echo "po/$lang.po does not translate every message:"
    grep -c 'used but not defined' "$tmp/cmp" | sed 's/^/  messages missing or untranslated: /'
    head -n 12 "$tmp/cmp" | sed 's/^/  /'
    status=1
  fi
  if ! stats=$(msgfmt --check --check-accelerators=_ --statistics -o /dev/null "po/$lang.po" 2>&1); then
    echo "po/$lang.po: msgfmt --check failed:"
    echo "$stats" | sed 's/^/  /'
    status=1
  fi
  echo "$lang: $stats (template: $total messages)"
done
exit $status

#!/bin/sh
# Fails unless every language in po/LINGUAS (at least de, es and fr)
# translates every message Haul has today: the template is extracted afresh
# from the files in po/POTFILES.in (the keywords of i18n.gettext's glib
# preset), each .po is merged with it and must translate all of it, no
# entry fuzzy, and msgfmt --check must accept the merge (format strings as
# the code flags them, plural forms, accelerators). Issue 5 asks for every
# string in these three languages, so a new string without them fails here.
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
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=printf:1:c-format \
  --flag=g_markup_printf_escaped:1:c-format \
  --flag=g_application_command_line_printerr:2:c-format || exit 1
total=$(msgfmt --statistics -o /dev/null "$tmp/haul.pot" 2>&1 | sed -n 's/.* \([0-9]*\) untranslated.*/\1/p')

status=0
langs=$(grep -v '^#' po/LINGUAS | tr -s ' \n' ' ')
for required in de es fr; do
  case " $langs " in *" $required "*) ;; *) echo "po/LINGUAS lacks $required"; status=1 ;; esac
done
for lang in $langs; do
  # Merged with the fresh template, so its flags (c-format…) are the
  # code's, not whatever the .po file says of itself.
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/haul.pot" -o "$tmp/$lang.po" || { status=1; continue; }
  if ! stats=$(msgfmt --check --check-accelerators=_ --statistics -o /dev/null "$tmp/$lang.po" 2>&1); then
    echo "po/$lang.po: msgfmt --check failed:"
    echo "$stats" | sed 's/^/  /'
    status=1
  fi
  case "$stats" in
    *untranslated*|*fuzzy*)
      echo "po/$lang.po does not translate every message:"
      msgattrib --untranslated --no-wrap "$tmp/$lang.po" | grep '^msgid "..*"' | head -n 10 | sed 's/^/  /'
      status=1 ;;
  esac
  echo "$lang: $stats (template: $total messages)"
done
exit $status

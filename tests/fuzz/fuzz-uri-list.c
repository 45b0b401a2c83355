/* fuzz-uri-list.c — the link-list parser (drops, pastes, files, -i)
 *
 * The input is fed in chunks whose sizes come from its first byte, so
 * lines, CRLFs and UTF-8 sequences are split at every place across runs.
 * Checks: every accepted link is an http(s) URI with a host and no
 * whitespace or control character, and normalizes to itself; counts add up;
 * the chunked result is the one-chunk result; and an accepted link found
 * again in running text (brackets, quotes, trailing punctuation around it)
 * is the same link.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"
#include "haul-uri-list.h"

static void
check_link (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, &error);
  g_autofree char *again = NULL;

  FUZZ_CHECK (parsed != NULL, "accepted “%s” does not parse: %s", uri, error->message);
  FUZZ_CHECK (g_str_equal (g_uri_get_scheme (parsed), "http") ||
              g_str_equal (g_uri_get_scheme (parsed), "https"), "scheme of “%s”", uri);
  FUZZ_CHECK (g_uri_get_host (parsed) != NULL && *g_uri_get_host (parsed) != '\0', "host of “%s”", uri);
  for (const char *p = uri; *p != '\0'; p++)
    FUZZ_CHECK ((guchar) *p > 0x20 && (guchar) *p < 0x7f, "byte 0x%02x in “%s”", (guchar) *p, uri);
  again = haul_uri_normalize (uri, NULL);
  FUZZ_CHECK (again != NULL && g_str_equal (again, uri), "“%s” normalizes to “%s”", uri, again);
}

static HaulUriList *
parse_whole (const char *text,
             gsize       len)
{
  HaulUriList *list = haul_uri_list_new ();

  if (haul_uri_list_feed (list, text, len, NULL))
    haul_uri_list_finish (list);
  return list;
}

static void
check_same (HaulUriList *a,
            HaulUriList *b)
{
  const GPtrArray *ua = haul_uri_list_get_uris (a);
  const GPtrArray *ub = haul_uri_list_get_uris (b);

  FUZZ_CHECK (ua->len == ub->len, "%u links in chunks, %u in one", ua->len, ub->len);
  for (guint i = 0; i < ua->len; i++)
    FUZZ_CHECK (g_str_equal (g_ptr_array_index (ua, i), g_ptr_array_index (ub, i)),
                "link %u: “%s” in chunks, “%s” in one", i,
                (char *) g_ptr_array_index (ua, i), (char *) g_ptr_array_index (ub, i));
  FUZZ_CHECK (haul_uri_list_get_n_rejected (a) == haul_uri_list_get_n_rejected (b), "rejections differ");
  FUZZ_CHECK (haul_uri_list_get_n_duplicates (a) == haul_uri_list_get_n_duplicates (b), "duplicates differ");
  FUZZ_CHECK (haul_uri_list_get_n_lines (a) == haul_uri_list_get_n_lines (b), "lines differ");
}

/* Found again in running text: quoted, bracketed, at a sentence's end.
 * Only for links that do not end in punctuation and hold nothing that ends
 * a link in text ("](", ",http", a quote). */
static void
check_in_text (const char *uri)
{
  g_autoptr(HaulUriList) list = NULL;
  g_autofree char *lower = g_ascii_strdown (uri, -1);
  g_autofree char *text = NULL;
  char last = uri[strlen (uri) - 1];

  if (strlen (uri) * 5 + 64 > HAUL_URI_LIST_MAX_LINE)
    return; /* one line of text must hold it five times */
  if (!(g_ascii_isalnum (last) || last == '/') || strstr (uri, "](") != NULL || strchr (uri, '\'') != NULL ||
      strstr (lower, ",http") != NULL || strstr (lower, ";http") != NULL)
    return;
  /* "(…/a(b)": whose parenthesis is the last one cannot be told. */
  for (const char *b = "()[]{}"; *b != '\0'; b += 2)
    {
      guint open = 0, close = 0;

      for (const char *p = uri; *p != '\0'; p++)
        open += *p == b[0], close += *p == b[1];
      if (open > close)
        return;
    }

  text = g_strdup_printf ("See <%s>, (%s). “%s” '%s' [x](%s)\n", uri, uri, uri, uri, uri);
  list = parse_whole (text, strlen (text));
  FUZZ_CHECK (haul_uri_list_get_uris (list)->len == 1 &&
              g_str_equal (g_ptr_array_index (haul_uri_list_get_uris (list), 0), uri),
              "“%s” is not found again in “%s”", uri, text);
  FUZZ_CHECK (haul_uri_list_get_n_duplicates (list) == 4 && haul_uri_list_get_n_rejected (list) == 0,
              "“%s” in text: %u duplicates, %u rejected", uri,
              haul_uri_list_get_n_duplicates (list), haul_uri_list_get_n_rejected (list));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autofree char *text = NULL;
  g_autofree char *single = NULL;
  gsize chunk = size > 0 ? (data[0] % 17) + 1 : 1;
  const GPtrArray *uris;
  gboolean ok = TRUE;

  for (gsize off = 0; off < size && ok; off += chunk)
    ok = haul_uri_list_feed (list, (const char *) data + off, MIN (chunk, size - off), NULL);
  if (ok)
    haul_uri_list_finish (list);

  uris = haul_uri_list_get_uris (list);
  for (guint i = 0; i < uris->len; i++)
    {
      check_link (g_ptr_array_index (uris, i));
      if (i < 4)
        check_in_text (g_ptr_array_index (uris, i));
    }
  if (ok)
    {
      g_autoptr(HaulUriList) whole = parse_whole ((const char *) data, size);

      check_same (list, whole);
    }
  FUZZ_CHECK (haul_uri_list_get_rejections (list)->len <= HAUL_URI_LIST_MAX_REJECTIONS,
              "%u rejections kept", haul_uri_list_get_rejections (list)->len);
  FUZZ_CHECK (haul_uri_list_get_rejections (list)->len <= haul_uri_list_get_n_rejected (list),
              "more rejections kept than counted");

  /* One link on its own (the Add dialog's checksum field, the CLI). */
  text = fuzz_string (data, size);
  single = haul_uri_normalize (text, NULL);
  if (single != NULL)
    check_link (single);
  return 0;
}

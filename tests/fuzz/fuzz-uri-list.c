/* fuzz-uri-list.c — the link-list parser (drops, pastes, files, -i)
 *
 * The input is fed in chunks whose sizes come from its first byte, so
 * lines, CRLFs and UTF-8 sequences are split at every place across runs.
 * Checks: every accepted link is an http(s) URI with a host and no
 * whitespace or control character, and normalizes to itself; counts add up.
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
    check_link (g_ptr_array_index (uris, i));
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

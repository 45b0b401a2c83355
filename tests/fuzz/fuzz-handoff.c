/* fuzz-handoff.c — the body of POST /v1/downloads (and /v1/pair), as a browser extension sends it
 *
 * Checks: a body is refused or gives a handoff within browser/PROTOCOL.md's
 * limits: an http(s) link of at most 8 KiB, other texts of at most 1 KiB
 * without control characters, a base name, a size of -1 or more, at most
 * 200 cookies; and nothing of the input outlives the call (LeakSanitizer).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"
#include "haul-handoff-private.h"

static void
check_link (const char *link,
            gsize       max)
{
  if (link == NULL)
    return;
  FUZZ_CHECK (strlen (link) <= max, "a link of %zu bytes", strlen (link));
  FUZZ_CHECK (g_ascii_strncasecmp (link, "http://", 7) == 0 || g_ascii_strncasecmp (link, "https://", 8) == 0,
              "“%s” is not http(s)", link);
}

static void
check_text (const char *text)
{
  if (text == NULL)
    return;
  FUZZ_CHECK (strlen (text) <= HAUL_HANDOFF_MAX_STRING, "a text of %zu bytes", strlen (text));
  FUZZ_CHECK (g_utf8_validate (text, -1, NULL), "“%s” is not UTF-8", text);
  for (const char *p = text; *p != '\0'; p++)
    FUZZ_CHECK ((guchar) *p >= 0x20 && *p != 0x7f, "“%s” holds a control character", text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulHandoff) handoff = haul_handoff_parse ((const char *) data, size, &error);
  g_autofree char *code = NULL;
  g_autofree char *browser = NULL;
  g_autoptr(GError) pair_error = NULL;

  if (_haul_handoff_parse_pair ((const char *) data, size, &code, &browser, &pair_error))
    FUZZ_CHECK (code != NULL && browser != NULL, "a pairing without code or name");

  if (handoff == NULL)
    {
      FUZZ_CHECK (error != NULL && error->domain == HAUL_HANDOFF_ERROR && error->message[0] != '\0',
                  "refused without a reason");
      return 0;
    }
  FUZZ_CHECK (size <= HAUL_HANDOFF_MAX_BODY, "a body of %zu bytes taken", size);
  FUZZ_CHECK (handoff->url != NULL, "no link");
  check_link (handoff->url, HAUL_HANDOFF_MAX_URL);
  check_link (handoff->final_url, HAUL_HANDOFF_MAX_URL);
  check_link (handoff->referrer, HAUL_HANDOFF_MAX_URL);
  check_link (handoff->page_url, HAUL_HANDOFF_MAX_URL);
  check_text (handoff->filename);
  check_text (handoff->mime);
  check_text (handoff->user_agent);
  FUZZ_CHECK (handoff->filename == NULL || strchr (handoff->filename, '/') == NULL, "a path as a name");
  FUZZ_CHECK (handoff->size >= -1, "size %" G_GINT64_FORMAT, handoff->size);
  FUZZ_CHECK (handoff->cookies->len <= HAUL_HANDOFF_MAX_COOKIES, "%u cookies", handoff->cookies->len);
  for (guint i = 0; i < handoff->cookies->len; i++)
    {
      SoupCookie *cookie = g_ptr_array_index (handoff->cookies, i);

      FUZZ_CHECK (strchr (soup_cookie_get_value (cookie), ';') == NULL, "a cookie value with ';'");
      FUZZ_CHECK (*soup_cookie_get_domain (cookie) != '\0', "a cookie without a domain");
    }
  return 0;
}

/* fuzz-filename.c — names from servers: Content-Disposition and the URI
 *
 * Checks what SECURITY.md promises: whatever a server sends, the name Haul
 * writes (haul_filename_choose; _from_uri's and the sanitizer's results
 * when they return one, with or without " (N)") is one non-empty, valid UTF-8 path component of at most 255
 * bytes, not "." or "..", not hidden, with no separator or control
 * character, and sanitizing it again changes nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"
#include "haul-filename.h"
#include "haul-http.h"

static void
check_component (const char *name,
                 const char *from)
{
  FUZZ_CHECK (name != NULL && *name != '\0', "empty name from “%s”", from);
  /* Room for the ".part" it is written as first. */
  FUZZ_CHECK (strlen (name) + strlen (HAUL_PART_SUFFIX) <= HAUL_FILENAME_MAX_BYTES,
              "%zu bytes from “%s”", strlen (name), from);
  FUZZ_CHECK (g_utf8_validate (name, -1, NULL), "invalid UTF-8 from “%s”", from);
  FUZZ_CHECK (name[0] != '.', "hidden or dot name “%s” from “%s”", name, from);
  FUZZ_CHECK (strchr (name, '/') == NULL && strchr (name, '\\') == NULL,
              "separator in “%s” from “%s”", name, from);
  for (const char *p = name; *p != '\0'; p++)
    FUZZ_CHECK ((guchar) *p >= 0x20 && (guchar) *p != 0x7f, "control byte in “%s”", name);
}

/* A sanitizer's result: a safe component that sanitizing leaves alone. */
static void
check_name (const char *name,
            const char *from)
{
  g_autofree char *again = NULL;

  check_component (name, from);
  again = haul_filename_sanitize (name);
  FUZZ_CHECK (g_str_equal (again, name), "“%s” sanitizes again to “%s”", name, again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *value = fuzz_string (data, size);
  g_autofree char *disposition = haul_http_content_disposition_filename (value);
  g_autofree char *sanitized = haul_filename_sanitize (value);
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);
  g_autofree char *uri = g_strconcat ("http://example.org/dir/", escaped, NULL);
  g_autofree char *chosen = haul_filename_choose (value, uri);
  g_autofree char *from_uri = haul_filename_from_uri (uri);
  g_autofree char *raw_uri = g_strconcat ("http://example.org/", value, NULL);
  g_autofree char *from_raw = haul_filename_from_uri (raw_uri);

  /* The name Haul writes: never NULL (a fallback when nothing is usable). */
  check_name (chosen, value);
  /* The others say NULL when nothing usable is left. */
  if (from_uri != NULL)
    check_name (from_uri, uri);
  if (from_raw != NULL)
    check_name (from_raw, raw_uri);
  if (sanitized != NULL)
    {
      g_autofree char *indexed = haul_filename_with_index (sanitized, size % 1000);

      check_name (sanitized, value);
      /* "NAME (N).EXT", the name of a second file of that name. */
      check_component (indexed, sanitized);
    }
  if (disposition != NULL)
    {
      g_autofree char *clean = haul_filename_sanitize (disposition);

      if (clean != NULL)
        check_name (clean, disposition);
    }
  return 0;
}

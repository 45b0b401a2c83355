/* haul-filename.c — turning server-provided names into safe local ones
 *
 * The rules (DESIGN.md, "A download's life"): no path separators, no "..",
 * no control characters, no leading dots or dashes, at most 255 bytes
 * keeping the extension; a taken name gets " (1)", " (2)" before the
 * extension. Nothing a server sends can place a file outside the folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-filename"

#include "config.h"

#include <string.h>

#include "haul-filename.h"
#include "haul-http.h"

/* Room kept for " (NNNN)" and ".part" so the name on disk also fits. */
#define PART_ROOM (sizeof " (99999)" - 1 + sizeof HAUL_PART_SUFFIX - 1)
#define MAX_EXTENSION_BYTES 32

/* Truncates @s to at most @max bytes without splitting a UTF-8 character. */
static void
utf8_truncate (GString *s,
               gsize    max)
{
  const char *end;

  if (s->len <= max)
    return;
  end = g_utf8_find_prev_char (s->str, s->str + max + 1);
  while (end != NULL && end > s->str && (gsize) (end - s->str) > max)
    end = g_utf8_find_prev_char (s->str, end);
  g_string_truncate (s, end ? (gsize) (end - s->str) : 0);
}

/* Trailing dots and spaces confuse other systems and hide the extension. */
static void
strip_trailing (GString *s)
{
  while (s->len > 0 && (s->str[s->len - 1] == '.' || s->str[s->len - 1] == ' '))
    g_string_truncate (s, s->len - 1);
}

static const char *
find_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name || strlen (dot) > MAX_EXTENSION_BYTES || dot[1] == '\0')
    return NULL;
  return dot;
}

/* Like find_extension(), but keeps double extensions like .tar.gz together. */
static const char *
find_full_extension (const char *name)
{
  const char *ext = find_extension (name);

  if (ext != NULL && ext - name > 4 && g_str_has_prefix (ext - 4, ".tar"))
    ext -= 4;
  return ext;
}

/**
 * haul_filename_sanitize:
 * @name: (nullable): a name from a server or a URL, any bytes
 *
 * Returns: (nullable): a safe single path component, or %NULL when nothing
 *   usable is left
 */
char *
haul_filename_sanitize (const char *name)
{
  g_autofree char *valid = NULL;
  const char *base;
  g_autoptr(GString) out = NULL;
  const char *ext;
  gsize max = HAUL_FILENAME_MAX_BYTES - PART_ROOM;
  gsize lead = 0;

  if (name == NULL)
    return NULL;

  valid = g_utf8_make_valid (name, -1);

  /* Keep only the last component, whatever the separator. */
  base = valid;
  for (const char *p = valid; *p != '\0'; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;

  out = g_string_new (NULL);
  for (const char *p = base; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
          c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
          (c >= 0x2066 && c <= 0x2069))
        continue; /* control and bidi-override characters */
      if (c < 0x80 && strchr (":*?\"<>|", (int) c) != NULL)
        g_string_append_c (out, '_');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  /* No hidden files, nothing that looks like an option. One erase, not one
   * per character: a hostile name of a million dots must not take seconds. */
  while (lead < out->len && (out->str[lead] == '.' || out->str[lead] == '-' ||
                             out->str[lead] == ' ' || out->str[lead] == '~'))
    lead++;
  g_string_erase (out, 0, lead);
  strip_trailing (out);

  if (out->len == 0)
    return NULL;

  if (out->len > max)
    {
      ext = find_full_extension (out->str);
      if (ext != NULL)
        {
          g_autofree char *ext_copy = g_strdup (ext);
          gsize ext_len = strlen (ext_copy);

          g_string_truncate (out, ext - out->str);
          utf8_truncate (out, max - ext_len);
          g_string_append (out, ext_copy);
        }
      else
        utf8_truncate (out, max);
      /* The cut may have left a trailing dot or space. */
      strip_trailing (out);
    }

  /* NAME.part is where Haul keeps unfinished downloads: a server's name
   * must not look like one, or it could be mistaken for (or clobber) a
   * partial file. After the cut, which can end a long name in ".part"
   * (found by tests/fuzz/fuzz-filename). */
  if (g_str_has_suffix (out->str, HAUL_PART_SUFFIX) && out->len > strlen (HAUL_PART_SUFFIX))
    out->str[out->len - strlen (HAUL_PART_SUFFIX)] = '_';

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * haul_filename_from_uri:
 *
 * Returns: (nullable): the sanitized last path segment of @uri
 */
char *
haul_filename_from_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *path;
  const char *slash;
  g_autofree char *segment = NULL;
  g_autofree char *unescaped = NULL;

  if (uri == NULL)
    return NULL;
  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  if (parsed == NULL)
    return NULL;

  path = g_uri_get_path (parsed);
  slash = strrchr (path, '/');
  segment = g_strdup (slash ? slash + 1 : path);
  if (*segment == '\0')
    return NULL;

  /* "%2F" must not become a separator: sanitize after unescaping, which
   * keeps only what follows the last separator anyway. */
  unescaped = g_uri_unescape_string (segment, NULL);
  return haul_filename_sanitize (unescaped ? unescaped : segment);
}

/**
 * haul_filename_choose:
 * @content_disposition: (nullable): the response's Content-Disposition
 * @final_uri: (nullable): the URI after redirects
 *
 * Returns: (not nullable): the name to save under, before conflict resolution
 */
char *
haul_filename_choose (const char *content_disposition,
                      const char *final_uri)
{
  g_autofree char *raw = haul_http_content_disposition_filename (content_disposition);
  char *name;

  if ((name = haul_filename_sanitize (raw)) != NULL)
    return name;
  if ((name = haul_filename_from_uri (final_uri)) != NULL)
    return name;
  return g_strdup (HAUL_FILENAME_FALLBACK);
}

/**
 * haul_filename_with_index:
 * @name: a sanitized name
 * @index: 0 for @name itself, else the number to insert
 *
 * Returns: "name (index).ext"
 */
char *
haul_filename_with_index (const char *name,
                          guint       index)
{
  const char *ext;

  if (index == 0)
    return g_strdup (name);

  ext = find_full_extension (name);

  if (ext == NULL)
    return g_strdup_printf ("%s (%u)", name, index);
  return g_strdup_printf ("%.*s (%u)%s", (int) (ext - name), name, index, ext);
}

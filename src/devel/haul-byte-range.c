/* haul-byte-range.c — the Range header of a request, as a server reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "haul-byte-range.h"

/* "bytes=-N": the last N bytes. */
static gboolean
parse_suffix (const char *p,
              guint64     size,
              guint64    *start,
              guint64    *end,
              gboolean   *satisfiable)
{
  char *endp;
  guint64 suffix;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  suffix = g_ascii_strtoull (p, &endp, 10);
  if (*endp != '\0')
    return FALSE;
  *satisfiable = suffix > 0 && size > 0;
  *start = size - MIN (suffix, size);
  *end = size;
  return TRUE;
}

/**
 * haul_byte_range_parse:
 * @value: (nullable): the value of a Range header
 * @size: the size of the whole file
 * @start: (out): the first byte to send
 * @end: (out): one past the last byte to send
 * @satisfiable: (out): whether the range overlaps the file at all; a server
 *   answers FALSE with 416 Range Not Satisfiable
 *
 * Reads one range: "bytes=S-", "bytes=S-E" or "bytes=-N" (the last N
 * bytes). An end past the file is cut to the file.
 *
 * Returns: FALSE for anything else (several ranges, another unit, garbage,
 *   E before S), which a server answers with the whole file
 */
gboolean
haul_byte_range_parse (const char *value,
                       guint64     size,
                       guint64    *start,
                       guint64    *end,
                       gboolean   *satisfiable)
{
  const char *p;
  char *endp;
  guint64 first, last;

  if (value == NULL || !g_str_has_prefix (value, "bytes="))
    return FALSE;
  p = value + strlen ("bytes=");

  if (*p == '-')
    return parse_suffix (p + 1, size, start, end, satisfiable);

  if (!g_ascii_isdigit (*p))
    return FALSE;
  first = g_ascii_strtoull (p, &endp, 10);
  if (*endp != '-')
    return FALSE;
  p = endp + 1;
  last = G_MAXUINT64;
  if (*p != '\0')
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      last = g_ascii_strtoull (p, &endp, 10);
      if (*endp != '\0' || last < first)
        return FALSE;
    }
  *satisfiable = first < size;
  *start = first;
  *end = *satisfiable ? MIN (last, size - 1) + 1 : size;
  return TRUE;
}

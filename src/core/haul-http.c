/* haul-http.c — parsers for the response headers a download depends on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-http"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "haul-http.h"

#define MAX_DIGITS 18 /* keeps every number below G_MAXINT64 */

static const char *
skip_ws (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

static gboolean
parse_number (const char **pp,
              gint64      *out)
{
  const char *p = *pp;
  gint64 v = 0;
  int n = 0;

  while (g_ascii_isdigit (*p))
    {
      if (++n > MAX_DIGITS)
        return FALSE;
      v = v * 10 + (*p - '0');
      p++;
    }
  if (n == 0)
    return FALSE;

  *pp = p;
  *out = v;
  return TRUE;
}

/**
 * haul_http_parse_content_range:
 * @value: a Content-Range value
 * @start: (out): first byte, or -1 for "bytes * /N" (unsatisfied range)
 * @end: (out): last byte, or -1
 * @total: (out): complete length, or -1 when the server sent "*"
 *
 * Parses "bytes A-B/N", "bytes A-B/ *" and "bytes * /N" (written without the
 * spaces around the slash). libsoup 3.2 refuses the last form, which is the
 * one a 416 carries.
 */
gboolean
haul_http_parse_content_range (const char *value,
                               gint64     *start,
                               gint64     *end,
                               gint64     *total)
{
  const char *p;
  gint64 s = -1, e = -1, t = -1;

  if (value == NULL)
    return FALSE;

  p = skip_ws (value);
  if (g_ascii_strncasecmp (p, "bytes", 5) != 0)
    return FALSE;
  p += 5;
  if (*p != ' ' && *p != '\t')
    return FALSE;
  p = skip_ws (p);

  if (*p == '*')
    {
      p++;
    }
  else
    {
      if (!parse_number (&p, &s) || *p++ != '-' || !parse_number (&p, &e) || e < s)
        return FALSE;
    }

  if (*p++ != '/')
    return FALSE;

  if (*p == '*')
    {
      if (s < 0)
        return FALSE; /* "* / *" says nothing */
      p++;
    }
  else
    {
      if (!parse_number (&p, &t))
        return FALSE;
      if (s >= 0 && e >= t)
        return FALSE;
    }

  if (*skip_ws (p) != '\0')
    return FALSE;

  if (start)
    *start = s;
  if (end)
    *end = e;
  if (total)
    *total = t;
  return TRUE;
}

/**
 * haul_http_parse_retry_after:
 * @value: a Retry-After value: delay-seconds or an HTTP-date
 * @now_unix: the current time, for dates
 * @seconds: (out): how long to wait, 0 for dates in the past
 */
gboolean
haul_http_parse_retry_after (const char *value,
                             gint64      now_unix,
                             gint64     *seconds)
{
  const char *p;
  gint64 v;

  if (value == NULL)
    return FALSE;

  p = skip_ws (value);
  if (g_ascii_isdigit (*p))
    {
      if (!parse_number (&p, &v) || *skip_ws (p) != '\0')
        return FALSE;
      *seconds = v;
      return TRUE;
    }
  else
    {
      g_autoptr(GDateTime) date = NULL;

      if (strlen (p) > 64)
        return FALSE;
      date = soup_date_time_new_from_http_string (p);
      if (date == NULL)
        return FALSE;
      *seconds = MAX (0, g_date_time_to_unix (date) - now_unix);
      return TRUE;
    }
}

/**
 * haul_http_parse_content_type:
 *
 * Returns: (nullable): the media type in lower case, without parameters
 */
char *
haul_http_parse_content_type (const char *value)
{
  const char *p, *start;
  gboolean slash = FALSE;

  if (value == NULL)
    return NULL;

  start = p = skip_ws (value);
  while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t')
    {
      if (*p == '/')
        {
          if (slash || p == start)
            return NULL;
          slash = TRUE;
        }
      else if (!g_ascii_isalnum (*p) && strchr ("!#$&-^_.+", *p) == NULL)
        return NULL;
      p++;
    }

  if (!slash || p[-1] == '/')
    return NULL;

  return g_ascii_strdown (start, p - start);
}

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Decodes RFC 8187 ext-value: charset'language'pct-encoded. UTF-8 and
 * ISO-8859-1 are the only charsets the RFC requires; others are refused. */
static char *
decode_ext_value (const char *v,
                  gsize       len)
{
  const char *q1, *q2, *end = v + len;
  g_autoptr(GString) out = NULL;
  g_autofree char *charset = NULL;

  q1 = memchr (v, '\'', len);
  if (q1 == NULL)
    return NULL;
  q2 = memchr (q1 + 1, '\'', end - (q1 + 1));
  if (q2 == NULL)
    return NULL;

  charset = g_ascii_strdown (v, q1 - v);
  out = g_string_new (NULL);
  for (const char *p = q2 + 1; p < end; p++)
    {
      if (*p == '%')
        {
          if (end - p < 3 || !g_ascii_isxdigit (p[1]) || !g_ascii_isxdigit (p[2]))
            return NULL;
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }

  if (strcmp (charset, "utf-8") == 0)
    {
      if (!g_utf8_validate_len (out->str, out->len, NULL))
        return NULL;
      return g_string_free (g_steal_pointer (&out), FALSE);
    }
  if (strcmp (charset, "iso-8859-1") == 0)
    return g_convert (out->str, out->len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);

  return NULL;
}

/**
 * haul_http_content_disposition_filename:
 * @value: a Content-Disposition value
 *
 * Returns the raw, unsanitized file name the server suggests, preferring
 * `filename*` (RFC 6266 §4.3). Pass the result through
 * haul_filename_sanitize() before using it.
 *
 * Returns: (nullable): the suggested name
 */
char *
haul_http_content_disposition_filename (const char *value)
{
  const char *p;
  g_autofree char *plain = NULL;
  g_autofree char *ext = NULL;

  if (value == NULL)
    return NULL;

  /* disposition type */
  p = skip_ws (value);
  while (is_token_char (*p))
    p++;

  while (*p != '\0')
    {
      const char *name, *name_end;
      g_autoptr(GString) val = g_string_new (NULL);
      gboolean quoted = FALSE;

      p = skip_ws (p);
      if (*p == '\0')
        break; /* trailing whitespace */
      if (*p != ';')
        return NULL; /* garbage between parameters */
      p = skip_ws (p + 1);
      if (*p == '\0')
        break;

      name = p;
      while (is_token_char (*p))
        p++;
      name_end = p;
      if (name_end == name)
        return NULL;
      p = skip_ws (p);
      if (*p != '=')
        return NULL;
      p = skip_ws (p + 1);

      if (*p == '"')
        {
          quoted = TRUE;
          p++;
          while (*p != '"')
            {
              if (*p == '\0')
                return NULL;
              if (*p == '\\' && p[1] != '\0')
                p++;
              g_string_append_c (val, *p);
              p++;
            }
          p++;
        }
      else
        {
          while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t')
            g_string_append_c (val, *p++);
        }

      if ((gsize) (name_end - name) == 9 && g_ascii_strncasecmp (name, "filename*", 9) == 0)
        {
          if (!quoted && ext == NULL)
            ext = decode_ext_value (val->str, val->len);
        }
      else if ((gsize) (name_end - name) == 8 && g_ascii_strncasecmp (name, "filename", 8) == 0)
        {
          if (plain == NULL)
            plain = g_string_free (g_steal_pointer (&val), FALSE);
        }
    }

  if (ext != NULL)
    return g_steal_pointer (&ext);
  return g_steal_pointer (&plain);
}

/**
 * haul_http_etag_is_strong:
 *
 * If-Range may only carry a strong entity tag (RFC 9110 §13.1.5).
 */
gboolean
haul_http_etag_is_strong (const char *etag)
{
  gsize len;

  if (etag == NULL)
    return FALSE;
  len = strlen (etag);
  return len >= 2 && etag[0] == '"' && etag[len - 1] == '"' && haul_http_value_is_safe (etag);
}

/**
 * haul_http_value_is_safe:
 *
 * Returns: %TRUE if @value may be sent back in a request header: no CR, LF
 *   or other control characters, and not absurdly long.
 */
gboolean
haul_http_value_is_safe (const char *value)
{
  gsize n = 0;

  for (const char *p = value; *p != '\0'; p++, n++)
    if ((guchar) *p < 0x20 || *p == 0x7f || n > 4096)
      return FALSE;
  return TRUE;
}

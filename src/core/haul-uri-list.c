/* haul-uri-list.c — one parser for every list of links Haul is given
 *
 * Serves text/uri-list drops, plain text with links separated by any
 * whitespace (LF, CRLF, tabs, spaces), files of links, paste, the add
 * dialog and `--headless -i`. Input is fed in chunks of any size; memory
 * stays bounded by the accepted links (a line is never buffered beyond
 * HAUL_URI_LIST_MAX_LINE bytes, and at most HAUL_URI_LIST_MAX_REJECTIONS
 * rejections are kept in detail).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-uri-list"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "haul-uri-list.h"

#define DISPLAY_MAX 120

struct _HaulUriList
{
  GString    *line;
  gboolean    line_too_long;
  guint       line_no;
  GPtrArray  *uris;
  GHashTable *seen;       /* borrowed keys from uris */
  GPtrArray  *rejections;
  guint       n_rejected;
  guint       n_duplicates;
  guint       max_uris;   /* HAUL_URI_LIST_MAX_URIS unless a test says less */
  gboolean    full;       /* max_uris reached: the rest is ignored */
};

static void
rejection_free (gpointer data)
{
  HaulUriListRejection *r = data;

  g_free (r->text);
  g_free (r->reason);
  g_free (r);
}

static char *
shorten (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autoptr(GString) s = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_utf8_strlen (s->str, -1) >= DISPLAY_MAX)
        {
          g_string_append (s, "…");
          break;
        }
      if (c < 0x20 || c == 0x7f)
        g_string_append_c (s, '?');
      else
        g_string_append_unichar (s, c);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * haul_uri_scheme_is_web:
 * @scheme: (nullable): a URI scheme, any case
 *
 * Returns: whether Haul downloads links of this scheme (http, https)
 */
gboolean
haul_uri_scheme_is_web (const char *scheme)
{
  return scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0 ||
                            g_ascii_strcasecmp (scheme, "https") == 0);
}

/* A DNS name (letters, digits, "-", "_", "."), or an IP address
 * (IPv6 without its brackets, as GUri gives it). */
static gboolean
host_is_valid (const char *host)
{
  if (g_hostname_is_ip_address (host))
    return TRUE;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/**
 * haul_uri_normalize:
 * @text: one link as a person typed or pasted it
 *
 * Accepts only absolute http and https links with a host. Non-ASCII
 * characters are percent-encoded, the scheme and host are normalized and the
 * fragment (never sent to a server) is dropped, so the result is what the
 * download requests and what duplicates are detected by.
 *
 * Returns: (nullable): the normalized link, or %NULL with @error saying why
 */
char *
haul_uri_normalize (const char  *text,
                    GError     **error)
{
  g_autofree char *escaped = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) normalized = NULL;
  const char *scheme;

  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == ' ')
      {
        g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_FAILED,
                             _("the link contains spaces or control characters"));
        return NULL;
      }

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_FAILED,
                           _("the link is not valid UTF-8 text"));
      return NULL;
    }

  escaped = g_uri_escape_string (text, "!#$&'()*+,/:;=?@[]~%", FALSE);
  uri = g_uri_parse (escaped, G_URI_FLAGS_ENCODED | G_URI_FLAGS_SCHEME_NORMALIZE, NULL);
  if (uri == NULL)
    {
      g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_FAILED,
                           strstr (text, "://") == NULL ? _("not a link")
                                                        : _("not a valid link"));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (!haul_uri_scheme_is_web (scheme))
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
                   _("“%s” links are not supported (only http and https)"), scheme);
      return NULL;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_BAD_HOST,
                           _("the link has no host name"));
      return NULL;
    }

  /* GLib percent-decodes the host (and turns IDN into punycode): a decoded
   * "%20" or "%0D%0A" must not slip a space or a line break into a link. */
  if (!host_is_valid (g_uri_get_host (uri)))
    {
      g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_BAD_HOST,
                           _("the link’s host name is not valid"));
      return NULL;
    }

  /* GLib normalizes the scheme's case but not the host's. */
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  normalized = g_uri_build (g_uri_get_flags (uri), g_uri_get_scheme (uri), g_uri_get_userinfo (uri),
                            host, g_uri_get_port (uri), g_uri_get_path (uri), g_uri_get_query (uri),
                            NULL);
  return g_uri_to_string (normalized);
}

HaulUriList *
haul_uri_list_new (void)
{
  HaulUriList *self = g_new0 (HaulUriList, 1);

  self->line = g_string_new (NULL);
  self->line_no = 1;
  self->max_uris = HAUL_URI_LIST_MAX_URIS;
  self->uris = g_ptr_array_new_with_free_func (g_free);
  self->seen = g_hash_table_new (g_str_hash, g_str_equal);
  self->rejections = g_ptr_array_new_with_free_func (rejection_free);
  return self;
}

void
haul_uri_list_free (HaulUriList *self)
{
  if (self == NULL)
    return;
  g_string_free (self->line, TRUE);
  g_hash_table_unref (self->seen);
  g_ptr_array_unref (self->uris);
  g_ptr_array_unref (self->rejections);
  g_free (self);
}

static void
reject (HaulUriList *self,
        const char  *text,
        const char  *reason)
{
  HaulUriListRejection *r;

  self->n_rejected++;
  if (self->rejections->len >= HAUL_URI_LIST_MAX_REJECTIONS)
    return;

  r = g_new0 (HaulUriListRejection, 1);
  r->line = self->line_no;
  r->text = shorten (text);
  r->reason = g_strdup (reason);
  g_ptr_array_add (self->rejections, r);
}

static void
take_token (HaulUriList *self,
            const char  *token)
{
  g_autoptr(GError) error = NULL;
  char *uri;

  uri = haul_uri_normalize (token, &error);
  if (uri == NULL)
    {
      reject (self, token, error->message);
      return;
    }

  if (g_hash_table_contains (self->seen, uri))
    {
      self->n_duplicates++;
      g_free (uri);
      return;
    }
  if (self->uris->len >= self->max_uris)
    {
      self->full = TRUE;
      g_free (uri);
      return;
    }

  g_ptr_array_add (self->uris, uri);
  g_hash_table_add (self->seen, uri);
}

static void
end_line (HaulUriList *self)
{
  char *p, *token;

  if (self->line_too_long)
    {
      reject (self, self->line->str,
              _("the line is too long to be a link"));
      goto out;
    }

  p = self->line->str;
  /* A UTF-8 byte order mark, checked here rather than in feed() so that
   * it is found however the input was split. */
  if (self->line_no == 1 && g_str_has_prefix (p, "\xef\xbb\xbf"))
    p += 3;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f')
    p++;
  if (*p == '#' || *p == '\0')
    goto out; /* comment or blank */

  while (*p != '\0')
    {
      while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f')
        p++;
      if (*p == '\0')
        break;
      if (*p == '#')
        break; /* a trailing comment: "http://x/a  # the ISO" */
      token = p;
      while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\v' && *p != '\f')
        p++;
      if (*p != '\0')
        *p++ = '\0';
      take_token (self, token);
    }

out:
  g_string_truncate (self->line, 0);
  self->line_too_long = FALSE;
  self->line_no++;
}

/**
 * haul_uri_list_feed:
 * @data: the next bytes of the list, split anywhere
 *
 * Returns: %FALSE if the data is not text (contains NUL bytes)
 */
gboolean
haul_uri_list_feed (HaulUriList  *self,
                    const char   *data,
                    gsize         len,
                    GError      **error)
{
  const char *p = data;
  const char *end = data + len;

  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("This is not a text list of links: it contains binary data"));
      return FALSE;
    }

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl ? nl : end;

      if (!self->line_too_long)
        {
          gsize room = HAUL_URI_LIST_MAX_LINE - self->line->len;

          if ((gsize) (stop - p) > room)
            {
              /* Keep only the first 64 bytes, for the message: the same
               * ones whichever way the line arrived. */
              g_string_append_len (self->line, p, MIN (room, (gsize) 64));
              g_string_truncate (self->line, 64);
              self->line_too_long = TRUE;
            }
          else
            g_string_append_len (self->line, p, stop - p);
        }

      if (nl == NULL)
        break;
      end_line (self);
      p = nl + 1;
    }

  return TRUE;
}

void
haul_uri_list_finish (HaulUriList *self)
{
  /* A full list stopped reading anywhere, maybe mid-line: not an entry. */
  if (self->full)
    return;
  if (self->line->len > 0 || self->line_too_long)
    end_line (self);
}

/**
 * haul_uri_list_parse_stream:
 *
 * Reads and parses all of @stream (blocking: call it from a worker thread),
 * or as much as fills the list (haul_uri_list_is_full()).
 */
gboolean
haul_uri_list_parse_stream (HaulUriList   *self,
                            GInputStream  *stream,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *buf = g_malloc (64 * 1024);

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buf, 64 * 1024, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      if (!haul_uri_list_feed (self, buf, n, error))
        return FALSE;
      if (self->full)
        break; /* no need to read the rest of a huge file */
    }

  haul_uri_list_finish (self);
  return TRUE;
}

const GPtrArray *
haul_uri_list_get_uris (HaulUriList *self)
{
  return self->uris;
}

GPtrArray *
haul_uri_list_steal_uris (HaulUriList *self)
{
  GPtrArray *ret = g_steal_pointer (&self->uris);

  g_hash_table_remove_all (self->seen);
  self->uris = g_ptr_array_new_with_free_func (g_free);
  return ret;
}

/**
 * haul_uri_list_is_full:
 *
 * Returns: whether the list reached %HAUL_URI_LIST_MAX_URIS links and
 *   ignored what came after (haul_uri_list_parse_stream() stops reading)
 */
gboolean
haul_uri_list_is_full (HaulUriList *self)
{
  return self->full;
}

/* For tests: a smaller limit than %HAUL_URI_LIST_MAX_URIS. */
void
haul_uri_list_set_max_uris (HaulUriList *self,
                            guint        max_uris)
{
  self->max_uris = MIN (max_uris, HAUL_URI_LIST_MAX_URIS);
}

const GPtrArray *
haul_uri_list_get_rejections (HaulUriList *self)
{
  return self->rejections;
}

guint
haul_uri_list_get_n_rejected (HaulUriList *self)
{
  return self->n_rejected;
}

guint
haul_uri_list_get_n_duplicates (HaulUriList *self)
{
  return self->n_duplicates;
}

guint
haul_uri_list_get_n_lines (HaulUriList *self)
{
  return self->line_no - 1;
}

/* haul-uri-list.c — one parser for every list of links Haul is given
 *
 * Serves text/uri-list drops, plain lists (one link per line, or several
 * separated by any whitespace; "#" comments), any text with links in it
 * (chat messages, mails, markdown, HTML: see "Finding links in text"),
 * files of links, paste, the add dialog and `--headless -i`. Input is fed in chunks of any size; memory
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

/**
 * haul_uri_list_rejection_free:
 */
void
haul_uri_list_rejection_free (HaulUriListRejection *r)
{
  if (r == NULL)
    return;
  g_free (r->text);
  g_free (r->reason);
  g_free (r);
}

static void
rejection_free (gpointer data)
{
  haul_uri_list_rejection_free (data);
}

/**
 * haul_uri_list_rejection_copy:
 *
 * Returns: (transfer full): a copy of @r
 */
HaulUriListRejection *
haul_uri_list_rejection_copy (const HaulUriListRejection *r)
{
  HaulUriListRejection *copy = g_new0 (HaulUriListRejection, 1);

  copy->line = r->line;
  copy->text = g_strdup (r->text);
  copy->reason = g_strdup (r->reason);
  return copy;
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

/* Levenshtein distance of two short ASCII words, case-insensitive. */
static guint
edit_distance (const char *a,
               const char *b)
{
  guint la = strlen (a), lb = strlen (b);
  guint row[16];

  if (la >= G_N_ELEMENTS (row) || lb >= G_N_ELEMENTS (row))
    return G_MAXUINT;
  for (guint j = 0; j <= lb; j++)
    row[j] = j;
  for (guint i = 1; i <= la; i++)
    {
      guint diag = row[0];

      row[0] = i;
      for (guint j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

/* "htp", "htps", "hhtp": one typing slip away from http or https. */
static const char *
scheme_typo_of (const char *scheme)
{
  if (edit_distance (scheme, "https") == 1 && g_ascii_strcasecmp (scheme, "http") != 0)
    return "https";
  if (edit_distance (scheme, "http") == 1)
    return "http";
  return NULL;
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
  const char *suggestion;

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
  if (!haul_uri_scheme_is_web (scheme) && (suggestion = scheme_typo_of (scheme)) != NULL)
    {
      /* Translators: "htp" in "htp://example.com/a.iso", then "http" */
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
                   _("the link starts with “%s”: did you mean “%s”?"), scheme, suggestion);
      return NULL;
    }
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
        gsize        len,
        const char  *reason)
{
  HaulUriListRejection *r;
  g_autofree char *copy = NULL;

  self->n_rejected++;
  if (self->rejections->len >= HAUL_URI_LIST_MAX_REJECTIONS)
    return;

  copy = g_strndup (text, len);
  r = g_new0 (HaulUriListRejection, 1);
  r->line = self->line_no;
  r->text = shorten (copy);
  r->reason = g_strdup (reason);
  g_ptr_array_add (self->rejections, r);
}

/* One entry: @len bytes at @text, after @prefix (a "www." link's scheme);
 * @reason rejects it without a look (NULL: a link if it normalizes). */
static void
take_token (HaulUriList *self,
            const char  *text,
            gsize        len,
            const char  *prefix,
            const char  *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = g_strndup (text, len);
  g_autofree char *full = NULL;
  char *uri;

  if (reason != NULL)
    {
      reject (self, text, len, reason);
      return;
    }
  if (prefix != NULL)
    full = g_strconcat (prefix, token, NULL);
  uri = haul_uri_normalize (full != NULL ? full : token, &error);
  if (uri == NULL)
    {
      reject (self, text, len, error->message);
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

/* Finding links in text ----------------------------------------------------
 *
 * A line is split into words at any whitespace, Unicode's too (a chat
 * message's no-break and zero-width spaces). In each word, a link starts at
 * a scheme followed by "://" or at "www." (taken as https), and ends at the
 * end of the word, at a character no link contains in running text (quotes,
 * angle brackets, CJK punctuation), at "](" of a markdown link or before
 * ",http://" of comma-joined links. Then trailing punctuation and closing
 * brackets without their opening one are left out, so "(see
 * https://en.wikipedia.org/wiki/Foo_(bar))." keeps its own parentheses.
 * A word without such a link counts only if it looks like one (a scheme a
 * person would type, "name:/…", "example.com/…"); other words are prose and
 * are ignored. */

/* Bytes of the whitespace character at @p, or 0. */
static gsize
space_len (const char *p)
{
  const guchar *u = (const guchar *) p;

  if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\v' || *u == '\f')
    return 1;
  if (u[0] == 0xc2 && u[1] == 0xa0)                                   /* U+00A0 */
    return 2;
  if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)                   /* U+1680 */
    return 3;
  if (u[0] == 0xe2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8b) || /* U+2000–U+200B */
                                       u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
    return 3;
  if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)                   /* U+205F */
    return 3;
  if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)                   /* U+3000 */
    return 3;
  if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)                   /* U+FEFF */
    return 3;
  return 0;
}

/* Whether a link in running text ends before @p: quotes, angle brackets
 * and punctuation that URLs do not contain unescaped. */
static gboolean
ends_link (const char *p)
{
  static const char *const stops[] = {
    "“", "”", "‘", "’", "«", "»", "‹", "›", "„", "「", "」", "『", "』", "、", "。", "，", "（", "）",
  };
  const guchar *u = (const guchar *) p;

  if (*u == '"' || *u == '<' || *u == '>' || *u == '`')
    return TRUE;
  if (*u < 0x80)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (stops); i++)
    if (strncmp (p, stops[i], strlen (stops[i])) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_scheme_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '-' || c == '.';
}

static gboolean
has_prefix_ci (const char *p,
               const char *end,
               const char *prefix)
{
  gsize n = strlen (prefix);

  return (gsize) (end - p) >= n && g_ascii_strncasecmp (p, prefix, n) == 0;
}

/* Where the next link in [@pos, @end) of the word starting at @word
 * starts, or NULL; *@www says it is a "www." one without a scheme. */
static const char *
find_link_start (const char *word,
                 const char *pos,
                 const char *end,
                 gboolean   *www)
{
  const char *found = NULL;

  *www = FALSE;
  for (const char *p = pos; p + 3 <= end; p++)
    if (p[0] == ':' && p[1] == '/' && p[2] == '/')
      {
        const char *s = p;

        while (s > pos && is_scheme_char (s[-1]))
          s--;
        while (s < p && !g_ascii_isalpha (*s))
          s++;
        found = s;
        break;
      }

  for (const char *p = pos; p + 4 < (found != NULL ? found : end); p++)
    if (has_prefix_ci (p, end, "www.") &&
        (p == word || (!g_ascii_isalnum (p[-1]) && strchr (".-_@/:%", p[-1]) == NULL)))
      {
        *www = TRUE;
        return p;
      }
  return found;
}

/* Where the link starting at @link ends: the first character that ends it
 * in text, before trailing punctuation and unbalanced closing brackets. */
static const char *
find_link_end (const char *word,
               const char *link,
               const char *end)
{
  static const char brackets[] = "()[]{}";
  gboolean in_quotes = link > word && link[-1] == '\'';
  const char *stop = link;
  int depth[3] = { 0, 0, 0 }; /* (), [], {}: opened minus closed */

  for (; stop < end; stop++)
    {
      if (ends_link (stop) || (in_quotes && *stop == '\''))
        break;
      if (stop[0] == ']' && stop + 1 < end && stop[1] == '(')
        break; /* [text](link) */
      if ((stop[0] == ',' || stop[0] == ';') &&
          (has_prefix_ci (stop + 1, end, "http://") || has_prefix_ci (stop + 1, end, "https://")))
        break;
    }

  for (const char *p = link; p < stop; p++)
    {
      const char *b = *p != '\0' ? strchr (brackets, *p) : NULL;

      if (b != NULL)
        depth[(b - brackets) / 2] += (b - brackets) % 2 == 0 ? 1 : -1;
    }

  while (stop > link)
    {
      const char *b = stop[-1] != '\0' ? strchr (brackets, stop[-1]) : NULL;

      if (stop[-1] != '\0' && strchr (".,;:!?'*", stop[-1]) != NULL)
        stop--;
      else if (b != NULL && (b - brackets) % 2 == 1 && depth[(b - brackets) / 2] < 0)
        {
          depth[(b - brackets) / 2]++;
          stop--;
        }
      else
        break;
    }
  return stop;
}

static gboolean
is_typed_scheme (const char *scheme,
                 gsize       len)
{
  static const char *const schemes[] = {
    "http", "https", "ftp", "ftps", "sftp", "file", "mailto", "magnet", "javascript", "data",
    "ssh", "git", "smb", "nfs", "irc", "ircs", "ws", "wss", "gopher", "telnet", "news", "ed2k",
  };

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (strlen (schemes[i]) == len && g_ascii_strncasecmp (scheme, schemes[i], len) == 0)
      return TRUE;
  return FALSE;
}

/* "example.com/…", "localhost:8080/…": a link without its scheme. */
static gboolean
is_bare_host_path (const char *p,
                   const char *end)
{
  const char *label = p;
  guint dots = 0;
  gboolean tld_alpha = FALSE;

  if (has_prefix_ci (p, end, "localhost:") || has_prefix_ci (p, end, "localhost/"))
    return TRUE;

  for (; p < end && (g_ascii_isalnum (*p) || *p == '-' || *p == '.'); p++)
    if (*p == '.')
      {
        if (p == label)
          return FALSE;
        dots++;
        label = p + 1;
      }
  if (dots == 0 || p == label || p - label < 2)
    return FALSE;
  tld_alpha = TRUE;
  for (const char *q = label; q < p; q++)
    tld_alpha = tld_alpha && g_ascii_isalpha (*q);
  if (!tld_alpha)
    return FALSE;
  if (p < end && *p == ':')
    for (p++; p < end && g_ascii_isdigit (*p); p++)
      ;
  return p < end && *p == '/';
}

typedef enum
{
  LOOKS_NOT,
  LOOKS_LIKE_LINK,
  LOOKS_LIKE_BARE_HOST,
} Looks;

/* For a word without a link: where something like a link starts in it. */
static Looks
looks_like_link (const char  *word,
                 const char  *end,
                 const char **start)
{
  const char *p = word;
  const char *s;

  while (p < end && !g_ascii_isalnum (*p))
    p++;
  *start = p;

  s = p;
  if (s < end && g_ascii_isalpha (*s))
    {
      while (s < end && is_scheme_char (*s))
        s++;
      if (s < end && *s == ':')
        {
          /* "htp:/x" (but not "C:/x", nor a "meh:/" in a chat), "mailto:…" */
          if (s - p >= 2 && s + 2 < end && s[1] == '/' && (s[2] == '/' || g_ascii_isalnum (s[2])))
            return LOOKS_LIKE_LINK;
          if (is_typed_scheme (p, s - p))
            return LOOKS_LIKE_LINK;
        }
    }
  return is_bare_host_path (p, end) ? LOOKS_LIKE_BARE_HOST : LOOKS_NOT;
}

/* "http://exa mple.com/": a link of one host label ("http://exa", not
 * localhost) glued to the next word by a single space, as a typo splits
 * one. Returns the end of the next word, or NULL. */
static const char *
glued_link_end (const char *word,
                const char *end)
{
  const char *p = word;
  const char *host;

  if (has_prefix_ci (p, end, "http://"))
    p += 7;
  else if (has_prefix_ci (p, end, "https://"))
    p += 8;
  else
    return NULL;
  host = p;
  while (p < end && (g_ascii_isalnum (*p) || *p == '-'))
    p++;
  if (p != end || p == host || has_prefix_ci (host, end, "localhost"))
    return NULL;
  if (end[0] != ' ' || !g_ascii_isalnum (end[1]))
    return NULL;
  for (p = end + 1; *p != '\0' && space_len (p) == 0; p++)
    ;
  return p;
}

/* Takes what a word holds: its links, or one entry that looks like a link. */
static void
take_word (HaulUriList *self,
           const char  *word,
           const char  *end)
{
  const char *pos = word;
  gboolean found = FALSE;
  const char *start;
  Looks looks;

  for (;;)
    {
      gboolean www;
      const char *link = find_link_start (word, pos, end, &www);
      const char *stop;

      if (link == NULL)
        break;
      stop = find_link_end (word, link, end);
      take_token (self, link, stop - link, www ? "https://" : NULL, NULL);
      found = TRUE;
      pos = MAX (stop, link + 1);
    }
  if (found)
    return;

  looks = looks_like_link (word, end, &start);
  if (looks == LOOKS_NOT)
    return;
  end = find_link_end (word, start, end);
  take_token (self, start, end - start, NULL,
              looks == LOOKS_LIKE_BARE_HOST ? _("the link needs “https://” or “http://” in front") : NULL);
}

/* "#" or "##…" alone, or a commented-out link: the rest of the line is a
 * comment. "#42" or "#general" in a chat message is a word. */
static gboolean
starts_comment (const char *word,
                const char *end)
{
  if (word[0] != '#')
    return FALSE;
  if (end - word == 1 || word[1] == '#')
    return TRUE;
  for (const char *p = word; p + 3 <= end; p++)
    if (p[0] == ':' && p[1] == '/' && p[2] == '/')
      return TRUE;
  return FALSE;
}

static void
end_line (HaulUriList *self)
{
  char *p;

  if (self->line_too_long)
    {
      reject (self, self->line->str, strlen (self->line->str),
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
  if (*p == '#')
    goto out; /* a comment line, as in text/uri-list */

  while (*p != '\0')
    {
      const char *word, *glued;
      gsize n;

      while ((n = space_len (p)) > 0)
        p += n;
      if (*p == '\0')
        break;
      word = p;
      while (*p != '\0' && space_len (p) == 0)
        p++;
      if (starts_comment (word, p))
        break; /* a trailing comment: "http://x/a  # the ISO" */
      glued = glued_link_end (word, p);
      if (glued != NULL)
        {
          take_token (self, word, glued - word, NULL, NULL);
          p = (char *) glued;
          continue;
        }
      take_word (self, word, p);
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

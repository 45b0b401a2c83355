/* haul-request-context.c — cookies, referrer, user agent and extra headers
 * of one download
 *
 * Built on any one thread, frozen when a download takes it, then read from
 * any thread (workers apply it to every request). Loading a cookies file
 * reads the disk: callers on the main thread run it on a pool thread.
 * Nothing here logs or reports a cookie or header value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-request-context"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haul-request-context.h"
#include "haul-types.h"

/* The version of the stored text this build writes and reads. */
#define TEXT_VERSION 1

struct _HaulRequestContext
{
  gatomicrefcount  ref_count;
  gboolean         frozen;
  char            *referrer;
  char            *user_agent;
  GPtrArray       *headers;   /* "Name: value", NULL-terminated */
  GSList          *cookies;   /* owned SoupCookie, in the order added */
  guint            n_cookies;
};

G_DEFINE_BOXED_TYPE (HaulRequestContext, haul_request_context,
                     haul_request_context_ref, haul_request_context_unref)

HAUL_DEFINE_QUARK (haul-request-context-error-quark, haul_request_context_error)

/* Headers Haul sets itself on every request, and why (the sentence ends
 * "…is set by Haul: %s"). Lower case. */
static const struct
{
  const char *name;
  const char *why;
} reserved_headers[] = {
  { "host",              N_("it names the server of each request") },
  { "range",             N_("it asks for the parts of the file Haul still needs") },
  { "if-range",          N_("it checks the file did not change before resuming") },
  { "content-length",    N_("a download sends no body") },
  { "accept-encoding",   N_("the file must arrive exactly as stored on the server") },
  { "transfer-encoding", N_("a download sends no body") },
  { "connection",        N_("Haul manages its own connections") },
  { "authorization",     N_("use a user name and password instead, which are kept in the keyring") },
  { "cookie",            N_("load a cookies file instead: each cookie is sent only to its own site") },
};

HaulRequestContext *
haul_request_context_new (void)
{
  HaulRequestContext *self = g_new0 (HaulRequestContext, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->headers = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  return self;
}

HaulRequestContext *
haul_request_context_ref (HaulRequestContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
haul_request_context_unref (HaulRequestContext *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->referrer);
  g_free (self->user_agent);
  g_ptr_array_unref (self->headers);
  g_slist_free_full (self->cookies, (GDestroyNotify) soup_cookie_free);
  g_free (self);
}

/**
 * haul_request_context_freeze:
 *
 * Makes @self read-only (a download does this when it takes it): after
 * this, any thread may read it and the setters refuse.
 */
void
haul_request_context_freeze (HaulRequestContext *self)
{
  g_return_if_fail (self != NULL);
  self->frozen = TRUE;
}

gboolean
haul_request_context_is_frozen (HaulRequestContext *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->frozen;
}

/* Whether @value may be sent as a header value: UTF-8, no control
 * character but tab, at most HAUL_REQUEST_CONTEXT_MAX_VALUE bytes. */
static gboolean
value_is_safe (const char *value)
{
  gsize len = strlen (value);

  if (len > HAUL_REQUEST_CONTEXT_MAX_VALUE || !g_utf8_validate (value, len, NULL))
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    if (((guchar) *p < 0x20 && *p != '\t') || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* An HTTP token (RFC 9110 §5.6.2). */
static gboolean
name_is_token (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > HAUL_REQUEST_CONTEXT_MAX_NAME)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
check_value (const char  *what,
             const char  *value,
             GError     **error)
{
  if (value_is_safe (value))
    return TRUE;

  if (strlen (value) > HAUL_REQUEST_CONTEXT_MAX_VALUE)
    g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_INVALID,
                 _("The value of %s is too long (at most %d bytes)"),
                 what, HAUL_REQUEST_CONTEXT_MAX_VALUE);
  else
    g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_INVALID,
                 _("The value of %s holds a line break or another control character"), what);
  return FALSE;
}

/**
 * haul_request_context_set_referrer:
 * @referrer: (nullable): an http or https link, or %NULL for none
 *
 * Returns: %FALSE with @error set when @referrer is not such a link
 */
gboolean
haul_request_context_set_referrer (HaulRequestContext  *self,
                                   const char          *referrer,
                                   GError             **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (self != NULL && !self->frozen, FALSE);

  if (referrer != NULL && *referrer == '\0')
    referrer = NULL;
  if (referrer != NULL)
    {
      if (!check_value ("Referer", referrer, error))
        return FALSE;
      uri = g_uri_parse (referrer, G_URI_FLAGS_ENCODED, NULL);
      scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
          (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
        {
          g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_INVALID,
                       _("The referrer must be an http or https link, like https://example.org/page"));
          return FALSE;
        }
    }
  g_free (self->referrer);
  self->referrer = g_strdup (referrer);
  return TRUE;
}

const char *
haul_request_context_get_referrer (HaulRequestContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->referrer;
}

gboolean
haul_request_context_set_user_agent (HaulRequestContext  *self,
                                     const char          *user_agent,
                                     GError             **error)
{
  g_return_val_if_fail (self != NULL && !self->frozen, FALSE);

  if (user_agent != NULL && *user_agent == '\0')
    user_agent = NULL;
  if (user_agent != NULL && !check_value ("User-Agent", user_agent, error))
    return FALSE;
  g_free (self->user_agent);
  self->user_agent = g_strdup (user_agent);
  return TRUE;
}

const char *
haul_request_context_get_user_agent (HaulRequestContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->user_agent;
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (!name_is_token (name))
    {
      g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_INVALID,
                   _("A header name may hold only letters, digits and ! # $ %% & ' * + - . ^ _ ` | ~ (at most %d)"),
                   HAUL_REQUEST_CONTEXT_MAX_NAME);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (reserved_headers); i++)
    if (g_ascii_strcasecmp (name, reserved_headers[i].name) == 0)
      {
        g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_RESERVED,
                     _("The header “%s” is set by Haul: %s"), name, _(reserved_headers[i].why));
        return FALSE;
      }
  return TRUE;
}

/**
 * haul_request_context_add_header:
 *
 * Adds a header sent with every request. "Referer" and "User-Agent" set
 * the referrer and the user agent. Headers Haul sets itself are refused
 * with %HAUL_REQUEST_CONTEXT_ERROR_RESERVED. Leading and trailing spaces
 * of @value are dropped. No message names @value.
 */
gboolean
haul_request_context_add_header (HaulRequestContext  *self,
                                 const char          *name,
                                 const char          *value,
                                 GError             **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (self != NULL && !self->frozen, FALSE);
  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  if (!check_name (name, error))
    return FALSE;

  trimmed = g_strstrip (g_strdup (value));
  if (g_ascii_strcasecmp (name, "Referer") == 0 || g_ascii_strcasecmp (name, "Referrer") == 0)
    return haul_request_context_set_referrer (self, trimmed, error);
  if (g_ascii_strcasecmp (name, "User-Agent") == 0)
    return haul_request_context_set_user_agent (self, trimmed, error);

  what = g_strdup_printf ("“%s”", name);
  if (!check_value (what, trimmed, error))
    return FALSE;
  if (self->headers->len >= HAUL_REQUEST_CONTEXT_MAX_HEADERS)
    {
      g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_TOO_MANY,
                   _("A download can have at most %d extra headers"),
                   HAUL_REQUEST_CONTEXT_MAX_HEADERS);
      return FALSE;
    }
  g_ptr_array_add (self->headers, g_strdup_printf ("%s: %s", name, trimmed));
  return TRUE;
}

/**
 * haul_request_context_add_header_line:
 * @line: "Name: value"
 */
gboolean
haul_request_context_add_header_line (HaulRequestContext  *self,
                                      const char          *line,
                                      GError             **error)
{
  const char *colon;
  g_autofree char *name = NULL;

  g_return_val_if_fail (self != NULL && !self->frozen, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  colon = strchr (line, ':');
  if (colon == NULL)
    {
      g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_INVALID,
                   _("A header must be written “Name: value”, with a colon after the name"));
      return FALSE;
    }
  name = g_strstrip (g_strndup (line, colon - line));
  return haul_request_context_add_header (self, name, colon + 1, error);
}

/**
 * haul_request_context_get_headers:
 *
 * Returns: (transfer none): the extra headers as "Name: value" lines, %NULL-terminated
 */
const char * const *
haul_request_context_get_headers (HaulRequestContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->headers->pdata;
}

/* Whether @cookie can be kept and sent: a domain, and a name and value
 * that fit in a Cookie header. */
static gboolean
cookie_is_usable (SoupCookie *cookie)
{
  const char *name = soup_cookie_get_name (cookie);
  const char *value = soup_cookie_get_value (cookie);
  const char *domain = soup_cookie_get_domain (cookie);
  const char *path = soup_cookie_get_path (cookie);

  if (name == NULL || value == NULL || domain == NULL || *domain == '\0')
    return FALSE;
  if (!value_is_safe (name) || !value_is_safe (value) || !value_is_safe (domain) ||
      (path != NULL && !value_is_safe (path)))
    return FALSE;
  return strpbrk (name, ";=") == NULL && strchr (value, ';') == NULL &&
         strpbrk (domain, " \t;/") == NULL;
}

/**
 * haul_request_context_add_cookie:
 * @cookie: (transfer none): a cookie, copied
 *
 * A cookie that cannot be sent (no domain, a control character, a name
 * with ';' or '=') is left out.
 */
void
haul_request_context_add_cookie (HaulRequestContext *self,
                                 SoupCookie         *cookie)
{
  g_return_if_fail (self != NULL && !self->frozen);
  g_return_if_fail (cookie != NULL);

  if (self->n_cookies >= HAUL_REQUEST_CONTEXT_MAX_COOKIES || !cookie_is_usable (cookie))
    {
      g_debug ("left out a cookie that cannot be sent");
      return;
    }
  self->cookies = g_slist_prepend (self->cookies, soup_cookie_copy (cookie));
  if (soup_cookie_get_path (self->cookies->data) == NULL)
    soup_cookie_set_path (self->cookies->data, "/");
  self->n_cookies++;
}

/**
 * haul_request_context_get_cookies:
 *
 * Returns: (transfer none) (element-type SoupCookie): the cookies, newest first
 */
GSList *
haul_request_context_get_cookies (HaulRequestContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cookies;
}

static gint
longer_path_first (gconstpointer a,
                   gconstpointer b)
{
  gsize la = strlen (soup_cookie_get_path ((SoupCookie *) a));
  gsize lb = strlen (soup_cookie_get_path ((SoupCookie *) b));

  return la < lb ? 1 : la > lb ? -1 : 0;
}

/**
 * haul_request_context_dup_cookie_header:
 *
 * Returns: (nullable): the Cookie header for exactly the cookies that
 *   apply to @uri (domain, host-only, path, secure, expiry), longest path
 *   first, then oldest first; %NULL if none does
 */
char *
haul_request_context_dup_cookie_header (HaulRequestContext *self,
                                        GUri               *uri)
{
  g_autoptr(GSList) matching = NULL;

  g_return_val_if_fail (self != NULL && uri != NULL, NULL);

  if (g_uri_get_host (uri) == NULL)
    return NULL;
  /* soup_cookie_applies_to_uri() checks all but the domain. */
  for (GSList *l = self->cookies; l != NULL; l = l->next)
    if (soup_cookie_domain_matches (l->data, g_uri_get_host (uri)) &&
        soup_cookie_applies_to_uri (l->data, uri))
      matching = g_slist_prepend (matching, l->data);
  if (matching == NULL)
    return NULL;
  matching = g_slist_sort (matching, longer_path_first);
  return soup_cookies_to_cookie_header (matching);
}

static void
starting_cb (SoupMessage *msg,
             const char  *user_agent)
{
  /* The session replaces User-Agent just before "starting". */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "User-Agent", user_agent);
}

/**
 * haul_request_context_apply:
 * @self: (nullable): a context, or %NULL for none
 *
 * Sets Referer, User-Agent, the extra headers and the Cookie header for
 * the message's own URI on @msg. Called on every request, each redirect
 * hop included, so that cookies follow their domain, never the download.
 */
void
haul_request_context_apply (HaulRequestContext *self,
                            SoupMessage        *msg)
{
  SoupMessageHeaders *req;
  g_autofree char *cookie = NULL;

  g_return_if_fail (SOUP_IS_MESSAGE (msg));

  if (self == NULL)
    return;

  req = soup_message_get_request_headers (msg);
  if (self->referrer != NULL)
    soup_message_headers_replace (req, "Referer", self->referrer);
  if (self->user_agent != NULL)
    {
      soup_message_headers_replace (req, "User-Agent", self->user_agent);
      g_signal_connect_data (msg, "starting", G_CALLBACK (starting_cb),
                             g_strdup (self->user_agent), (GClosureNotify) (void (*) (void)) g_free, 0);
    }
  for (guint i = 0; i < self->headers->len; i++)
    {
      const char *line = g_ptr_array_index (self->headers, i);
      const char *colon = strchr (line, ':');
      g_autofree char *name = g_strndup (line, colon - line);

      soup_message_headers_append (req, name, colon + 2);
    }

  cookie = haul_request_context_dup_cookie_header (self, soup_message_get_uri (msg));
  if (cookie != NULL)
    soup_message_headers_replace (req, "Cookie", cookie);
  else
    soup_message_headers_remove (req, "Cookie");
}

gboolean
haul_request_context_is_empty (HaulRequestContext *self)
{
  return self == NULL ||
         (self->referrer == NULL && self->user_agent == NULL &&
          self->headers->len == 0 && self->cookies == NULL);
}

/**
 * haul_request_context_describe:
 *
 * Returns: (nullable): a sentence for a person, like "3 cookies, referrer
 *   example.org, 2 extra headers", naming no value but the referrer's
 *   host; %NULL when @self is empty
 */
char *
haul_request_context_describe (HaulRequestContext *self)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (haul_request_context_is_empty (self))
    return NULL;

  if (self->n_cookies > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u cookie", "%u cookies",
                                                          self->n_cookies),
                                             self->n_cookies));
  if (self->referrer != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (self->referrer, G_URI_FLAGS_ENCODED, NULL);
      const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

      /* TRANSLATORS: %s is a server name, like example.org */
      g_ptr_array_add (parts, g_strdup_printf (_("referrer %s"), host != NULL ? host : "?"));
    }
  if (self->user_agent != NULL)
    g_ptr_array_add (parts, g_strdup (_("own user agent")));
  if (self->headers->len > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u extra header",
                                                          "%u extra headers", self->headers->len),
                                             self->headers->len));
  g_ptr_array_add (parts, NULL);
  /* TRANSLATORS: the separator between the parts of "3 cookies, referrer example.org" */
  return g_strjoinv (_(", "), (char **) parts->pdata);
}

/* The registrable domain of @host ("www.example.co.uk" → "example.co.uk"),
 * or @host itself when it has none (an address, "localhost"). */
static char *
site_of (const char *host)
{
  const char *base;

  while (*host == '.')
    host++;
  base = soup_tld_get_base_domain (host, NULL);
  return g_ascii_strdown (base != NULL ? base : host, -1);
}

/**
 * haul_request_context_copy_for_site:
 * @uri: the download's link
 *
 * A new, unfrozen copy of @self with only the cookies of the site of @uri
 * (its registrable domain and every name under it): a whole browser's
 * cookies.txt is not kept with one download.
 *
 * Returns: (transfer full): the copy
 */
HaulRequestContext *
haul_request_context_copy_for_site (HaulRequestContext *self,
                                    const char         *uri)
{
  HaulRequestContext *copy = haul_request_context_new ();
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *site = NULL;

  g_return_val_if_fail (self != NULL, copy);

  copy->referrer = g_strdup (self->referrer);
  copy->user_agent = g_strdup (self->user_agent);
  for (guint i = 0; i < self->headers->len; i++)
    g_ptr_array_add (copy->headers, g_strdup (g_ptr_array_index (self->headers, i)));

  if (parsed == NULL || g_uri_get_host (parsed) == NULL)
    return copy;
  site = site_of (g_uri_get_host (parsed));
  for (GSList *l = self->cookies; l != NULL; l = l->next)
    {
      g_autofree char *cookie_site = site_of (soup_cookie_get_domain (l->data));

      if (g_strcmp0 (site, cookie_site) == 0)
        {
          copy->cookies = g_slist_prepend (copy->cookies, soup_cookie_copy (l->data));
          copy->n_cookies++;
        }
    }
  copy->cookies = g_slist_reverse (copy->cookies);
  return copy;
}

/* Whether @contents (cookies.txt) has lines that hold data but none with
 * the seven tab-separated fields of the format. */
static gboolean
looks_like_other_text (const char *contents)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  guint n_data = 0;
  guint n_cookies = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);
      guint tabs = 0;

      if (*line == '\0' || (*line == '#' && !g_str_has_prefix (line, "#HttpOnly_")))
        continue;
      n_data++;
      for (const char *p = line; *p != '\0'; p++)
        tabs += *p == '\t';
      n_cookies += tabs >= 6;
    }
  return n_data > 0 && n_cookies == 0;
}

/* Reads @fd (at most HAUL_REQUEST_CONTEXT_MAX_FILE bytes), and checks it
 * is text. Returns: (transfer full) (nullable): the text */
static char *
read_cookies_text (int           fd,
                   const char   *display,
                   GError      **error)
{
  g_autofree char *contents = g_malloc (HAUL_REQUEST_CONTEXT_MAX_FILE + 1);
  gsize len = 0;

  while (len <= HAUL_REQUEST_CONTEXT_MAX_FILE)
    {
      gssize n = read (fd, contents + len, HAUL_REQUEST_CONTEXT_MAX_FILE + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
                       _("Could not read the cookies file “%s”: %s"), display, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      len += n;
    }
  if (len > HAUL_REQUEST_CONTEXT_MAX_FILE)
    {
      g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
                   _("The cookies file “%s” is too big (at most %d MB)"), display,
                   HAUL_REQUEST_CONTEXT_MAX_FILE / (1024 * 1024));
      return NULL;
    }
  contents[len] = '\0';
  if (memchr (contents, '\0', len) != NULL || !g_utf8_validate (contents, len, NULL))
    {
      g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
                   _("“%s” is not a cookies file: it is not text"), display);
      return NULL;
    }
  if (looks_like_other_text (contents))
    {
      g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
                   _("“%s” is not a cookies.txt file: each line should hold seven fields separated by tabs"),
                   display);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

/* One line of cookies.txt: DOMAIN, INCLUDE-SUBDOMAINS, PATH, SECURE,
 * EXPIRES (Unix seconds, 0: a session cookie), NAME, VALUE, separated by
 * tabs; "#HttpOnly_" before DOMAIN marks an HttpOnly cookie (curl). A
 * line with missing or bad fields, or an expired cookie, gives NULL. */
static SoupCookie *
parse_cookie_line (char   *line,
                   gint64  now)
{
  g_auto(GStrv) f = NULL;
  gboolean http_only = FALSE;
  g_autofree char *domain = NULL;
  SoupCookie *cookie;
  guint64 expires;

  if (g_str_has_prefix (line, "#HttpOnly_"))
    {
      http_only = TRUE;
      line += strlen ("#HttpOnly_");
    }
  f = g_strsplit (line, "\t", 7);
  if (g_strv_length (f) != 7 || *f[0] == '\0' || !g_ascii_string_to_unsigned (f[4], 10, 0, G_MAXINT64, &expires, NULL))
    return NULL;
  if (expires != 0 && (gint64) expires <= now)
    return NULL;

  /* The flag says whether subdomains get it; libsoup says that with a
   * leading dot. */
  if (g_ascii_strcasecmp (f[1], "TRUE") == 0 && f[0][0] != '.')
    domain = g_strconcat (".", f[0], NULL);
  else
    domain = g_strdup (f[0]);

  cookie = soup_cookie_new (f[5], f[6], domain, *f[2] != '\0' ? f[2] : "/", -1);
  if (expires != 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc ((gint64) MIN (expires, G_GINT64_CONSTANT (253402300799)));

      soup_cookie_set_expires (cookie, when);
    }
  soup_cookie_set_secure (cookie, g_ascii_strcasecmp (f[3], "TRUE") == 0);
  soup_cookie_set_http_only (cookie, http_only);
  return cookie;
}

/* Adds the cookies of @contents, or none with @error set when there are
 * too many. */
static gboolean
add_cookies_text (HaulRequestContext  *self,
                  char                *contents,
                  const char          *display,
                  GError             **error)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GPtrArray) cookies = g_ptr_array_new_with_free_func ((GDestroyNotify) soup_cookie_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strchomp (lines[i]);   /* "\r\n" too */
      SoupCookie *cookie;

      if (*line == '\0' || (*line == '#' && !g_str_has_prefix (line, "#HttpOnly_")))
        continue;
      cookie = parse_cookie_line (line, now);
      if (cookie == NULL)
        continue;
      if (self->n_cookies + cookies->len >= HAUL_REQUEST_CONTEXT_MAX_COOKIES)
        {
          soup_cookie_free (cookie);
          g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_TOO_MANY,
                       _("The cookies file “%s” holds more than %d cookies"), display,
                       HAUL_REQUEST_CONTEXT_MAX_COOKIES);
          return FALSE;
        }
      g_ptr_array_add (cookies, cookie);
    }
  for (guint i = 0; i < cookies->len; i++)
    haul_request_context_add_cookie (self, g_ptr_array_index (cookies, i));
  return TRUE;
}

/* Opens @path for reading without following it into a FIFO or a device,
 * and checks it is a regular file of a sane size. Returns the fd or -1. */
static int
open_cookies_file (const char  *path,
                   const char  *display,
                   GError     **error)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  int saved_errno = errno;

  if (fd < 0)
    {
      g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
                   _("Could not open the cookies file “%s”: %s"), display, g_strerror (saved_errno));
      return -1;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      if (S_ISDIR (st.st_mode))
        g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
                     _("“%s” is a folder, not a cookies file"), display);
      else
        g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
                     _("“%s” is not a regular file"), display);
      close (fd);
      return -1;
    }
  if (st.st_size > HAUL_REQUEST_CONTEXT_MAX_FILE)
    {
      g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_COOKIES_FILE,
                   _("The cookies file “%s” is too big (at most %d MB)"), display,
                   HAUL_REQUEST_CONTEXT_MAX_FILE / (1024 * 1024));
      close (fd);
      return -1;
    }
  return fd;
}

/**
 * haul_request_context_load_cookies_file:
 * @path: a Netscape cookies.txt file (as curl, wget and browser add-ons write)
 *
 * Adds the cookies of @path that have not expired (session cookies, with
 * an expiry of 0, included); lines that are not cookies are skipped.
 * Blocks on the disk: call it off the main thread. A folder, anything but
 * a regular file, a file over %HAUL_REQUEST_CONTEXT_MAX_FILE, binary data
 * or text without a single cookies.txt line is refused with a sentence
 * naming the file, and adds nothing.
 *
 * Not SoupCookieJarText: libsoup 3.2's drops session cookies (expiry 0,
 * which is how curl and browser add-ons write a login's cookie) and
 * turns expiry dates after 2038 into other dates (an int max-age).
 */
gboolean
haul_request_context_load_cookies_file (HaulRequestContext  *self,
                                        const char          *path,
                                        GError             **error)
{
  g_autofree char *display = NULL;
  g_autofree char *contents = NULL;
  int fd;

  g_return_val_if_fail (self != NULL && !self->frozen, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  display = g_filename_display_name (path);
  fd = open_cookies_file (path, display, error);
  if (fd < 0)
    return FALSE;
  contents = read_cookies_text (fd, display, error);
  close (fd);
  if (contents == NULL)
    return FALSE;
  return add_cookies_text (self, contents, display, error);
}

/**
 * haul_request_context_to_string:
 *
 * Returns: the text the store keeps: a GVariant a{sv} in text form
 */
char *
haul_request_context_to_string (HaulRequestContext *self)
{
  GVariantBuilder b;
  g_autoptr(GVariant) v = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "version", g_variant_new_uint32 (TEXT_VERSION));
  if (self->referrer != NULL)
    g_variant_builder_add (&b, "{sv}", "referrer", g_variant_new_string (self->referrer));
  if (self->user_agent != NULL)
    g_variant_builder_add (&b, "{sv}", "user-agent", g_variant_new_string (self->user_agent));
  if (self->headers->len > 0)
    g_variant_builder_add (&b, "{sv}", "headers",
                           g_variant_new_strv ((const char * const *) self->headers->pdata, -1));
  if (self->cookies != NULL)
    {
      GVariantBuilder cb;
      g_autoptr(GSList) oldest_first = g_slist_reverse (g_slist_copy (self->cookies));

      g_variant_builder_init (&cb, G_VARIANT_TYPE ("a(ssssxbbi)"));
      for (GSList *l = oldest_first; l != NULL; l = l->next)
        {
          SoupCookie *c = l->data;
          GDateTime *expires = soup_cookie_get_expires (c);

          g_variant_builder_add (&cb, "(ssssxbbi)", soup_cookie_get_name (c), soup_cookie_get_value (c),
                                 soup_cookie_get_domain (c), soup_cookie_get_path (c),
                                 expires != NULL ? g_date_time_to_unix (expires) : (gint64) -1,
                                 soup_cookie_get_secure (c), soup_cookie_get_http_only (c),
                                 (gint32) soup_cookie_get_same_site_policy (c));
        }
      g_variant_builder_add (&b, "{sv}", "cookies", g_variant_builder_end (&cb));
    }
  v = g_variant_ref_sink (g_variant_builder_end (&b));
  return g_variant_print (v, TRUE);
}

static gboolean
damaged (GError **error)
{
  g_set_error (error, HAUL_REQUEST_CONTEXT_ERROR, HAUL_REQUEST_CONTEXT_ERROR_DAMAGED,
               _("The saved cookies and headers of this download are damaged"));
  return FALSE;
}

static gboolean
take_cookies (HaulRequestContext  *self,
              GVariant            *cookies,
              GError             **error)
{
  GVariantIter iter;
  const char *name, *value, *domain, *path;
  gint64 expires;
  gboolean secure, http_only;
  gint32 same_site;

  if (g_variant_n_children (cookies) > HAUL_REQUEST_CONTEXT_MAX_COOKIES)
    return damaged (error);
  g_variant_iter_init (&iter, cookies);
  while (g_variant_iter_next (&iter, "(&s&s&s&sxbbi)", &name, &value, &domain, &path,
                              &expires, &secure, &http_only, &same_site))
    {
      g_autoptr(SoupCookie) cookie = NULL;

      if (*domain == '\0' || same_site < SOUP_SAME_SITE_POLICY_NONE ||
          same_site > SOUP_SAME_SITE_POLICY_STRICT || expires < -1 || expires > G_GINT64_CONSTANT (253402300799))
        return damaged (error);
      cookie = soup_cookie_new (name, value, domain, *path != '\0' ? path : "/", -1);
      if (expires >= 0)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (expires);

          soup_cookie_set_expires (cookie, when);
        }
      soup_cookie_set_secure (cookie, secure);
      soup_cookie_set_http_only (cookie, http_only);
      soup_cookie_set_same_site_policy (cookie, same_site);
      if (!cookie_is_usable (cookie))
        return damaged (error);
      haul_request_context_add_cookie (self, cookie);
    }
  return TRUE;
}

static gboolean
take_entry (HaulRequestContext  *self,
            const char          *key,
            GVariant            *value,
            GError             **error)
{
  if (g_str_equal (key, "referrer") || g_str_equal (key, "user-agent"))
    {
      gboolean ok;

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        return damaged (error);
      if (g_str_equal (key, "referrer"))
        ok = haul_request_context_set_referrer (self, g_variant_get_string (value, NULL), NULL);
      else
        ok = haul_request_context_set_user_agent (self, g_variant_get_string (value, NULL), NULL);
      return ok || damaged (error);
    }
  if (g_str_equal (key, "headers"))
    {
      g_autofree const char **lines = NULL;

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
        return damaged (error);
      lines = g_variant_get_strv (value, NULL);
      for (guint i = 0; lines[i] != NULL; i++)
        if (!haul_request_context_add_header_line (self, lines[i], NULL))
          return damaged (error);
      return TRUE;
    }
  if (g_str_equal (key, "cookies"))
    {
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE ("a(ssssxbbi)")))
        return damaged (error);
      return take_cookies (self, value, error);
    }
  return TRUE;  /* "version", or a key this build does not know */
}

/**
 * haul_request_context_new_from_string:
 * @text: what haul_request_context_to_string() made
 *
 * Reads stored text back, checking every value as the setters do.
 * Damaged, hostile or oversized text is an error that names nothing of
 * the text.
 *
 * Returns: (transfer full) (nullable): an unfrozen context
 */
HaulRequestContext *
haul_request_context_new_from_string (const char  *text,
                                      GError     **error)
{
  g_autoptr(HaulRequestContext) self = NULL;
  g_autoptr(GVariant) v = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;
  guint32 version;

  if (text == NULL || strnlen (text, HAUL_REQUEST_CONTEXT_MAX_TEXT + 1) > HAUL_REQUEST_CONTEXT_MAX_TEXT ||
      !g_utf8_validate (text, -1, NULL))
    {
      damaged (error);
      return NULL;
    }

  v = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL);
  if (v == NULL || !g_variant_lookup (v, "version", "u", &version) || version != TEXT_VERSION)
    {
      damaged (error);
      return NULL;
    }

  self = haul_request_context_new ();
  g_variant_iter_init (&iter, v);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    if (!take_entry (self, key, value, error))
      {
        g_variant_unref (value);
        return NULL;
      }
  return g_steal_pointer (&self);
}

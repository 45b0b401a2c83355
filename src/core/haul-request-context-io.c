/* haul-request-context-io.c — a request context from and to text: a
 * Netscape cookies.txt file, and the form the store keeps
 *
 * Reading a cookies file blocks on the disk: call it off the main thread
 * (the Add dialog and the window's command line use
 * haul_request_context_load_cookies_file_async(), on GLib's pool; the
 * terminal has no window to keep smooth). Parsing the stored text is pure
 * and runs on the main thread when the list is restored. Neither ever puts
 * a cookie or header value in an error.
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

#include "haul-request-context-private.h"

/* The version of the stored text this build writes and reads. */
#define TEXT_VERSION 1

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

static void
load_cookies_file_thread (GTask        *task,
                          gpointer      source,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  g_autoptr(HaulRequestContext) ctx = haul_request_context_new ();
  GError *error = NULL;

  if (haul_request_context_load_cookies_file (ctx, task_data, &error))
    g_task_return_pointer (task, g_steal_pointer (&ctx), (GDestroyNotify) haul_request_context_unref);
  else
    g_task_return_error (task, error);
}

/**
 * haul_request_context_load_cookies_file_async:
 * @path: a Netscape cookies.txt file
 *
 * Reads @path into a new request context on GLib's pool, as
 * haul_request_context_load_cookies_file() would.
 */
void
haul_request_context_load_cookies_file_async (const char          *path,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, haul_request_context_load_cookies_file_async);
  g_task_set_name (task, "[haul] cookies file");
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, load_cookies_file_thread);
}

/**
 * haul_request_context_load_cookies_file_finish:
 *
 * Returns: (transfer full): a new request context holding the file's
 *   cookies, or %NULL with @error set (%G_IO_ERROR_CANCELLED if cancelled)
 */
HaulRequestContext *
haul_request_context_load_cookies_file_finish (GAsyncResult  *result,
                                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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
      if (!_haul_request_context_cookie_is_usable (cookie))
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

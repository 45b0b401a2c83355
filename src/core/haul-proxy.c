/* haul-proxy.c — proxy addresses, the resolver of each mode, and the
 * messages of a proxy that fails (see haul-proxy.h)
 *
 * Thread: any; haul_proxy_set_error() asks the job's resolver, so it
 * runs on the worker that got the error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-proxy"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "haul-auth.h"
#include "haul-download.h"
#include "haul-proxy.h"
#include "haul-transfer.h"
#include "haul-types.h"

HAUL_DEFINE_QUARK (haul-proxy-error-quark, haul_proxy_error)

gboolean
haul_proxy_mode_from_string (const char    *text,
                             HaulProxyMode *mode)
{
  static const char * const names[] = { "system", "none", "manual" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i]) == 0)
      {
        *mode = (HaulProxyMode) i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
invalid (GError     **error,
         const char  *field,
         const char  *text,
         const char  *why)
{
  g_set_error (error, HAUL_PROXY_ERROR, HAUL_PROXY_ERROR_INVALID,
               /* Translators: the first %s is a field or option ("HTTP Proxy",
                * "--proxy"), the second what was typed, the third why it is refused */
               _("%s: “%s” is not a proxy address: %s"), field, text, why);
  return FALSE;
}

static gboolean
is_host_name (const char *host)
{
  if (*host == '\0' || strlen (host) > 253)
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;
  return host[0] != '.' && host[0] != '-';
}

/* "host:port" or "[v6]:port", nothing else. */
static gboolean
split_host_port (const char  *field,
                 const char  *text,
                 const char  *shown,
                 char       **host,
                 guint16     *port,
                 GError     **error)
{
  const char *colon;
  g_autofree char *h = NULL;
  guint64 number;
  char *end;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL)
        return invalid (error, field, shown, _("the closing bracket of the IPv6 address is missing"));
      h = g_strndup (text + 1, close - text - 1);
      if (!g_hostname_is_ip_address (h) || strchr (h, ':') == NULL)
        return invalid (error, field, shown, _("there is no IPv6 address between the brackets"));
      if (close[1] != ':')
        return invalid (error, field, shown, _("the port is missing (host:port)"));
      colon = close + 1;
    }
  else
    {
      colon = strrchr (text, ':');
      if (colon != NULL && strchr (text, ':') != colon)
        return invalid (error, field, shown, _("put an IPv6 address in brackets, like [::1]:1080"));
      if (colon == NULL)
        return invalid (error, field, shown, _("the port is missing (host:port)"));
      h = g_strndup (text, colon - text);
      if (!is_host_name (h))
        return invalid (error, field, shown, _("the host name may hold only letters, digits, dots and hyphens"));
    }

  errno = 0;
  number = g_ascii_strtoull (colon + 1, &end, 10);
  if (colon[1] == '\0' || !g_ascii_isdigit (colon[1]) || *end != '\0' || errno != 0 ||
      number < 1 || number > 65535)
    return invalid (error, field, shown, _("the port must be from 1 to 65535"));
  if (host != NULL)
    *host = g_steal_pointer (&h);
  if (port != NULL)
    *port = (guint16) number;
  return TRUE;
}

/**
 * haul_proxy_check_address:
 * @field: the field or option the text comes from, for the message
 * @text: "host:port" or "[IPv6]:port"
 *
 * Returns: whether @text is a proxy address; @host (IPv6 without
 * brackets) and @port when it is.
 */
gboolean
haul_proxy_check_address (const char  *field,
                          const char  *text,
                          char       **host,
                          guint16     *port,
                          GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);

  if (strstr (text, "://") != NULL)
    return invalid (error, field, text, _("write only the host and the port, like proxy.example:3128"));
  if (strpbrk (text, "/?#@ \t") != NULL)
    return invalid (error, field, text, _("write only the host and the port, like proxy.example:3128"));
  return split_host_port (field, text, text, host, port, error);
}

/**
 * haul_proxy_split_hosts:
 * @text: hosts separated by commas (and spaces)
 *
 * Returns: (transfer full): the non-empty entries
 */
char **
haul_proxy_split_hosts (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text != NULL ? text : "", ", \t\n", -1);
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (out, parts[i]);
  return g_strv_builder_end (out);
}

/**
 * haul_proxy_check_ignore_hosts:
 *
 * Host names, ".domain" or "*.domain", IP addresses, "address/bits",
 * each with an optional ":port" — what GSimpleProxyResolver understands.
 */
gboolean
haul_proxy_check_ignore_hosts (const char         *field,
                               const char * const *hosts,
                               GError            **error)
{
  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    {
      const char *h = hosts[i];
      const char *slash = strchr (h, '/');
      g_autofree char *base = g_strndup (h, slash != NULL ? (gsize) (slash - h) : strlen (h));
      const char *name = base;
      gboolean ok;

      if (g_str_has_prefix (name, "*."))
        name += 2;
      else if (name[0] == '.')
        name += 1;
      ok = g_hostname_is_ip_address (name) || is_host_name (name);
      if (ok && slash != NULL)
        {
          char *end;
          guint64 bits = g_ascii_strtoull (slash + 1, &end, 10);

          ok = g_hostname_is_ip_address (base) && g_ascii_isdigit (slash[1]) && *end == '\0' &&
               bits <= (strchr (base, ':') != NULL ? 128u : 32u);
        }
      if (!ok && slash == NULL && strrchr (h, ':') != NULL && strchr (h, ':') == strrchr (h, ':'))
        ok = split_host_port (field, h, h, NULL, NULL, NULL);
      if (!ok)
        {
          g_set_error (error, HAUL_PROXY_ERROR, HAUL_PROXY_ERROR_INVALID,
                       _("%s: “%s” is not a host name, a domain, an address or a network "
                         "(like example.org, .example.org, 10.0.0.0/8)"), field, h);
          return FALSE;
        }
    }
  return TRUE;
}

/* The URL as it may be shown: scheme://host:port, never its user info. */
static char *
shown_url (const char *text)
{
  const char *sep = strstr (text, "://");
  const char *at = strrchr (text, '@');

  if (sep == NULL || at == NULL)
    return g_strdup (text);
  return g_strdup_printf ("%.*s://%s", (int) (sep - text), text, at + 1);
}

void
haul_proxy_url_free (HaulProxyUrl *url)
{
  if (url == NULL)
    return;
  g_free (url->scheme);
  g_free (url->host);
  g_free (url->user);
  haul_auth_wipe (&url->password);
  g_free (url);
}

/**
 * haul_proxy_url_parse:
 * @option: the option, for the message ("--proxy")
 * @text: scheme://[user[:password]@]host:port[/]; http, https, socks5, socks5h
 *
 * Returns: (transfer full) (nullable): the parts, or %NULL with a message
 * that never holds the password.
 */
HaulProxyUrl *
haul_proxy_url_parse (const char  *option,
                      const char  *text,
                      GError     **error)
{
  g_autofree char *shown = shown_url (text);
  g_autoptr(HaulProxyUrl) url = g_new0 (HaulProxyUrl, 1);
  const char *sep = strstr (text, "://");
  const char *rest, *at;
  g_autofree char *authority = NULL;
  gsize len;

  if (sep == NULL)
    {
      invalid (error, option, shown,
               _("start it with http://, https://, socks5:// or socks5h://"));
      return NULL;
    }
  url->scheme = g_ascii_strdown (text, sep - text);
  if (g_strcmp0 (url->scheme, "socks5h") == 0)
    {
      g_free (url->scheme);
      url->scheme = g_strdup ("socks5");
    }
  if (strcmp (url->scheme, "http") != 0 && strcmp (url->scheme, "https") != 0 &&
      strcmp (url->scheme, "socks5") != 0)
    {
      invalid (error, option, shown,
               _("start it with http://, https://, socks5:// or socks5h://"));
      return NULL;
    }
  rest = sep + 3;
  at = strrchr (rest, '@');
  if (at != NULL)
    {
      g_autofree char *info = g_strndup (rest, at - rest);
      const char *colon = strchr (info, ':');

      url->user = g_uri_unescape_segment (info, colon, NULL);
      url->password = colon != NULL ? g_uri_unescape_string (colon + 1, NULL) : NULL;
      if (url->user == NULL || *url->user == '\0' || (colon != NULL && url->password == NULL))
        {
          invalid (error, option, shown, _("the user name or password is not written correctly"));
          return NULL;
        }
      rest = at + 1;
    }
  len = strlen (rest);
  if (len > 0 && rest[len - 1] == '/')
    len--;
  authority = g_strndup (rest, len);
  if (strpbrk (authority, "/?#@ \t") != NULL)
    {
      invalid (error, option, shown, _("a proxy address has no path"));
      return NULL;
    }
  if (!split_host_port (option, authority, shown, &url->host, &url->port, error))
    return NULL;
  return g_steal_pointer (&url);
}

/**
 * haul_proxy_resolver_new_none:
 *
 * Returns: (transfer full): a resolver that connects directly, whatever
 * http_proxy, all_proxy or the system's settings say.
 */
GProxyResolver *
haul_proxy_resolver_new_none (void)
{
  return g_simple_proxy_resolver_new ("direct://", NULL);
}

static char *
proxy_uri (const char *scheme,
           const char *host,
           guint16     port,
           const char *user,
           const char *password)
{
  return g_uri_join_with_user (G_URI_FLAGS_HAS_PASSWORD, scheme, user, password, NULL,
                               host, port, "", NULL, NULL);
}

/**
 * haul_proxy_resolver_new_manual:
 * @http: (nullable): "host:port" for http links, or empty
 * @https: (nullable): "host:port" for https links (CONNECT), or empty
 * @socks: (nullable): "host:port" of a SOCKS5 proxy for the rest, or empty
 * @ignore_hosts: (nullable): reached directly
 * @user: (nullable): the SOCKS5 proxy's user (the HTTP proxies' comes
 *   through haul_queue_set_proxy_credentials())
 * @password: (nullable): its password
 *
 * Returns: (transfer full) (nullable): the resolver, or %NULL with a
 * message naming the field that is wrong.
 */
GProxyResolver *
haul_proxy_resolver_new_manual (const char         *http,
                                const char         *https,
                                const char         *socks,
                                const char * const *ignore_hosts,
                                const char         *user,
                                const char         *password,
                                GError            **error)
{
  const char *texts[] = { http, https, socks };
  const char *fields[] = { _("HTTP Proxy"), _("HTTPS Proxy"), _("SOCKS5 Proxy") };
  char *hosts[3] = { NULL, NULL, NULL };
  guint16 ports[3] = { 0, 0, 0 };
  g_autofree char *fallback = NULL;
  GProxyResolver *resolver;

  for (guint i = 0; i < 3; i++)
    if (texts[i] != NULL && *texts[i] != '\0' &&
        !haul_proxy_check_address (fields[i], texts[i], &hosts[i], &ports[i], error))
      {
        for (guint j = 0; j < 3; j++)
          g_free (hosts[j]);
        return NULL;
      }
  if (!haul_proxy_check_ignore_hosts (_("Hosts Without Proxy"), ignore_hosts, error))
    {
      for (guint j = 0; j < 3; j++)
        g_free (hosts[j]);
      return NULL;
    }

  if (hosts[2] != NULL)
    fallback = proxy_uri ("socks5", hosts[2], ports[2], user != NULL && *user != '\0' ? user : NULL,
                          user != NULL && *user != '\0' ? password : NULL);
  resolver = g_simple_proxy_resolver_new (fallback != NULL ? fallback : "direct://",
                                          (char **) ignore_hosts);
  for (guint i = 0; i < 2; i++)
    if (hosts[i] != NULL)
      {
        g_autofree char *uri = proxy_uri ("http", hosts[i], ports[i], NULL, NULL);

        g_simple_proxy_resolver_set_uri_proxy (G_SIMPLE_PROXY_RESOLVER (resolver),
                                               i == 0 ? "http" : "https", uri);
      }
  haul_auth_wipe (&fallback);
  for (guint j = 0; j < 3; j++)
    g_free (hosts[j]);
  return resolver;
}

/**
 * haul_proxy_resolver_new_for_url:
 *
 * Returns: (transfer full): every link through @url's proxy (its user
 * and password in the URI for SOCKS5; for an HTTP proxy give them to
 * haul_queue_set_proxy_credentials()).
 */
GProxyResolver *
haul_proxy_resolver_new_for_url (const HaulProxyUrl *url)
{
  gboolean socks = strcmp (url->scheme, "socks5") == 0;
  g_autofree char *uri = proxy_uri (url->scheme, url->host, url->port,
                                    socks ? url->user : NULL, socks ? url->password : NULL);
  GProxyResolver *resolver = g_simple_proxy_resolver_new (uri, NULL);

  haul_auth_wipe (&uri);
  return resolver;
}

/* The proxy @uri goes through ("host:port"), or NULL when it goes direct. */
static char *
proxy_for (GProxyResolver *resolver,
           GUri           *uri)
{
  g_autofree char *text = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO);
  g_auto(GStrv) proxies = g_proxy_resolver_lookup (resolver, text, NULL, NULL);
  g_autoptr(GUri) proxy = NULL;

  if (proxies == NULL || proxies[0] == NULL || g_str_has_prefix (proxies[0], "direct:"))
    return NULL;
  proxy = g_uri_parse (proxies[0], G_URI_FLAGS_NONE, NULL);
  if (proxy == NULL || g_uri_get_host (proxy) == NULL)
    return NULL;
  if (strchr (g_uri_get_host (proxy), ':') != NULL)
    return g_strdup_printf ("[%s]:%d", g_uri_get_host (proxy), g_uri_get_port (proxy));
  return g_strdup_printf ("%s:%d", g_uri_get_host (proxy), g_uri_get_port (proxy));
}

static void
note_auth (HaulJob    *job,
           gboolean    refused,
           const char *proxy)
{
  if (job == NULL)
    return;
  job->result_auth = HAUL_DOWNLOAD_AUTH_PROXY;
  job->result_auth_refused = refused;
  g_free (job->result_auth_realm);
  job->result_auth_realm = NULL;
  g_free (job->result_auth_host);
  job->result_auth_host = g_strdup (proxy);
}

/**
 * haul_proxy_set_error:
 * @cause: what the connection to @uri failed with
 * @resolver: (nullable): the attempt's resolver (%NULL: GLib's default)
 * @results: (nullable): the job whose auth results are set (only the
 *   attempt's own thread may pass it)
 *
 * When @uri goes through a proxy and @cause is the proxy's doing (it is
 * down, refuses, is not found, refused the password, could not reach
 * the server), sets @error to a message naming the proxy and returns
 * %TRUE: %HAUL_TRANSFER_ERROR_NETWORK (retried like any network error:
 * a proxy that restarts comes back) or %HAUL_TRANSFER_ERROR_PROXY_AUTH
 * (the download waits for a password, like a 407).
 */
gboolean
haul_proxy_set_error (GError         **error,
                      const GError    *cause,
                      GProxyResolver  *resolver,
                      GUri            *uri,
                      HaulJob         *results)
{
  HaulJob *job = results;
  gboolean through = cause->message != NULL && strstr (cause->message, "SOCKS") != NULL;
  g_autofree char *proxy = NULL;

  if (cause->domain != G_IO_ERROR && cause->domain != G_RESOLVER_ERROR)
    return FALSE;
  proxy = proxy_for (resolver != NULL ? resolver : g_proxy_resolver_get_default (), uri);
  if (proxy == NULL)
    return FALSE;

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED))
    {
      note_auth (job, TRUE, proxy);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_PROXY_AUTH,
                   _("The proxy %s did not accept the user name and password"), proxy);
    }
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PROXY_NEED_AUTH))
    {
      note_auth (job, FALSE, proxy);
      g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_PROXY_AUTH,
                   _("The proxy %s asks for a user name and password"), proxy);
    }
  else if (cause->domain == G_RESOLVER_ERROR)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NETWORK,
                 _("Could not find the proxy %s"), proxy);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PROXY_NOT_ALLOWED) || through)
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NETWORK,
                 _("The proxy %s could not reach “%s”: %s"), proxy, g_uri_get_host (uri),
                 cause->message);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NETWORK,
                 _("Could not connect to the proxy %s: %s"), proxy, g_strerror (ECONNREFUSED));
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    g_set_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_NETWORK,
                 _("Could not connect to the proxy %s: %s"), proxy, cause->message);
  else
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* A resolver that refuses: settings that cannot be used never mean
 * "connect directly" (traffic would go around the proxy someone relies
 * on); every connection fails with what is wrong instead. */

#define HAUL_TYPE_REFUSING_RESOLVER (haul_refusing_resolver_get_type ())
G_DECLARE_FINAL_TYPE (HaulRefusingResolver, haul_refusing_resolver, HAUL, REFUSING_RESOLVER, GObject)

struct _HaulRefusingResolver
{
  GObject  parent_instance;
  char    *reason;
};

static void haul_refusing_resolver_iface_init (GProxyResolverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulRefusingResolver, haul_refusing_resolver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY_RESOLVER,
                                                      haul_refusing_resolver_iface_init))

static gchar **
refusing_lookup (GProxyResolver  *resolver,
                 const gchar     *uri,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                       HAUL_REFUSING_RESOLVER (resolver)->reason);
  return NULL;
}

static void
refusing_lookup_async (GProxyResolver      *resolver,
                       const gchar         *uri,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_set_source_tag (task, refusing_lookup_async);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED, "%s",
                           HAUL_REFUSING_RESOLVER (resolver)->reason);
}

static gchar **
refusing_lookup_finish (GProxyResolver  *resolver,
                        GAsyncResult    *result,
                        GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
haul_refusing_resolver_iface_init (GProxyResolverInterface *iface)
{
  iface->lookup = refusing_lookup;
  iface->lookup_async = refusing_lookup_async;
  iface->lookup_finish = refusing_lookup_finish;
}

static void
haul_refusing_resolver_finalize (GObject *object)
{
  g_free (HAUL_REFUSING_RESOLVER (object)->reason);
  G_OBJECT_CLASS (haul_refusing_resolver_parent_class)->finalize (object);
}

static void
haul_refusing_resolver_class_init (HaulRefusingResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haul_refusing_resolver_finalize;
}

static void
haul_refusing_resolver_init (HaulRefusingResolver *self)
{
}

/**
 * haul_proxy_resolver_new_refusing:
 * @reason: the message every connection fails with (never a password)
 *
 * Returns: (transfer full): a resolver through which nothing connects
 */
GProxyResolver *
haul_proxy_resolver_new_refusing (const char *reason)
{
  HaulRefusingResolver *self = g_object_new (HAUL_TYPE_REFUSING_RESOLVER, NULL);

  self->reason = g_strdup (reason);
  return G_PROXY_RESOLVER (self);
}

/* haul-auth.c — HTTP sign-in for an attempt (see haul-auth.h)
 *
 * Thread: the worker or extra-connection thread that owns the session and
 * the messages; haul_auth_wipe() and haul_auth_display_host() on any.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-auth"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "haul-auth.h"
#include "haul-transfer.h"
#include "haul-types.h"

#define REALM_MAX_CHARS 64

/* What one side (server or proxy) of one message asked and got. */
typedef struct
{
  gboolean asked;     /* ::authenticate was emitted */
  gboolean offered;   /* credentials were given */
  gboolean refused;   /* ...and asked for again */
  char    *realm;
  char    *authority; /* "host:port" of who asked */
} Side;

typedef struct
{
  HaulJob *job;
  Side     server;
  Side     proxy;
} AuthState;

static void
auth_state_free (gpointer data)
{
  AuthState *st = data;

  g_free (st->server.realm);
  g_free (st->server.authority);
  g_free (st->proxy.realm);
  g_free (st->proxy.authority);
  haul_job_unref (st->job);
  g_free (st);
}

/**
 * haul_auth_wipe:
 * @secret: (inout) (nullable): a password to overwrite and free
 *
 * Overwrites the characters before freeing them, so a password does not
 * linger in freed memory; sets *@secret to %NULL.
 */
void
haul_auth_wipe (char **secret)
{
  char *s = *secret;

  *secret = NULL;
  if (s == NULL)
    return;
  /* volatile: the stores must not be dropped as dead before free() */
  for (volatile char *p = s; *p != '\0'; p++)
    *p = '\0';
  g_free (s);
}

/**
 * haul_auth_display_host:
 * @uri: a link
 *
 * "host", or "host:port" when the port is not the scheme's own: how a
 * message names where a password is for.
 */
char *
haul_auth_display_host (GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  const char *scheme = g_uri_get_scheme (uri);
  int port = g_uri_get_port (uri);
  int dflt = g_strcmp0 (scheme, "https") == 0 ? 443 : 80;
  gboolean ipv6 = host != NULL && strchr (host, ':') != NULL;

  if (host == NULL)
    return g_strdup ("?");
  if (port < 0 || port == dflt)
    return ipv6 ? g_strdup_printf ("[%s]", host) : g_strdup (host);
  return ipv6 ? g_strdup_printf ("[%s]:%d", host, port) : g_strdup_printf ("%s:%d", host, port);
}

/* A realm comes from the server: valid UTF-8, one line, bounded. */
static char *
safe_realm (const char *realm)
{
  g_autofree char *valid = NULL;
  GString *out;
  guint n = 0;

  if (realm == NULL || *realm == '\0')
    return NULL;
  valid = g_utf8_make_valid (realm, MIN (strlen (realm), 4 * REALM_MAX_CHARS));
  out = g_string_new (NULL);
  for (const char *p = valid; *p != '\0' && n < REALM_MAX_CHARS; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (out, g_unichar_iscntrl (c) ? ' ' : c);
    }
  return g_string_free (out, FALSE);
}

/**
 * _haul_auth_prepare_session:
 *
 * Points the thread's @session at the job's proxy resolver (GLib's default
 * without one) before the attempt's first request; when it changes, the
 * session's idle connections are closed first.
 */
void
_haul_auth_prepare_session (SoupSession *session,
                            HaulJob     *job)
{
  GProxyResolver *want = job->proxy_resolver;
  GProxyResolver *had = g_object_get_data (G_OBJECT (session), "haul-proxy-resolver");

  if (want == had)
    return;
  /* Nothing runs on this thread's session yet: its idle connections, made
   * through the old proxy (or around it), must not carry this attempt —
   * libsoup reuses a kept-alive connection by the link's host alone. */
  soup_session_abort (session);
  soup_session_set_proxy_resolver (session, want != NULL ? want : g_proxy_resolver_get_default ());
  g_object_set_data_full (G_OBJECT (session), "haul-proxy-resolver",
                          want != NULL ? g_object_ref (want) : NULL, g_object_unref);
}

static gboolean
authenticate_cb (SoupMessage *msg,
                 SoupAuth    *auth,
                 gboolean     retrying,
                 gpointer     user_data)
{
  AuthState *st = user_data;
  gboolean proxy = soup_auth_is_for_proxy (auth);
  Side *side = proxy ? &st->proxy : &st->server;
  const char *user = proxy ? st->job->proxy_user : st->job->auth_user;
  const char *password = proxy ? st->job->proxy_password : st->job->auth_password;

  side->asked = TRUE;
  g_free (side->realm);
  side->realm = safe_realm (soup_auth_get_realm (auth));
  g_free (side->authority);
  side->authority = g_strdup (soup_auth_get_authority (auth));

  /* Once per message: a second question means the answer was refused. */
  if (retrying || side->offered)
    {
      side->refused = side->offered;
      return FALSE;
    }
  if (user == NULL || *user == '\0' || password == NULL)
    return FALSE;
  side->offered = TRUE;
  soup_auth_authenticate (auth, user, password);
  return TRUE;
}

/**
 * _haul_auth_attach:
 * @msg: a request of @job's attempt, not sent yet
 *
 * Gives @job's credentials when @msg is asked for them, once, and keeps
 * them out of the session's auth cache.
 */
void
_haul_auth_attach (SoupMessage *msg,
                   HaulJob     *job)
{
  AuthState *st = g_new0 (AuthState, 1);

  st->job = haul_job_ref (job);
  soup_message_add_flags (msg, SOUP_MESSAGE_DO_NOT_USE_AUTH_CACHE);
  g_object_set_data_full (G_OBJECT (msg), "haul-auth", st, auth_state_free);
  g_signal_connect (msg, "authenticate", G_CALLBACK (authenticate_cb), st);
}

static void
set_message (GError     **error,
             gboolean     proxy,
             const Side  *side,
             const char  *user,
             const char  *host)
{
  int code = proxy ? HAUL_TRANSFER_ERROR_PROXY_AUTH : HAUL_TRANSFER_ERROR_AUTH;

  if (side->refused && proxy)
    g_set_error (error, HAUL_TRANSFER_ERROR, code,
                 _("The password for %s at the proxy %s was not accepted"), user, host);
  else if (side->refused)
    g_set_error (error, HAUL_TRANSFER_ERROR, code,
                 _("The password for %s at %s was not accepted"), user, host);
  else if (proxy)
    g_set_error (error, HAUL_TRANSFER_ERROR, code,
                 _("The proxy %s asks for a user name and password"), host);
  else if (side->realm != NULL)
    g_set_error (error, HAUL_TRANSFER_ERROR, code,
                 _("%s asks for a user name and password (“%s”)"), host, side->realm);
  else
    g_set_error (error, HAUL_TRANSFER_ERROR, code,
                 _("%s asks for a user name and password"), host);
}

/**
 * _haul_auth_set_error:
 * @msg: an attached request (_haul_auth_attach()) that got its answer
 * @job: (nullable): the attempt's job, whose auth results are set
 *
 * When @msg ended with 401 or 407 after a sign-in libsoup can answer
 * (Basic or Digest), sets @error to %HAUL_TRANSFER_ERROR_AUTH or
 * %HAUL_TRANSFER_ERROR_PROXY_AUTH and returns %TRUE. Otherwise (any other
 * status, or a scheme nobody can answer) returns %FALSE.
 */
gboolean
_haul_auth_set_error (GError     **error,
                      SoupMessage *msg,
                      HaulJob     *job)
{
  guint status = soup_message_get_status (msg);
  AuthState *st = g_object_get_data (G_OBJECT (msg), "haul-auth");
  gboolean proxy = status == SOUP_STATUS_PROXY_AUTHENTICATION_REQUIRED;
  const Side *side;
  g_autofree char *host = NULL;

  if (st == NULL || (status != SOUP_STATUS_UNAUTHORIZED && !proxy))
    return FALSE;
  side = proxy ? &st->proxy : &st->server;
  if (!side->asked)
    return FALSE;

  if (proxy)
    host = g_strdup (side->authority != NULL ? side->authority : "?");
  else
    host = haul_auth_display_host (soup_message_get_uri (msg));

  set_message (error, proxy, side, proxy ? st->job->proxy_user : st->job->auth_user, host);
  if (job != NULL)
    {
      job->result_auth = proxy ? HAUL_DOWNLOAD_AUTH_PROXY : HAUL_DOWNLOAD_AUTH_SERVER;
      job->result_auth_refused = side->refused;
      g_free (job->result_auth_realm);
      job->result_auth_realm = g_strdup (side->realm);
      g_free (job->result_auth_host);
      job->result_auth_host = g_steal_pointer (&host);
    }
  return TRUE;
}

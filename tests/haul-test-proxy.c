/* haul-test-proxy.c — a small HTTP proxy for tests, forwarding and CONNECT (see haul-test-proxy.h)
 *
 * Thread: the proxy's own thread runs the server and the forwarding
 * session; the public functions run on the test's thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "haul-test-proxy.h"

struct _HaulTestProxy
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  char         *user;
  char         *password;
  guint16       port;

  GMutex        mutex;       /* guards the counters and the startup handshake */
  GCond         cond;
  gboolean      ready;
  guint         n_forwarded;
  guint         n_refused;
  guint         n_tunnelled;

  /* Proxy thread only. */
  SoupServer   *soup;
  SoupSession  *session;
};

static const char * const hop_by_hop[] = {
  "Connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Authenticate", "Proxy-Connection",
  "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", NULL,
};

static void
copy_headers (SoupMessageHeaders *from,
              SoupMessageHeaders *to)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, from);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      gboolean skip = FALSE;

      for (guint i = 0; hop_by_hop[i] != NULL; i++)
        skip = skip || g_ascii_strcasecmp (name, hop_by_hop[i]) == 0;
      if (!skip)
        soup_message_headers_append (to, name, value);
    }
}

typedef struct
{
  HaulTestProxy     *proxy;
  SoupServerMessage *msg;
  SoupMessage       *upstream;
} Forward;

static void
forwarded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Forward *fw = data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (body == NULL)
    soup_server_message_set_status (fw->msg, SOUP_STATUS_BAD_GATEWAY, NULL);
  else
    {
      gsize size;
      gconstpointer bytes = g_bytes_get_data (body, &size);

      soup_server_message_set_status (fw->msg, soup_message_get_status (fw->upstream),
                                      soup_message_get_reason_phrase (fw->upstream));
      copy_headers (soup_message_get_response_headers (fw->upstream),
                    soup_server_message_get_response_headers (fw->msg));
      soup_message_body_append (soup_server_message_get_response_body (fw->msg), SOUP_MEMORY_COPY,
                                bytes, size);
    }
  soup_server_message_unpause (fw->msg);
  g_object_unref (fw->upstream);
  g_object_unref (fw->msg);
  g_free (fw);
}

/* CONNECT: once the 200 is written, the client's stream and one to the
 * target are spliced together. */
static void
tunnel_spliced_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
tunnel_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  GIOStream *client = data;
  g_autoptr(GSocketConnection) target = g_socket_client_connect_finish (G_SOCKET_CLIENT (source),
                                                                        result, NULL);

  if (target != NULL)
    g_io_stream_splice_async (client, G_IO_STREAM (target),
                              G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                              G_PRIORITY_DEFAULT, NULL, tunnel_spliced_cb, NULL);
  else
    g_io_stream_close (client, NULL, NULL);
  g_object_unref (client);
}

static void
tunnel_wrote_cb (SoupServerMessage *msg,
                 gpointer           data)
{
  HaulTestProxy *proxy = data;
  GUri *target = soup_server_message_get_uri (msg);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GIOStream *stream = soup_server_message_steal_connection (msg);

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_connect_to_host_async (client, g_uri_get_host (target), g_uri_get_port (target),
                                         NULL, tunnel_connected_cb, stream);
  (void) proxy;
}

static void
proxy_cb (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           data)
{
  HaulTestProxy *proxy = data;
  GUri *target = soup_server_message_get_uri (msg);
  Forward *fw;

  if (strcmp (soup_server_message_get_method (msg), "CONNECT") == 0 &&
      g_strcmp0 (g_uri_get_host (target), "127.0.0.1") == 0)
    {
      g_mutex_lock (&proxy->mutex);
      proxy->n_tunnelled++;
      g_mutex_unlock (&proxy->mutex);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      g_signal_connect (msg, "wrote-body", G_CALLBACK (tunnel_wrote_cb), proxy);
      return;
    }
  if (strcmp (soup_server_message_get_method (msg), "GET") != 0 ||
      g_strcmp0 (g_uri_get_host (target), "127.0.0.1") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      return;
    }
  g_mutex_lock (&proxy->mutex);
  proxy->n_forwarded++;
  g_mutex_unlock (&proxy->mutex);

  fw = g_new0 (Forward, 1);
  fw->proxy = proxy;
  fw->msg = g_object_ref (msg);
  fw->upstream = soup_message_new_from_uri ("GET", target);
  soup_message_add_flags (fw->upstream, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_disable_feature (fw->upstream, SOUP_TYPE_CONTENT_DECODER);
  copy_headers (soup_server_message_get_request_headers (msg),
                soup_message_get_request_headers (fw->upstream));
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), TRUE);
  soup_server_message_pause (msg);
  soup_session_send_and_read_async (proxy->session, fw->upstream, G_PRIORITY_DEFAULT, NULL,
                                    forwarded_cb, fw);
}

static gboolean
proxy_auth_cb (SoupAuthDomain    *domain,
               SoupServerMessage *msg,
               const char        *username,
               const char        *password,
               gpointer           data)
{
  HaulTestProxy *proxy = data;

  return g_strcmp0 (username, proxy->user) == 0 && g_strcmp0 (password, proxy->password) == 0;
}

static void
finished_cb (SoupServer        *soup,
             SoupServerMessage *msg,
             gpointer           data)
{
  HaulTestProxy *proxy = data;

  if (soup_server_message_get_status (msg) != SOUP_STATUS_PROXY_AUTHENTICATION_REQUIRED)
    return;
  g_mutex_lock (&proxy->mutex);
  proxy->n_refused++;
  g_mutex_unlock (&proxy->mutex);
}

static gpointer
proxy_thread (gpointer data)
{
  HaulTestProxy *proxy = data;
  g_autoptr(SoupAuthDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (proxy->context);
  proxy->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  soup_session_remove_feature_by_type (proxy->session, SOUP_TYPE_AUTH_MANAGER);
  proxy->soup = soup_server_new ("server-header", "haul-test-proxy ", NULL);
  if (proxy->user != NULL)
    {
      domain = soup_auth_domain_basic_new ("realm", "Haul proxy", "proxy", TRUE, NULL);
      soup_auth_domain_add_path (domain, "/");
      soup_auth_domain_basic_set_auth_callback (domain, proxy_auth_cb, proxy, NULL);
      soup_server_add_auth_domain (proxy->soup, domain);
    }
  soup_server_add_handler (proxy->soup, NULL, proxy_cb, proxy, NULL);
  g_signal_connect (proxy->soup, "request-finished", G_CALLBACK (finished_cb), proxy);
  if (!soup_server_listen_local (proxy->soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("the test proxy cannot listen: %s", error->message);
  uris = soup_server_get_uris (proxy->soup);
  proxy->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&proxy->mutex);
  proxy->ready = TRUE;
  g_cond_signal (&proxy->cond);
  g_mutex_unlock (&proxy->mutex);

  g_main_loop_run (proxy->loop);

  soup_server_disconnect (proxy->soup);
  soup_session_abort (proxy->session);
  while (g_main_context_iteration (proxy->context, FALSE))
    ;
  g_clear_object (&proxy->soup);
  g_clear_object (&proxy->session);
  while (g_main_context_iteration (proxy->context, FALSE))
    ;
  g_main_context_pop_thread_default (proxy->context);
  return NULL;
}

HaulTestProxy *
haul_test_proxy_new (const char *user,
                     const char *password)
{
  HaulTestProxy *proxy = g_new0 (HaulTestProxy, 1);

  proxy->user = g_strdup (user);
  proxy->password = g_strdup (password);
  g_mutex_init (&proxy->mutex);
  g_cond_init (&proxy->cond);
  proxy->context = g_main_context_new ();
  proxy->loop = g_main_loop_new (proxy->context, FALSE);
  proxy->thread = g_thread_new ("haul-test-proxy", proxy_thread, proxy);
  g_mutex_lock (&proxy->mutex);
  while (!proxy->ready)
    g_cond_wait (&proxy->cond, &proxy->mutex);
  g_mutex_unlock (&proxy->mutex);
  return proxy;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
haul_test_proxy_free (HaulTestProxy *proxy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, quit_cb, proxy->loop, NULL);
  g_source_attach (source, proxy->context);
  g_source_unref (source);
  g_thread_join (proxy->thread);
  g_main_loop_unref (proxy->loop);
  g_main_context_unref (proxy->context);
  g_mutex_clear (&proxy->mutex);
  g_cond_clear (&proxy->cond);
  g_free (proxy->user);
  g_free (proxy->password);
  g_free (proxy);
}

char *
haul_test_proxy_uri (HaulTestProxy *proxy)
{
  return g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
}

guint
haul_test_proxy_get_n_forwarded (HaulTestProxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->mutex);
  n = proxy->n_forwarded;
  g_mutex_unlock (&proxy->mutex);
  return n;
}

guint
haul_test_proxy_get_n_tunnelled (HaulTestProxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->mutex);
  n = proxy->n_tunnelled;
  g_mutex_unlock (&proxy->mutex);
  return n;
}

guint
haul_test_proxy_get_n_refused (HaulTestProxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->mutex);
  n = proxy->n_refused;
  g_mutex_unlock (&proxy->mutex);
  return n;
}

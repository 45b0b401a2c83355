/* test-proxy.c — downloads through real proxies on 127.0.0.1
 *
 * An HTTP proxy (tests/haul-test-proxy.c: forwarding and CONNECT, with and
 * without Basic auth) and a SOCKS5 proxy (Debian's microsocks, started
 * here, with and without user and password) against the real test server
 * and a TLS server; hosts that bypass the proxy; "No proxy" against
 * http_proxy in the environment; a dead proxy and a wrong password give
 * messages naming the proxy; `haul --headless --proxy/--no-proxy`; the
 * addresses' checks (haul-proxy.c); the password never in an error nor
 * in anything logged (G_MESSAGES_DEBUG=all, captured).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "haul-connections.h"
#include "haul-download.h"
#include "haul-proxy.h"
#include "haul-queue.h"
#include "haul-test-log.h"
#include "haul-test-proxy.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

#define KIB      1024
#define PASSWORD "Sx7:pr0xy@9f1%e"   /* needs escaping in a URI; searched for in logs */
#define WRONG    "wrong-5e8c1a"

typedef struct
{
  HaulTestServer *server;
  HaulQueue      *queue;
  char           *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  haul_connections_reset ();
  fx->server = haul_test_server_new ();
  fx->dir = haul_test_make_tmp_dir ();
  fx->queue = haul_queue_new ();
  g_object_set (fx->queue, "connect-timeout", 10, "stall-timeout", 10,
                "retry-base-delay", 50, "max-retries", 1, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  haul_test_stop_queue (fx->queue);
  haul_test_release_queue (&fx->queue);
  haul_test_server_free (fx->server);
  haul_test_rm_rf (fx->dir);
  g_free (fx->dir);
  haul_test_assert_not_logged (PASSWORD);
}

static GBytes *
serve (Fixture    *fx,
       const char *path,
       gsize       size)
{
  GBytes *content = haul_test_content (size, g_str_hash (path));

  haul_test_server_add_file (fx->server, path, content, NULL);
  return content;
}

static HaulDownload *
add_uri (Fixture    *fx,
         const char *uri)
{
  g_autoptr(GError) error = NULL;
  HaulDownload *d = haul_queue_add (fx->queue, uri, fx->dir, &error);

  g_assert_no_error (error);
  return d;
}

static HaulDownload *
add (Fixture    *fx,
     const char *path)
{
  g_autofree char *uri = haul_test_server_uri (fx->server, path);

  return add_uri (fx, uri);
}

/* "127.0.0.1:PORT" of a proxy URI "http://127.0.0.1:PORT". */
static char *
address_of (const char *uri)
{
  return g_strdup (strstr (uri, "://") + 3);
}

static void
use_manual (Fixture            *fx,
            const char         *http,
            const char         *https,
            const char         *socks,
            const char * const *ignore,
            const char         *user,
            const char         *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GProxyResolver) resolver =
    haul_proxy_resolver_new_manual (http, https, socks, ignore, user, password, &error);

  g_assert_no_error (error);
  haul_queue_set_proxy_resolver (fx->queue, resolver);
  haul_queue_set_proxy_credentials (fx->queue, user, password);
}

/* A port nothing listens on. */
static guint16
dead_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* ------------------------------------------------------------------ */
/* microsocks */

typedef struct
{
  GSubprocess *process;
  guint16      port;
} Socks;

static Socks *
socks_start (const char *user,
             const char *password)
{
  Socks *s = g_new0 (Socks, 1);
  g_autofree char *port = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  s->port = dead_port ();
  port = g_strdup_printf ("%u", s->port);
  if (user != NULL)
    s->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                   &error, "microsocks", "-i", "127.0.0.1", "-p", port,
                                   "-u", user, "-P", password, NULL);
  else
    s->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                   &error, "microsocks", "-i", "127.0.0.1", "-p", port, NULL);
  g_assert_no_error (error);
  /* Listening: a connection is accepted. */
  g_socket_client_set_enable_proxy (client, FALSE);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GSocketConnection) c = g_socket_client_connect_to_host (client, "127.0.0.1", s->port,
                                                                        NULL, NULL);
      if (c != NULL)
        return s;
      g_usleep (10000);
    }
  g_error ("microsocks did not start on port %u", s->port);
}

static void
socks_stop (Socks *s)
{
  g_subprocess_force_exit (s->process);
  g_subprocess_wait (s->process, NULL, NULL);
  g_object_unref (s->process);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Socks, socks_stop)

static char *
socks_address (Socks *s)
{
  return g_strdup_printf ("127.0.0.1:%u", s->port);
}

/* ------------------------------------------------------------------ */
/* A TLS server (tests/data/self-signed.pem) that counts handshakes begun */

typedef struct
{
  GSocketService  *service;
  GTlsCertificate *certificate;
  guint16          port;
  gint             n_connections;  /* atomic */
} TlsServer;

static gboolean
tls_run_cb (GThreadedSocketService *service,
            GSocketConnection      *connection,
            GObject                *source,
            gpointer                data)
{
  TlsServer *server = data;
  g_autoptr(GIOStream) tls = g_tls_server_connection_new (G_IO_STREAM (connection),
                                                          server->certificate, NULL);

  g_atomic_int_inc (&server->n_connections);
  if (tls != NULL)
    g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL);
  return TRUE;
}

static TlsServer *
tls_server_new (void)
{
  TlsServer *server = g_new0 (TlsServer, 1);
  g_autofree char *pem = g_test_build_filename (G_TEST_DIST, "data", "self-signed.pem", NULL);
  g_autoptr(GError) error = NULL;

  server->certificate = g_tls_certificate_new_from_file (pem, &error);
  g_assert_no_error (error);
  server->service = g_threaded_socket_service_new (4);
  server->port = haul_test_listen_loopback (G_SOCKET_LISTENER (server->service));
  g_signal_connect (server->service, "run", G_CALLBACK (tls_run_cb), server);
  g_socket_service_start (server->service);
  return server;
}

static void
tls_server_free (TlsServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_object_unref (server->service);
  g_object_unref (server->certificate);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TlsServer, tls_server_free)

/* ------------------------------------------------------------------ */

/* http links through the forwarding proxy, without and with sign-in (the
 * queue-wide proxy credentials answer its 407). */
static void
test_http_forward (Fixture       *fx,
                   gconstpointer  data)
{
  gboolean auth = GPOINTER_TO_INT (data);
  g_autoptr(HaulTestProxy) proxy = haul_test_proxy_new (auth ? "bob" : NULL, auth ? PASSWORD : NULL);
  g_autofree char *proxy_uri = haul_test_proxy_uri (proxy);
  g_autofree char *address = address_of (proxy_uri);
  g_autoptr(GBytes) content = serve (fx, "/f.bin", 200 * KIB);
  HaulDownload *d;

  use_manual (fx, address, NULL, NULL, NULL, auth ? "bob" : NULL, auth ? PASSWORD : NULL);
  d = add (fx, "/f.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), >=, 1);
  g_assert_cmpuint (haul_test_proxy_get_n_refused (proxy), ==, auth ? 1 : 0);
  g_assert_cmpuint (haul_test_proxy_get_n_tunnelled (proxy), ==, 0);
}

/* Whether the password case ran (this run may hold only some cases: the
 * tls suite runs https-connect alone). */
static gboolean ran_wrong_password;

/* A wrong queue-wide password: paused as needing the proxy's password,
 * a message naming the proxy, never the password. */
static void
test_http_wrong_password (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(HaulTestProxy) proxy = haul_test_proxy_new ("bob", PASSWORD);
  g_autofree char *proxy_uri = haul_test_proxy_uri (proxy);
  g_autofree char *address = address_of (proxy_uri);
  g_autofree char *expected = g_strdup_printf ("The password for bob at the proxy %s was not accepted",
                                               address);
  g_autoptr(GBytes) content = serve (fx, "/w.bin", 20 * KIB);
  HaulDownload *d;

  ran_wrong_password = TRUE;
  use_manual (fx, address, NULL, NULL, NULL, "bob", WRONG);
  d = add (fx, "/w.bin");
  haul_test_wait_paused (d);
  g_assert_cmpint (haul_download_get_auth_needed (d), ==, HAUL_DOWNLOAD_AUTH_PROXY);
  g_assert_cmpstr (haul_download_get_error (d), ==, expected);
  g_assert_null (strstr (haul_download_get_error (d), WRONG));
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/w.bin"), ==, 0);

  /* The right one, queue-wide, and Resume. */
  haul_queue_set_proxy_credentials (fx->queue, "bob", PASSWORD);
  haul_queue_resume (fx->queue, d);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
}

/* https links through CONNECT (with sign-in): the tunnel reaches the TLS
 * server, whose self-signed certificate is then refused end to end —
 * proof the TLS talk went through the tunnel, not to the proxy. */
static void
test_https_connect (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(HaulTestProxy) proxy = haul_test_proxy_new ("bob", PASSWORD);
  g_autofree char *proxy_uri = haul_test_proxy_uri (proxy);
  g_autofree char *address = address_of (proxy_uri);
  g_autoptr(TlsServer) tls = tls_server_new ();
  g_autofree char *uri = g_strdup_printf ("https://127.0.0.1:%u/secret.bin", tls->port);
  HaulDownload *d;

  use_manual (fx, NULL, address, NULL, NULL, "bob", PASSWORD);
  d = add_uri (fx, uri);
  haul_test_wait_finished (d);
  haul_test_assert_failed_with (d, "could not be trusted");
  g_assert_cmpuint (haul_test_proxy_get_n_tunnelled (proxy), ==, 1);
  g_assert_cmpuint (haul_test_proxy_get_n_refused (proxy), ==, 1);  /* the first CONNECT: 407 */
  g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&tls->n_connections), ==, 1);
}

/* SOCKS5 without and with user and password; stopping the proxy makes the
 * next download fail naming it (so the first really went through it). */
static void
test_socks5 (Fixture       *fx,
             gconstpointer  data)
{
  gboolean auth = GPOINTER_TO_INT (data);
  g_autoptr(Socks) socks = socks_start (auth ? "bob" : NULL, auth ? PASSWORD : NULL);
  g_autofree char *address = socks_address (socks);
  g_autofree char *refused = g_strdup_printf ("Could not connect to the proxy %s: Connection refused",
                                              address);
  g_autoptr(GBytes) content = serve (fx, "/s.bin", 300 * KIB);
  g_autoptr(GBytes) later = serve (fx, "/later.bin", 10 * KIB);
  HaulDownload *d, *d2;

  use_manual (fx, NULL, NULL, address, NULL, auth ? "bob" : NULL, auth ? PASSWORD : NULL);
  d = add (fx, "/s.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);

  g_clear_pointer (&socks, socks_stop);
  d2 = add (fx, "/later.bin");
  haul_test_wait_finished (d2);
  haul_test_assert_failed_with (d2, refused);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/later.bin"), ==, 0);
}

/* A wrong SOCKS5 password: paused as needing the proxy's password, the
 * message names the proxy and not the password. */
static void
test_socks5_wrong_password (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(Socks) socks = socks_start ("bob", PASSWORD);
  g_autofree char *address = socks_address (socks);
  g_autofree char *expected = g_strdup_printf ("The proxy %s did not accept the user name and password",
                                               address);
  g_autoptr(GBytes) content = serve (fx, "/sw.bin", 10 * KIB);
  HaulDownload *d;

  use_manual (fx, NULL, NULL, address, NULL, "bob", WRONG);
  d = add (fx, "/sw.bin");
  haul_test_wait_paused (d);
  g_assert_cmpstr (haul_download_get_error (d), ==, expected);
  g_assert_cmpint (haul_download_get_auth_needed (d), ==, HAUL_DOWNLOAD_AUTH_PROXY);
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/sw.bin"), ==, 0);
}

/* Hosts to bypass go direct: the proxy sees nothing. */
static void
test_bypass (Fixture       *fx,
             gconstpointer  data)
{
  const char * const ignore[] = { "localhost", "127.0.0.0/8", NULL };
  g_autoptr(HaulTestProxy) proxy = haul_test_proxy_new (NULL, NULL);
  g_autofree char *proxy_uri = haul_test_proxy_uri (proxy);
  g_autofree char *address = address_of (proxy_uri);
  g_autoptr(GBytes) content = serve (fx, "/b.bin", 64 * KIB);
  HaulDownload *d;

  use_manual (fx, address, address, NULL, ignore, NULL, NULL);
  d = add (fx, "/b.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), ==, 0);
  g_assert_cmpuint (haul_test_proxy_get_n_tunnelled (proxy), ==, 0);
}

/* "No proxy" connects directly though http_proxy names a dead proxy. */
static void
test_none_ignores_env (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *dead = g_strdup_printf ("http://127.0.0.1:%u", dead_port ());
  g_autoptr(GProxyResolver) none = haul_proxy_resolver_new_none ();
  g_autoptr(GBytes) content = serve (fx, "/n.bin", 32 * KIB);
  HaulDownload *d;

  g_setenv ("http_proxy", dead, TRUE);
  haul_queue_set_proxy_resolver (fx->queue, none);
  d = add (fx, "/n.bin");
  haul_test_wait_finished (d);
  g_unsetenv ("http_proxy");
  haul_test_assert_completed_with (d, content);
}

/* A dead HTTP proxy: retried like a network error (it may be restarting),
 * then failed with a message naming the proxy, not the server. */
static void
test_dead_proxy (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", dead_port ());
  g_autofree char *expected = g_strdup_printf ("Could not connect to the proxy %s: Connection refused",
                                               address);
  g_autoptr(GBytes) content = serve (fx, "/d.bin", 8 * KIB);
  HaulDownload *d;

  use_manual (fx, address, NULL, NULL, NULL, "bob", PASSWORD);
  d = add (fx, "/d.bin");
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_FAILED);
  g_assert_cmpstr (haul_download_get_error (d), ==, expected);
  g_assert_cmpuint (haul_download_get_retries (d), ==, 1);
  haul_test_assert_folder (fx->dir, "");
}

/* The checks of "host:port", of hosts to bypass and of --proxy URLs:
 * clear messages naming the field and the text, never the password. */
static void
test_addresses (void)
{
  static const struct { const char *text; const char *message; } bad[] = {
    { "proxy.example:99999", "HTTP Proxy: “proxy.example:99999” is not a proxy address: the port must be from 1 to 65535" },
    { "proxy.example:0", "the port must be from 1 to 65535" },
    { "proxy.example", "the port is missing (host:port)" },
    { "http://proxy.example:3128", "write only the host and the port" },
    { "proxy.example:3128/path", "write only the host and the port" },
    { "::1:1080", "put an IPv6 address in brackets" },
    { "[::1:1080", "the closing bracket" },
    { "[example]:1080", "there is no IPv6 address between the brackets" },
    { "pro xy:1", "write only the host and the port" },
    { "prøxy:1", "only letters, digits, dots and hyphens" },
  };
  g_autofree char *host = NULL;
  guint16 port = 0;
  g_autoptr(GError) error = NULL;
  const char * const good_hosts[] = { "localhost", ".example.org", "*.example.org", "10.0.0.0/8",
                                      "::1", "fe80::/10", "example.org:8080", NULL };
  const char * const bad_hosts[] = { "ok.example", "exa mple/", NULL };

  g_assert_true (haul_proxy_check_address ("HTTP Proxy", "[::1]:1080", &host, &port, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (host, ==, "::1");
  g_assert_cmpuint (port, ==, 1080);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (haul_proxy_check_address ("HTTP Proxy", bad[i].text, NULL, NULL, &error));
      g_assert_error (error, HAUL_PROXY_ERROR, HAUL_PROXY_ERROR_INVALID);
      if (strstr (error->message, bad[i].message) == NULL || strstr (error->message, bad[i].text) == NULL)
        g_error ("%s: %s", bad[i].text, error->message);
      g_clear_error (&error);
    }

  g_assert_true (haul_proxy_check_ignore_hosts ("Hosts Without Proxy", good_hosts, &error));
  g_assert_no_error (error);
  g_assert_false (haul_proxy_check_ignore_hosts ("Hosts Without Proxy", bad_hosts, &error));
  g_assert_nonnull (strstr (error->message, "Hosts Without Proxy: “exa mple/”"));
  g_clear_error (&error);
  {
    g_auto(GStrv) split = haul_proxy_split_hosts (" a.example, ,b.example ,10.0.0.0/8 ");
    g_autofree char *joined = g_strjoinv ("|", split);

    g_assert_cmpstr (joined, ==, "a.example|b.example|10.0.0.0/8");
  }

  /* URLs: schemes, user info unescaped, and errors without it. */
  {
    g_autoptr(HaulProxyUrl) url = haul_proxy_url_parse ("--proxy", "socks5h://bob:Sx7%3Apr0xy%40@[::1]:1080/", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (url->scheme, ==, "socks5");
    g_assert_cmpstr (url->host, ==, "::1");
    g_assert_cmpuint (url->port, ==, 1080);
    g_assert_cmpstr (url->user, ==, "bob");
    g_assert_cmpstr (url->password, ==, "Sx7:pr0xy@");
  }
  g_assert_null (haul_proxy_url_parse ("--proxy", "ftp://h:1", &error));
  g_assert_nonnull (strstr (error->message, "--proxy: “ftp://h:1” is not a proxy address: start it with"));
  g_clear_error (&error);
  g_assert_null (haul_proxy_url_parse ("--proxy", "http://bob:" WRONG "@h:70000", &error));
  g_assert_cmpstr (error->message, ==,
                   "--proxy: “http://h:70000” is not a proxy address: the port must be from 1 to 65535");
  g_clear_error (&error);
  g_assert_null (haul_proxy_url_parse ("--proxy", "http://bob:" WRONG "@h:8080/path", &error));
  g_assert_null (strstr (error->message, WRONG));
  g_clear_error (&error);

  /* A manual resolver refuses a bad field, naming it. */
  g_assert_null (haul_proxy_resolver_new_manual ("h:1", NULL, "s:99999", NULL, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "SOCKS5 Proxy: “s:99999”"));
}

/* `haul --headless` with --proxy (an HTTP proxy with sign-in, the user and
 * password in the URL; SOCKS5), --no-proxy against http_proxy, and bad
 * values: status 2 naming --proxy, never the password. */
static void
test_headless (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(HaulTestProxy) proxy = haul_test_proxy_new ("bob", PASSWORD);
  g_autofree char *proxy_uri = haul_test_proxy_uri (proxy);
  g_autofree char *escaped = g_uri_escape_string (PASSWORD, NULL, FALSE);
  g_autofree char *with_user = g_strdup_printf ("http://bob:%s@%s", escaped, strstr (proxy_uri, "://") + 3);
  g_autoptr(Socks) socks = socks_start (NULL, NULL);
  g_autofree char *socks_uri = g_strdup_printf ("socks5h://127.0.0.1:%u", socks->port);
  g_autofree char *dead = g_strdup_printf ("http://127.0.0.1:%u", dead_port ());
  g_autofree char *bad = g_strdup_printf ("http://bob:%s@127.0.0.1:99999", escaped);
  g_autoptr(GBytes) content = serve (fx, "/h.bin", 48 * KIB);
  g_autofree char *uri = haul_test_server_uri (fx->server, "/h.bin");
  g_autofree char *path = g_build_filename (fx->dir, "h.bin", NULL);
  char *out = NULL, *err = NULL;
  int status;

  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, "--proxy", with_user,
                               uri, NULL);
  if (status != 0)
    g_error ("haul --proxy failed: %s", err);
  haul_test_assert_file_in (fx->dir, "h.bin", content);
  g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), >=, 1);
  g_assert_null (strstr (err, PASSWORD));
  g_assert_null (strstr (out, PASSWORD));
  g_assert_null (strstr (err, escaped));
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, "--proxy", socks_uri,
                               uri, NULL);
  if (status != 0)
    g_error ("haul --proxy socks5h failed: %s", err);
  haul_test_assert_file_in (fx->dir, "h.bin", content);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --no-proxy: http_proxy names a dead proxy, and is not used. */
  g_setenv ("http_proxy", dead, TRUE);
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, "--no-proxy", uri, NULL);
  g_unsetenv ("http_proxy");
  if (status != 0)
    g_error ("haul --no-proxy failed: %s", err);
  haul_test_assert_file_in (fx->dir, "h.bin", content);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Through a dead proxy: failed, naming it. */
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, "--retries", "0",
                               "--proxy", dead, uri, NULL);
  g_assert_cmpint (status, ==, 1);
  if (strstr (err, "Could not connect to the proxy 127.0.0.1:") == NULL)
    g_error ("expected the dead proxy named, got: %s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Bad values: usage errors naming --proxy, not the password. */
  status = haul_test_run_haul (NULL, &out, &err, "--headless", "-d", fx->dir, "--proxy", bad, uri, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--proxy: “http://127.0.0.1:99999” is not a proxy address: the port must be"));
  g_assert_null (strstr (err, escaped));
  g_assert_null (strstr (err, PASSWORD));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = haul_test_run_haul (NULL, &out, &err, "--headless", "--proxy", "proxy.example", uri, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--proxy"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = haul_test_run_haul (NULL, &out, &err, "--headless", "--proxy", socks_uri, "--no-proxy", uri, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--proxy and --no-proxy"));
  g_free (out);
  g_free (err);
}

#define ADD(name, data, func) \
  g_test_add ("/haul/core/proxy/" name, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  int status;

  haul_test_log_capture_start ();
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  g_test_add_func ("/haul/core/proxy/addresses", test_addresses);
  ADD ("http-forward", GINT_TO_POINTER (FALSE), test_http_forward);
  ADD ("http-forward-auth", GINT_TO_POINTER (TRUE), test_http_forward);
  ADD ("http-wrong-password", NULL, test_http_wrong_password);
  ADD ("https-connect", NULL, test_https_connect);
  ADD ("socks5", GINT_TO_POINTER (FALSE), test_socks5);
  ADD ("socks5-auth", GINT_TO_POINTER (TRUE), test_socks5);
  ADD ("socks5-wrong-password", NULL, test_socks5_wrong_password);
  ADD ("bypass", NULL, test_bypass);
  ADD ("none-ignores-env", NULL, test_none_ignores_env);
  ADD ("dead-proxy", NULL, test_dead_proxy);
  ADD ("headless", NULL, test_headless);
  status = g_test_run ();

  if (ran_wrong_password)
    g_assert_true (haul_test_log_contains ("needs a password"));
  haul_test_assert_not_logged (PASSWORD);
  return status;
}

/* test-hostile.c — servers that lie, flood and misbehave on purpose
 *
 * A raw TCP server on 127.0.0.1 (GThreadedSocketService, optionally TLS
 * with a self-signed certificate) answers each path with bytes written by
 * hand, which libsoup's own server would refuse to send: headers of
 * megabytes, header lines without end, NUL and control bytes in values,
 * redirects to other schemes. The real engine downloads from it; every
 * case must end in a clear error or a safe file, never a file outside the
 * folder, a "completed" partial file, or memory that grows with the flood.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "haul-test-queue.h"

typedef struct
{
  GBytes *head;         /* status line and headers, as sent */
  GBytes *body;         /* sent after head; may be NULL */
  gsize   flood_bytes;  /* then this many bytes of further header lines */
} Canned;

typedef struct
{
  GSocketService  *service;
  guint16          port;
  GTlsCertificate *certificate; /* non-NULL: TLS */
  GMutex           lock;
  GHashTable      *canned;      /* path → Canned */
  guint            n_requests;
  gsize            flooded;     /* header bytes written by floods so far */
  guint            active;      /* handlers running */
} RawServer;

static void
canned_free (gpointer data)
{
  Canned *c = data;

  g_bytes_unref (c->head);
  g_clear_pointer (&c->body, g_bytes_unref);
  g_free (c);
}

/* The request's path, from "GET /path HTTP/1.1\r\n…\r\n\r\n" (at most 64 KiB). */
static char *
read_request_path (GInputStream *in)
{
  g_autoptr(GString) req = g_string_new (NULL);
  char buf[4096];

  while (strstr (req->str, "\r\n\r\n") == NULL && req->len < 64 * 1024)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);

      if (n <= 0)
        return NULL;
      g_string_append_len (req, buf, n);
    }
  if (!g_str_has_prefix (req->str, "GET "))
    return NULL;
  return g_strndup (req->str + 4, strcspn (req->str + 4, " \r\n"));
}

static gboolean raw_server_answer (RawServer         *server,
                                   GSocketConnection *connection);

/* Counts the handlers, so the server is freed only when none runs. */
static gboolean
raw_server_run (GThreadedSocketService *service,
                GSocketConnection      *connection,
                GObject                *source,
                gpointer                user_data)
{
  RawServer *server = user_data;
  gboolean ret;

  g_mutex_lock (&server->lock);
  server->active++;
  g_mutex_unlock (&server->lock);
  ret = raw_server_answer (server, connection);
  g_mutex_lock (&server->lock);
  server->active--;
  g_mutex_unlock (&server->lock);
  return ret;
}

static gboolean
raw_server_answer (RawServer         *server,
                   GSocketConnection *connection)
{
  g_autoptr(GIOStream) io = g_object_ref (G_IO_STREAM (connection));
  g_autofree char *path = NULL;
  GOutputStream *out;
  Canned *c;

  if (server->certificate != NULL)
    {
      g_autoptr(GIOStream) tls = g_tls_server_connection_new (io, server->certificate, NULL);

      /* A client that does not trust the certificate ends here. */
      if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL))
        return TRUE;
      g_set_object (&io, tls);
    }

  path = read_request_path (g_io_stream_get_input_stream (io));
  if (path == NULL)
    return TRUE;

  g_mutex_lock (&server->lock);
  server->n_requests++;
  c = g_hash_table_lookup (server->canned, path);
  g_mutex_unlock (&server->lock);

  out = g_io_stream_get_output_stream (io);
  if (c == NULL)
    {
      static const char not_found[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

      g_output_stream_write_all (out, not_found, strlen (not_found), NULL, NULL, NULL);
      return TRUE;
    }

  if (!g_output_stream_write_all (out, g_bytes_get_data (c->head, NULL), g_bytes_get_size (c->head),
                                  NULL, NULL, NULL))
    return TRUE;

  if (c->flood_bytes > 0)
    {
      g_autofree char *line = g_strdup_printf ("X-Flood: %0*d\r\n", 1000, 0);
      gsize len = strlen (line);

      for (gsize sent = 0; sent < c->flood_bytes; sent += len)
        {
          if (!g_output_stream_write_all (out, line, len, NULL, NULL, NULL))
            break; /* the client hung up: what it should do */
          g_mutex_lock (&server->lock);
          server->flooded += len;
          g_mutex_unlock (&server->lock);
        }
      return TRUE;
    }

  if (c->body != NULL)
    g_output_stream_write_all (out, g_bytes_get_data (c->body, NULL), g_bytes_get_size (c->body),
                               NULL, NULL, NULL);
  g_io_stream_close (io, NULL, NULL);
  return TRUE;
}

static RawServer *
raw_server_new (gboolean tls)
{
  RawServer *server = g_new0 (RawServer, 1);
  g_autoptr(GError) error = NULL;

  g_mutex_init (&server->lock);
  server->canned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, canned_free);
  if (tls)
    {
      g_autofree char *pem = g_test_build_filename (G_TEST_DIST, "data", "self-signed.pem", NULL);

      server->certificate = g_tls_certificate_new_from_file (pem, &error);
      g_assert_no_error (error);
    }

  server->service = g_threaded_socket_service_new (8);
  server->port = haul_test_listen_loopback (G_SOCKET_LISTENER (server->service));
  g_signal_connect (server->service, "run", G_CALLBACK (raw_server_run), server);
  g_socket_service_start (server->service);
  return server;
}

static gsize
raw_server_get_flooded (RawServer *server)
{
  gsize n;

  g_mutex_lock (&server->lock);
  n = server->flooded;
  g_mutex_unlock (&server->lock);
  return n;
}

static void
raw_server_free (RawServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  for (;;)
    {
      guint active;

      g_mutex_lock (&server->lock);
      active = server->active;
      g_mutex_unlock (&server->lock);
      if (active == 0)
        break;
      g_usleep (10 * 1000);
    }
  g_object_unref (server->service);
  g_clear_object (&server->certificate);
  g_hash_table_unref (server->canned);
  g_mutex_clear (&server->lock);
  g_free (server);
}

static void
raw_server_add (RawServer  *server,
                const char *path,
                const char *head,
                gsize       head_len,
                GBytes     *body,
                gsize       flood_bytes)
{
  Canned *c = g_new0 (Canned, 1);

  c->head = g_bytes_new (head, head_len);
  c->body = body != NULL ? g_bytes_ref (body) : NULL;
  c->flood_bytes = flood_bytes;
  g_mutex_lock (&server->lock);
  g_hash_table_replace (server->canned, g_strdup (path), c);
  g_mutex_unlock (&server->lock);
}

static char *
raw_server_uri (RawServer  *server,
                const char *path)
{
  return g_strdup_printf ("%s://127.0.0.1:%u%s", server->certificate ? "https" : "http", server->port, path);
}

/* ------------------------------------------------------------------ */

typedef struct
{
  RawServer *server;
  HaulQueue *queue;
  char      *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->server = raw_server_new (GPOINTER_TO_INT (data));
  fx->dir = g_dir_make_tmp ("haul-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  fx->queue = haul_queue_new ();
  g_object_set (fx->queue, "connect-timeout", 10, "stall-timeout", 10, "retry-base-delay", 50,
                "max-retries", 1, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  haul_queue_pause_all (fx->queue);
  g_clear_object (&fx->queue);
  raw_server_free (fx->server);
  haul_test_rm_rf (fx->dir);
  g_free (fx->dir);
}

static HaulDownload *
add (Fixture    *fx,
     const char *path)
{
  g_autofree char *uri = raw_server_uri (fx->server, path);
  g_autoptr(GError) error = NULL;
  HaulDownload *d = haul_queue_add (fx->queue, uri, fx->dir, &error);

  g_assert_no_error (error);
  haul_test_wait_finished (d);
  return d;
}

/* ------------------------------------------------------------------ */

/* A self-signed certificate: refused by default, with a clear reason, and
 * nothing written. */
static void
test_tls_self_signed (Fixture       *fx,
                      gconstpointer  data)
{
  static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n";
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
  HaulDownload *d;

  raw_server_add (fx->server, "/secret.bin", head, strlen (head), body, 0);
  d = add (fx, "/secret.bin");
  haul_test_assert_failed_with (d, "could not be trusted");
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0); /* not a passing fault */
  haul_test_assert_folder (fx->dir, "");
}

/* One header line of 8 MiB, and header lines without end (64 MiB offered):
 * refused, with a bounded read, not buffered whole. */
static void
test_header_flood (Fixture       *fx,
                   gconstpointer  data)
{
  static const char status[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n";
  g_autoptr(GString) huge = g_string_new ("HTTP/1.1 200 OK\r\nX-Huge: ");
  gint64 rss_before = haul_test_proc_status_kib ("VmHWM");
  HaulDownload *d;

  for (guint i = 0; i < 8 * 1024 * 1024 / 64; i++)
    g_string_append (huge, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  g_string_append (huge, "\r\nContent-Length: 0\r\n\r\n");
  raw_server_add (fx->server, "/huge-header.bin", huge->str, huge->len, NULL, 0);
  raw_server_add (fx->server, "/endless-headers.bin", status, strlen (status), NULL, 64 * 1024 * 1024);

  d = add (fx, "/huge-header.bin");
  haul_test_assert_failed_with (d, "headers were cut off or too long");
  g_test_message ("8 MiB header: %s", haul_download_get_error (d));

  d = add (fx, "/endless-headers.bin");
  haul_test_assert_failed_with (d, "headers were cut off or too long");
  g_test_message ("endless headers: %s; the server wrote %" G_GSIZE_FORMAT " bytes of them",
                  haul_download_get_error (d), raw_server_get_flooded (fx->server));
  /* The client hung up long before the 64 MiB (×2 attempts) were written. */
  g_assert_cmpuint (raw_server_get_flooded (fx->server), <, 2 * 16 * 1024 * 1024);

  g_test_message ("peak RSS %" G_GINT64_FORMAT " KiB before, %" G_GINT64_FORMAT " KiB after",
                  rss_before, haul_test_proc_status_kib ("VmHWM"));
  g_assert_cmpint (haul_test_proc_status_kib ("VmHWM") - rss_before, <, 64 * 1024);
  haul_test_assert_folder (fx->dir, "");
}

/* Control and escape bytes and separators in a name: the file lands in
 * the folder under a safe name, nowhere else. A NUL in a header makes
 * libsoup refuse the whole answer: refused, nothing written. */
static void
test_hostile_name_bytes (Fixture       *fx,
                         gconstpointer  data)
{
  static const char head[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n"
    "Content-Disposition: attachment; filename=\"ok\x01\x1b[31mname\x7f.txt/../../escape.txt\"\r\n\r\n";
  static const char nul[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n"
    "Content-Disposition: attachment; filename=\"a\0/../../escape.txt\"\r\n\r\n";
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
  g_autofree char *parent = g_path_get_dirname (fx->dir);
  g_autofree char *escaped = g_build_filename (parent, "escape.txt", NULL);
  HaulDownload *d;

  raw_server_add (fx->server, "/name.bin", head, sizeof head - 1, body, 0);
  raw_server_add (fx->server, "/nul.bin", nul, sizeof nul - 1, body, 0);

  d = add (fx, "/nul.bin");
  haul_test_assert_failed_with (d, "sent a response Haul cannot accept");
  haul_test_assert_folder (fx->dir, "");

  d = add (fx, "/name.bin");
  if (haul_download_get_state (d) != HAUL_DOWNLOAD_STATE_COMPLETED)
    g_error ("not completed: %s", haul_download_get_error (d));
  g_test_message ("saved as “%s”", haul_download_get_filename (d));
  g_assert_cmpstr (haul_download_get_filename (d), ==, "escape.txt");
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  haul_test_assert_folder (fx->dir, "escape.txt");
}

/* Redirects may only lead to http and https, and a Location with control
 * bytes is refused rather than followed. */
static void
test_redirect_schemes (Fixture       *fx,
                       gconstpointer  data)
{
  static const char to_file[] = "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n";
  static const char to_ftp[] = "HTTP/1.1 301 Moved\r\nLocation: ftp://127.0.0.1/x\r\nContent-Length: 0\r\n\r\n";
  static const char control[] = "HTTP/1.1 302 Found\r\nLocation: /next\x01\x7f\r\nContent-Length: 0\r\n\r\n";
  HaulDownload *d;

  raw_server_add (fx->server, "/to-file", to_file, strlen (to_file), NULL, 0);
  raw_server_add (fx->server, "/to-ftp", to_ftp, strlen (to_ftp), NULL, 0);
  raw_server_add (fx->server, "/control", control, strlen (control), NULL, 0);

  d = add (fx, "/to-file");
  haul_test_assert_failed_with (d, "“file” links are not supported");
  d = add (fx, "/to-ftp");
  haul_test_assert_failed_with (d, "“ftp” links are not supported");
  d = add (fx, "/control");
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_FAILED);
  g_test_message ("Location with control bytes: %s", haul_download_get_error (d));
  haul_test_assert_folder (fx->dir, "");
}

/* A broken status line and a body longer than announced on a connection
 * that then closes: errors, and no "completed" file. */
static void
test_broken_answers (Fixture       *fx,
                     gconstpointer  data)
{
  static const char bad_status[] = "HTTP/1.1 2000 OK\r\nContent-Length: 5\r\n\r\nhello";
  static const char lying[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\nConnection: close\r\n\r\n";
  g_autoptr(GBytes) body = g_bytes_new_static ("only this", 9);
  HaulDownload *d;

  raw_server_add (fx->server, "/bad-status", bad_status, strlen (bad_status), NULL, 0);
  raw_server_add (fx->server, "/lying", lying, strlen (lying), body, 0);

  d = add (fx, "/bad-status");
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_FAILED);
  g_test_message ("bad status line: %s", haul_download_get_error (d));

  d = add (fx, "/lying");
  haul_test_assert_failed_with (d, "closed the connection");
  /* Only the partial file, kept for a resume; never the final name. */
  haul_test_assert_folder (fx->dir, "lying.part");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("all_proxy");

#define ADD(name, tls, fn) \
  g_test_add ("/haul/core/hostile/" name, Fixture, GINT_TO_POINTER (tls), fixture_set_up, fn, fixture_tear_down)
  ADD ("tls-self-signed", TRUE, test_tls_self_signed);
  ADD ("header-flood", FALSE, test_header_flood);
  ADD ("name-bytes", FALSE, test_hostile_name_bytes);
  ADD ("redirect-schemes", FALSE, test_redirect_schemes);
  ADD ("broken-answers", FALSE, test_broken_answers);
#undef ADD

  return g_test_run ();
}

/* test-test-server.c — the test HTTP server's own behaviours
 *
 * The engine's tests trust tests/haul-test-server.c to misbehave exactly as
 * asked. These tests talk to it over a plain TCP socket on 127.0.0.1 (one
 * HTTP/1.1 request with "Connection: close", then everything read until
 * EOF), so they see the bytes on the wire as they are: statuses, headers,
 * bodies cut short and bytes written after a body.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "haul-test-server.h"

#define FILE_SIZE 1000

typedef struct
{
  guint       status;
  GHashTable *headers;        /* lowercase name → value */
  GBytes     *body;           /* the bytes after the headers, until EOF (de-chunked) */
  gboolean    timed_out;      /* the server stopped sending but kept the connection */
  gint64      first_body_us;  /* monotonic: first body byte received */
  gint64      done_us;        /* monotonic: EOF, error or time-out */
} Answer;

static void
answer_free (Answer *a)
{
  g_hash_table_unref (a->headers);
  g_bytes_unref (a->body);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static const char *
header (Answer     *a,
        const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (a->headers, lower);
}

/* Decodes a chunked body (asserts that it is well-formed and complete). */
static GBytes *
dechunk (const guint8 *data,
         gsize         len)
{
  GByteArray *out = g_byte_array_new ();
  gsize pos = 0;

  for (;;)
    {
      const guint8 *eol = memchr (data + pos, '\n', len - pos);
      guint64 size;

      g_assert_nonnull (eol);
      size = g_ascii_strtoull ((const char *) data + pos, NULL, 16);
      pos = eol - data + 1;
      if (size == 0)
        break;
      g_assert_cmpuint (pos + size + 2, <=, len);
      g_byte_array_append (out, data + pos, size);
      pos += size + 2;
    }
  return g_byte_array_free_to_bytes (out);
}

static void
parse_head (Answer     *a,
            const char *head)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);

  g_assert_true (g_str_has_prefix (lines[0], "HTTP/1.1 "));
  a->status = (guint) g_ascii_strtoull (lines[0] + 9, NULL, 10);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      g_assert_nonnull (colon);
      g_hash_table_replace (a->headers,
                            g_ascii_strdown (lines[i], colon - lines[i]),
                            g_strstrip (g_strdup (colon + 1)));
    }
}

/* @method @path (with Range and If-Range when not NULL, and @form as an
 * application/x-www-form-urlencoded body when not NULL) and read until
 * EOF, or until nothing arrives for @timeout_ms. */
static Answer *
send_request (guint16     port,
              const char *method,
              const char *path,
              const char *range,
              const char *if_range,
              const char *form,
              guint       timeout_ms)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GByteArray) got = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) request = g_string_new (NULL);
  Answer *a = g_new0 (Answer, 1);
  gssize head_len = -1;   /* where "\r\n\r\n" starts, once received */
  g_autofree char *head = NULL;
  guint8 buf[4096];

  a->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 0);

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n",
                          method, path, port);
  if (range != NULL)
    g_string_append_printf (request, "Range: %s\r\n", range);
  if (if_range != NULL)
    g_string_append_printf (request, "If-Range: %s\r\n", if_range);
  if (form != NULL)
    g_string_append_printf (request, "Content-Type: application/x-www-form-urlencoded\r\n"
                            "Content-Length: %zu\r\n", strlen (form));
  g_string_append (request, "\r\n");
  if (form != NULL)
    g_string_append (request, form);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                             request->str, request->len, NULL, NULL, &error);
  g_assert_no_error (error);

  for (;;)
    {
      GSocket *socket = g_socket_connection_get_socket (conn);
      gssize n;

      if (!g_socket_condition_timed_wait (socket, G_IO_IN, (gint64) timeout_ms * 1000, NULL, NULL))
        {
          a->timed_out = TRUE;
          break;
        }
      n = g_socket_receive (socket, (char *) buf, sizeof buf, NULL, NULL);
      if (n <= 0)
        break; /* EOF, or the connection reset */
      g_byte_array_append (got, buf, n);
      if (head_len < 0)
        {
          const char *found = g_strstr_len ((const char *) got->data, got->len, "\r\n\r\n");

          if (found != NULL)
            head_len = (const guint8 *) found - got->data;
        }
      if (head_len >= 0 && a->first_body_us == 0 && got->len > (gsize) head_len + 4)
        a->first_body_us = g_get_monotonic_time ();
    }
  a->done_us = g_get_monotonic_time ();

  g_assert_cmpint (head_len, >=, 0);
  head = g_strndup ((const char *) got->data, head_len);
  parse_head (a, head);

  if (g_strcmp0 (header (a, "Transfer-Encoding"), "chunked") == 0)
    a->body = dechunk (got->data + head_len + 4, got->len - head_len - 4);
  else
    a->body = g_bytes_new (got->data + head_len + 4, got->len - head_len - 4);
  return a;
}

/* GET @path. */
static Answer *
fetch (guint16     port,
       const char *path,
       const char *range,
       const char *if_range,
       guint       timeout_ms)
{
  return send_request (port, "GET", path, range, if_range, NULL, timeout_ms);
}

/* Asserts that @a's body is bytes [@start, @end] of @content. */
static void
assert_body_is (Answer *a,
                GBytes *content,
                gsize   start,
                gsize   end)
{
  g_autoptr(GBytes) want = g_bytes_new_from_bytes (content, start, end - start + 1);

  g_assert_cmpuint (g_bytes_get_size (a->body), ==, end - start + 1);
  g_assert_true (g_bytes_equal (a->body, want));
}

typedef struct
{
  HaulTestServer *server;
  guint16         port;
  GBytes         *content;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  fx->server = haul_test_server_new ();
  fx->port = haul_test_server_get_port (fx->server);
  fx->content = haul_test_content (FILE_SIZE, 7);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_pointer (&fx->server, haul_test_server_free);
  g_clear_pointer (&fx->content, g_bytes_unref);
}

#define FETCH(path, range, if_range) fetch (fx->port, (path), (range), (if_range), 5000)

/* fail_skip: the first requests pass, then the fault (forever, or
 * fail_times of them). */
static void
test_fail_skip (Fixture       *fx,
                gconstpointer  data)
{
  static const guint forever[] = { 200, 206, 503, 503, 503 };
  static const guint once[] = { 200, 206, 503, 206 };

  haul_test_server_add_file (fx->server, "/forever", fx->content,
                             &(HaulTestFileOptions) { .fail_status = 503, .fail_skip = 2,
                                                      .retry_after = "7" });
  haul_test_server_add_file (fx->server, "/once", fx->content,
                             &(HaulTestFileOptions) { .fail_status = 503, .fail_skip = 2,
                                                      .fail_times = 1 });

  for (guint i = 0; i < G_N_ELEMENTS (forever); i++)
    {
      g_autoptr(Answer) a = FETCH ("/forever", i == 0 ? NULL : "bytes=100-199", NULL);

      g_assert_cmpuint (a->status, ==, forever[i]);
      g_assert_cmpstr (header (a, "Retry-After"), ==, a->status == 503 ? "7" : NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (once); i++)
    {
      g_autoptr(Answer) a = FETCH ("/once", i == 0 ? NULL : "bytes=100-199", NULL);

      g_assert_cmpuint (a->status, ==, once[i]);
      if (a->status == 206)
        assert_body_is (a, fx->content, 100, 199);
    }

  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/forever", 503), ==, 3);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/forever", 206), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/once", 503), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/once", 206), ==, 2);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/once", 200), ==, 1);
}

/* fault_skip: reset and stall spare the first requests. */
static void
test_fault_skip (Fixture       *fx,
                 gconstpointer  data)
{
  haul_test_server_add_file (fx->server, "/reset", fx->content,
                             &(HaulTestFileOptions) { .reset = TRUE, .reset_after = 100,
                                                      .reset_times = 1, .fault_skip = 1 });
  haul_test_server_add_file (fx->server, "/stall", fx->content,
                             &(HaulTestFileOptions) { .stall = TRUE, .stall_after = 50,
                                                      .fault_skip = 2 });

  {
    g_autoptr(Answer) first = FETCH ("/reset", NULL, NULL);
    g_autoptr(Answer) second = FETCH ("/reset", "bytes=200-", NULL);
    g_autoptr(Answer) third = FETCH ("/reset", NULL, NULL);

    assert_body_is (first, fx->content, 0, FILE_SIZE - 1);
    g_assert_cmpuint (second->status, ==, 206);
    g_assert_cmpstr (header (second, "Content-Length"), ==, "800");
    assert_body_is (second, fx->content, 200, 299);
    g_assert_false (second->timed_out);
    assert_body_is (third, fx->content, 0, FILE_SIZE - 1);
  }

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Answer) a = FETCH ("/stall", "bytes=100-", NULL);

      g_assert_false (a->timed_out);
      assert_body_is (a, fx->content, 100, FILE_SIZE - 1);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Answer) a = fetch (fx->port, "/stall", "bytes=100-", NULL, 300);

      g_assert_true (a->timed_out);
      assert_body_is (a, fx->content, 100, 149);
    }
}

/* range_requests_honoured: ranges work for the first N Range requests only. */
static void
test_range_requests_honoured (Fixture       *fx,
                              gconstpointer  data)
{
  haul_test_server_add_file (fx->server, "/f", fx->content,
                             &(HaulTestFileOptions) { .range_requests_honoured = 1, .etag = "\"e\"" });

  {
    g_autoptr(Answer) plain = FETCH ("/f", NULL, NULL);          /* not a Range request */
    g_autoptr(Answer) probe = FETCH ("/f", "bytes=0-", "\"e\"");
    g_autoptr(Answer) later = FETCH ("/f", "bytes=100-199", "\"e\"");

    g_assert_cmpuint (plain->status, ==, 200);
    g_assert_cmpuint (probe->status, ==, 206);
    g_assert_cmpstr (header (probe, "Content-Range"), ==, "bytes 0-999/1000");
    assert_body_is (probe, fx->content, 0, FILE_SIZE - 1);

    g_assert_cmpuint (later->status, ==, 200);
    g_assert_null (header (later, "Content-Range"));
    g_assert_cmpstr (header (later, "Accept-Ranges"), ==, "bytes");
    assert_body_is (later, fx->content, 0, FILE_SIZE - 1);
  }
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/f", 206), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/f", 200), ==, 2);
}

/* lie_range_start and lie_range_total: only for ranges starting after 0. */
static void
test_lying_ranges (Fixture       *fx,
                   gconstpointer  data)
{
  haul_test_server_add_file (fx->server, "/ahead", fx->content,
                             &(HaulTestFileOptions) { .lie_range_start = 10 });
  haul_test_server_add_file (fx->server, "/behind", fx->content,
                             &(HaulTestFileOptions) { .lie_range_start = -10 });
  haul_test_server_add_file (fx->server, "/total", fx->content,
                             &(HaulTestFileOptions) { .lie_range_total = 5000 });

  {
    g_autoptr(Answer) honest = FETCH ("/ahead", "bytes=0-99", NULL);
    g_autoptr(Answer) ahead = FETCH ("/ahead", "bytes=100-199", NULL);
    g_autoptr(Answer) clamped = FETCH ("/ahead", "bytes=950-", NULL);
    g_autoptr(Answer) behind = FETCH ("/behind", "bytes=100-199", NULL);

    g_assert_cmpstr (header (honest, "Content-Range"), ==, "bytes 0-99/1000");
    assert_body_is (honest, fx->content, 0, 99);

    g_assert_cmpuint (ahead->status, ==, 206);
    g_assert_cmpstr (header (ahead, "Content-Range"), ==, "bytes 110-209/1000");
    g_assert_cmpstr (header (ahead, "Content-Length"), ==, "100");
    assert_body_is (ahead, fx->content, 110, 209);

    g_assert_cmpstr (header (clamped, "Content-Range"), ==, "bytes 960-999/1000");
    g_assert_cmpstr (header (clamped, "Content-Length"), ==, "40");
    assert_body_is (clamped, fx->content, 960, 999);

    g_assert_cmpstr (header (behind, "Content-Range"), ==, "bytes 90-189/1000");
    assert_body_is (behind, fx->content, 90, 189);
  }
  {
    g_autoptr(Answer) first = FETCH ("/total", "bytes=0-99", NULL);
    g_autoptr(Answer) later = FETCH ("/total", "bytes=100-199", NULL);

    g_assert_cmpstr (header (first, "Content-Range"), ==, "bytes 0-99/1000");
    g_assert_cmpstr (header (later, "Content-Range"), ==, "bytes 100-199/5000");
    assert_body_is (later, fx->content, 100, 199);
  }
}

/* short_range_body and long_range_body: what goes on the wire. */
static void
test_short_and_long_bodies (Fixture       *fx,
                            gconstpointer  data)
{
  haul_test_server_add_file (fx->server, "/short", fx->content,
                             &(HaulTestFileOptions) { .short_range_body = 30 });
  haul_test_server_add_file (fx->server, "/long", fx->content,
                             &(HaulTestFileOptions) { .long_range_body = 30 });
  haul_test_server_add_file (fx->server, "/long-chunked", fx->content,
                             &(HaulTestFileOptions) { .long_range_body = 30, .chunked = TRUE });

  {
    g_autoptr(Answer) whole = FETCH ("/short", "bytes=0-99", NULL);
    g_autoptr(Answer) cut = FETCH ("/short", "bytes=100-199", NULL);
    g_autoptr(Answer) plain = FETCH ("/short", NULL, NULL);

    assert_body_is (whole, fx->content, 0, 99);
    g_assert_cmpuint (cut->status, ==, 206);
    g_assert_cmpstr (header (cut, "Content-Range"), ==, "bytes 100-199/1000");
    g_assert_cmpstr (header (cut, "Content-Length"), ==, "100");
    g_assert_false (cut->timed_out);
    assert_body_is (cut, fx->content, 100, 169);
    assert_body_is (plain, fx->content, 0, FILE_SIZE - 1);
  }
  {
    g_autoptr(Answer) whole = FETCH ("/long", "bytes=0-99", NULL);
    g_autoptr(Answer) extra = FETCH ("/long", "bytes=100-199", NULL);
    g_autoptr(Answer) at_end = FETCH ("/long", "bytes=990-", NULL);
    const guint8 *tail;

    assert_body_is (whole, fx->content, 0, 99);
    g_assert_cmpuint (extra->status, ==, 206);
    g_assert_cmpstr (header (extra, "Content-Range"), ==, "bytes 100-199/1000");
    g_assert_cmpstr (header (extra, "Content-Length"), ==, "100");
    g_assert_cmpstr (header (extra, "Connection"), ==, "close");
    /* The range, then the next 30 bytes of the file raw after it. */
    assert_body_is (extra, fx->content, 100, 229);

    /* Past the end of the file, zeros. */
    g_assert_cmpstr (header (at_end, "Content-Range"), ==, "bytes 990-999/1000");
    g_assert_cmpuint (g_bytes_get_size (at_end->body), ==, 40);
    tail = g_bytes_get_data (at_end->body, NULL);
    g_assert_cmpmem (tail, 10, (const guint8 *) g_bytes_get_data (fx->content, NULL) + 990, 10);
    for (guint i = 10; i < 40; i++)
      g_assert_cmpuint (tail[i], ==, 0);
  }
  {
    g_autoptr(Answer) extra = FETCH ("/long-chunked", "bytes=100-199", NULL);

    g_assert_cmpuint (extra->status, ==, 206);
    g_assert_cmpstr (header (extra, "Content-Range"), ==, "bytes 100-199/1000");
    g_assert_null (header (extra, "Content-Length"));
    assert_body_is (extra, fx->content, 100, 229);
  }
}

/* encoding_on_partial: Content-Encoding on 206 answers only. */
static void
test_encoding_on_partial (Fixture       *fx,
                          gconstpointer  data)
{
  haul_test_server_add_file (fx->server, "/f", fx->content,
                             &(HaulTestFileOptions) { .encoding_on_partial = "gzip" });

  {
    g_autoptr(Answer) whole = FETCH ("/f", NULL, NULL);
    g_autoptr(Answer) probe = FETCH ("/f", "bytes=0-", NULL);
    g_autoptr(Answer) part = FETCH ("/f", "bytes=500-599", NULL);

    g_assert_cmpuint (whole->status, ==, 200);
    g_assert_null (header (whole, "Content-Encoding"));
    g_assert_cmpuint (probe->status, ==, 206);
    g_assert_cmpstr (header (probe, "Content-Encoding"), ==, "gzip");
    g_assert_cmpstr (header (part, "Content-Encoding"), ==, "gzip");
    assert_body_is (part, fx->content, 500, 599);
  }
}

/* change_after with If-Range: a stale validator gets 200 and the whole new
 * file; the new one gets 206 of the new file; ignore_if_range gives 206
 * whatever If-Range says. */
static void
test_change_and_if_range (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GBytes) next = haul_test_content (FILE_SIZE + 500, 8);
  static const char old_date[] = "Mon, 01 Jan 2024 00:00:00 GMT";
  static const char new_date[] = "Tue, 02 Jan 2024 00:00:00 GMT";

  haul_test_server_add_file (fx->server, "/etag", fx->content,
                             &(HaulTestFileOptions) { .etag = "\"v1\"", .change_after = 1,
                                                      .new_content = next, .new_etag = "\"v2\"" });
  haul_test_server_add_file (fx->server, "/date", fx->content,
                             &(HaulTestFileOptions) { .last_modified = old_date, .change_after = 1,
                                                      .new_content = next,
                                                      .new_last_modified = new_date });
  haul_test_server_add_file (fx->server, "/broken", fx->content,
                             &(HaulTestFileOptions) { .etag = "\"v1\"", .change_after = 1,
                                                      .new_content = next, .new_etag = "\"v2\"",
                                                      .ignore_if_range = TRUE });

  {
    g_autoptr(Answer) probe = FETCH ("/etag", "bytes=0-", NULL);
    g_autoptr(Answer) stale = FETCH ("/etag", "bytes=100-199", "\"v1\"");
    g_autoptr(Answer) fresh = FETCH ("/etag", "bytes=100-199", "\"v2\"");
    g_autoptr(Answer) beyond = FETCH ("/etag", "bytes=5000-", "\"v2\"");

    g_assert_cmpuint (probe->status, ==, 206);
    g_assert_cmpstr (header (probe, "ETag"), ==, "\"v1\"");
    g_assert_cmpuint (stale->status, ==, 200);
    g_assert_cmpstr (header (stale, "ETag"), ==, "\"v2\"");
    assert_body_is (stale, next, 0, FILE_SIZE + 499);
    g_assert_cmpuint (fresh->status, ==, 206);
    g_assert_cmpstr (header (fresh, "Content-Range"), ==, "bytes 100-199/1500");
    assert_body_is (fresh, next, 100, 199);
    g_assert_cmpuint (beyond->status, ==, 416);
    g_assert_cmpstr (header (beyond, "Content-Range"), ==, "bytes */1500");
  }
  {
    g_autoptr(Answer) probe = FETCH ("/date", "bytes=0-", NULL);
    g_autoptr(Answer) stale = FETCH ("/date", "bytes=100-199", old_date);
    g_autoptr(Answer) fresh = FETCH ("/date", "bytes=100-199", new_date);

    g_assert_cmpstr (header (probe, "Last-Modified"), ==, old_date);
    g_assert_cmpuint (stale->status, ==, 200);
    g_assert_cmpstr (header (stale, "Last-Modified"), ==, new_date);
    assert_body_is (stale, next, 0, FILE_SIZE + 499);
    g_assert_cmpuint (fresh->status, ==, 206);
    assert_body_is (fresh, next, 100, 199);
  }
  {
    g_autoptr(Answer) probe = FETCH ("/broken", "bytes=0-", NULL);
    g_autoptr(Answer) stale = FETCH ("/broken", "bytes=100-199", "\"v1\"");

    g_assert_cmpuint (stale->status, ==, 206);
    g_assert_cmpstr (header (stale, "ETag"), ==, "\"v2\"");
    assert_body_is (stale, next, 100, 199);
  }
}

/* allow_post: a form's POST gets the file as a GET would (200, the body,
 * Content-Disposition), counted with its headers; without it, and for
 * other methods, 405. */
static void
test_allow_post (Fixture       *fx,
                 gconstpointer  data)
{
  g_auto(GStrv) types = NULL;

  haul_test_server_add_file (fx->server, "/post.bin", fx->content,
                             &(HaulTestFileOptions) {
                               .allow_post = TRUE,
                               .content_disposition = "attachment; filename=\"post.bin\"",
                             });
  haul_test_server_add_file (fx->server, "/get.bin", fx->content, NULL);

  {
    g_autoptr(Answer) post = send_request (fx->port, "POST", "/post.bin", NULL, NULL, "k=v", 5000);
    g_autoptr(Answer) get = FETCH ("/post.bin", NULL, NULL);
    g_autoptr(Answer) refused = send_request (fx->port, "POST", "/get.bin", NULL, NULL, "k=v", 5000);
    g_autoptr(Answer) put = send_request (fx->port, "PUT", "/post.bin", NULL, NULL, "k=v", 5000);

    g_assert_cmpuint (post->status, ==, 200);
    g_assert_cmpstr (header (post, "Content-Disposition"), ==, "attachment; filename=\"post.bin\"");
    assert_body_is (post, fx->content, 0, FILE_SIZE - 1);
    g_assert_cmpuint (get->status, ==, 200);
    assert_body_is (get, fx->content, 0, FILE_SIZE - 1);
    g_assert_cmpuint (refused->status, ==, 405);
    g_assert_cmpuint (put->status, ==, 405);
  }

  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/post.bin"), ==, 3);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/post.bin", 200), ==, 2);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/post.bin", 405), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/get.bin", 405), ==, 1);
  types = haul_test_server_get_header_values (fx->server, "/post.bin", "Content-Type");
  g_assert_cmpuint (g_strv_length (types), ==, 3);
  g_assert_cmpstr (types[0], ==, "application/x-www-form-urlencoded");
  g_assert_cmpstr (types[1], ==, "");
}

typedef struct
{
  guint16 port;
  char    range[64];
} Job;

static gpointer
fetch_thread (gpointer data)
{
  Job *job = data;

  return fetch (job->port, "/slow", job->range, "\"s\"", 10000);
}

/* Several ranges of one path at once, each throttled: every one of them
 * receives bytes before any of them ends (none waits for another), and the
 * per-path counters see them all. */
static void
test_concurrent_ranges (Fixture       *fx,
                        gconstpointer  data)
{
  enum { N = 4, PART = 8 * KIB };
  g_autoptr(GBytes) content = haul_test_content (N * PART, 9);
  g_auto(GStrv) ranges = NULL;
  GThread *threads[N];
  Job jobs[N];
  Answer *answers[N];
  gint64 last_first_byte = 0, first_done = G_MAXINT64;

  /* About half a second per range at 16 KiB/s. */
  haul_test_server_add_file (fx->server, "/slow", content,
                             &(HaulTestFileOptions) { .rate = 16 * KIB, .etag = "\"s\"" });
  haul_test_server_add_file (fx->server, "/other", fx->content, NULL);

  for (guint i = 0; i < N; i++)
    {
      jobs[i].port = fx->port;
      g_snprintf (jobs[i].range, sizeof jobs[i].range, "bytes=%u-%u", i * PART, (i + 1) * PART - 1);
      threads[i] = g_thread_new ("fetch", fetch_thread, &jobs[i]);
    }
  for (guint i = 0; i < N; i++)
    answers[i] = g_thread_join (threads[i]);

  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpuint (answers[i]->status, ==, 206);
      assert_body_is (answers[i], content, i * PART, (i + 1) * PART - 1);
      g_assert_cmpint (answers[i]->first_body_us, >, 0);
      last_first_byte = MAX (last_first_byte, answers[i]->first_body_us);
      first_done = MIN (first_done, answers[i]->done_us);
      answer_free (answers[i]);
    }
  g_assert_cmpint (last_first_byte, <, first_done);

  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, "/slow"), ==, N);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/slow", 206), ==, N);
  g_assert_cmpuint (haul_test_server_get_in_flight (fx->server), ==, 0);
  ranges = haul_test_server_get_ranges (fx->server, "/slow");
  g_assert_cmpuint (g_strv_length (ranges), ==, N);
  for (guint i = 0; i < N; i++)
    g_assert_true (g_strv_contains ((const char * const *) ranges, jobs[i].range));

  /* Another path's maximum is its own. */
  {
    g_autoptr(Answer) other = FETCH ("/other", NULL, NULL);

    g_assert_cmpuint (other->status, ==, 200);
  }
  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, "/other"), ==, 1);
  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, "/none"), ==, 0);

  haul_test_server_reset_counters (fx->server);
  g_assert_cmpuint (haul_test_server_get_max_in_flight_path (fx->server, "/slow"), ==, 0);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/slow", 206), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) \
  g_test_add ("/haul/test-server/" name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("fail-skip", test_fail_skip);
  ADD ("fault-skip", test_fault_skip);
  ADD ("range-requests-honoured", test_range_requests_honoured);
  ADD ("lying-ranges", test_lying_ranges);
  ADD ("short-and-long-bodies", test_short_and_long_bodies);
  ADD ("encoding-on-partial", test_encoding_on_partial);
  ADD ("change-and-if-range", test_change_and_if_range);
  ADD ("concurrent-ranges", test_concurrent_ranges);
  ADD ("allow-post", test_allow_post);
#undef ADD

  return g_test_run ();
}

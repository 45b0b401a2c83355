/* test-request-context-http.c — downloads with cookies, a referrer, a user
 * agent and extra headers, against the real test server on 127.0.0.1
 *
 * The server answers 403 unless each request carries what the file
 * requires, and records every request's headers: each attempt, each
 * segment, each redirect hop is checked on the server's side. The queue is
 * bound to a real store: a restart keeps the context, removing the
 * download removes it from the file. Every message logged while the tests
 * run is captured and must not hold a cookie or header value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "haul-connections.h"
#include "haul-download.h"
#include "haul-queue.h"
#include "haul-request-context.h"
#include "haul-store.h"
#include "haul-test-log.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

#define COOKIE_MARK "cookieMARK7f3a9"
#define HEADER_MARK "headerMARK51c2e"
#define REFERRER    "https://files.example.org/page?from=test"
#define AGENT       "TestBrowser/9.0 (X11)"

static const char * const required[] = {
  "Cookie: session=" COOKIE_MARK,
  "Referer: " REFERRER,
  "User-Agent: " AGENT,
  "X-Token: " HEADER_MARK,
  NULL
};

typedef struct
{
  HaulTestServer *server;
  HaulQueue      *queue;
  HaulStore      *store;
  char           *tmp;
  char           *dir;
  char           *db;
} Fixture;

static void
load_chunk_cb (HaulStore *store,
               GPtrArray *records,
               gpointer   user_data)
{
  haul_queue_restore (user_data, records, TRUE);
}

static HaulQueue *
new_queue (guint connections)
{
  HaulQueue *queue = haul_queue_new ();

  g_object_set (queue,
                "max-connections", connections,
                "connect-timeout", 10,
                "stall-timeout", 20,
                "retry-base-delay", 50,
                "max-retries", 0,
                NULL);
  return queue;
}

static void
open_queue (Fixture *fx,
            guint    connections)
{
  HaulTestAsync w = { 0 };
  g_autoptr(GError) error = NULL;

  fx->store = haul_test_open_store (fx->db);
  fx->queue = new_queue (connections);
  haul_store_load_async (fx->store, load_chunk_cb, fx->queue, NULL, haul_test_async_cb, &w);
  g_assert_true (haul_store_load_finish (fx->store, haul_test_async_wait (&w), NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  haul_queue_set_store (fx->queue, fx->store);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  haul_connections_reset ();
  fx->server = haul_test_server_new ();
  fx->tmp = g_dir_make_tmp ("haul-context-XXXXXX", &error);
  g_assert_no_error (error);
  fx->dir = g_build_filename (fx->tmp, "downloads", NULL);
  g_assert_cmpint (g_mkdir (fx->dir, 0755), ==, 0);
  fx->db = g_build_filename (fx->tmp, "haul.db", NULL);
  open_queue (fx, GPOINTER_TO_UINT (data) != 0 ? GPOINTER_TO_UINT (data) : 1);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  haul_test_server_free (fx->server);
  haul_test_rm_rf (fx->tmp);
  g_free (fx->tmp);
  g_free (fx->dir);
  g_free (fx->db);
  haul_test_assert_not_logged (COOKIE_MARK);
  haul_test_assert_not_logged (HEADER_MARK);
}

/* The context a browser would hand over: the session cookie of the
 * server (127.0.0.1, host-only), one for another site, the referrer, its
 * user agent and a token header. */
static HaulRequestContext *
browser_context (void)
{
  HaulRequestContext *ctx = haul_request_context_new ();
  g_autoptr(SoupCookie) session = soup_cookie_new ("session", COOKIE_MARK, "127.0.0.1", "/", -1);
  g_autoptr(SoupCookie) elsewhere = soup_cookie_new ("elsewhere", COOKIE_MARK "x", ".example.org", "/", -1);

  haul_request_context_add_cookie (ctx, session);
  haul_request_context_add_cookie (ctx, elsewhere);
  g_assert_true (haul_request_context_set_referrer (ctx, REFERRER, NULL));
  g_assert_true (haul_request_context_set_user_agent (ctx, AGENT, NULL));
  g_assert_true (haul_request_context_add_header_line (ctx, "X-Token: " HEADER_MARK, NULL));
  return ctx;
}

static HaulDownload *
add_with_context (Fixture            *fx,
                  const char         *path,
                  HaulRequestContext *ctx)
{
  g_autofree char *uri = haul_test_server_uri (fx->server, path);
  g_autoptr(GError) error = NULL;
  HaulDownload *d = haul_queue_add_with_context (fx->queue, uri, fx->dir, ctx, &error);

  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

/* Every request of @path carried exactly what the file requires. */
static guint
assert_every_request_carried (Fixture    *fx,
                              const char *path)
{
  g_auto(GStrv) cookies = haul_test_server_get_header_values (fx->server, path, "Cookie");
  g_auto(GStrv) referrers = haul_test_server_get_header_values (fx->server, path, "Referer");
  g_auto(GStrv) agents = haul_test_server_get_header_values (fx->server, path, "User-Agent");
  g_auto(GStrv) tokens = haul_test_server_get_header_values (fx->server, path, "X-Token");
  guint n = g_strv_length (cookies);

  g_assert_cmpuint (n, ==, haul_test_server_get_n_requests (fx->server, path));
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (cookies[i], ==, "session=" COOKIE_MARK);
      g_assert_cmpstr (referrers[i], ==, REFERRER);
      g_assert_cmpstr (agents[i], ==, AGENT);
      g_assert_cmpstr (tokens[i], ==, HEADER_MARK);
    }
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, path, 403), ==, 0);
  return n;
}

static void
assert_file (Fixture    *fx,
             const char *name,
             GBytes     *content)
{
  g_autofree char *path = g_build_filename (fx->dir, name, NULL);

  haul_test_assert_file_is (path, content);
}

static GBytes *
serve_protected (Fixture *fx,
                 const char *path,
                 gsize    size,
                 gint64   rate)
{
  GBytes *content = haul_test_content (size, g_str_hash (path));

  haul_test_server_add_file (fx->server, path, content,
                             &(HaulTestFileOptions) { .rate = rate, .etag = "\"v1\"",
                                                      .require_headers = required });
  return content;
}

/* With the context the file arrives; without it the server refuses, and
 * the error says so without any value. */
static void
test_required (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GBytes) content = serve_protected (fx, "/p.bin", 300 * KIB, 0);
  g_autoptr(HaulRequestContext) ctx = browser_context ();
  g_autoptr(HaulRequestContext) wrong = browser_context ();
  g_autoptr(SoupCookie) stale = soup_cookie_new ("session", "expired" COOKIE_MARK, "127.0.0.1", "/", -1);
  HaulDownload *d = add_with_context (fx, "/p.bin", ctx);
  HaulDownload *plain;
  HaulDownload *refused;
  g_autofree char *desc = NULL;

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "p.bin", content);
  assert_every_request_carried (fx, "/p.bin");

  /* The download keeps its own copy: only its site's cookie. */
  g_assert_true (haul_request_context_is_frozen (haul_download_get_request_context (d)));
  desc = haul_request_context_describe (haul_download_get_request_context (d));
  g_assert_cmpstr (desc, ==, "1 cookie, referrer files.example.org, own user agent, 1 extra header");
  g_assert_false (haul_request_context_is_frozen (ctx));

  /* Without a context, and with the wrong cookie: 403. */
  haul_test_server_add_file (fx->server, "/q.bin", content,
                             &(HaulTestFileOptions) { .require_headers = required });
  plain = haul_test_add (fx->queue, fx->server, fx->dir, "/q.bin");
  haul_test_wait_finished (plain);
  haul_test_assert_failed_with (plain, "refused access");

  haul_test_server_add_file (fx->server, "/r.bin", content,
                             &(HaulTestFileOptions) { .require_headers = required });
  haul_request_context_add_cookie (wrong, stale);
  refused = add_with_context (fx, "/r.bin", wrong);
  haul_test_wait_finished (refused);
  haul_test_assert_failed_with (refused, "refused access");
  g_assert_null (strstr (haul_download_get_error (refused), COOKIE_MARK));
  g_assert_null (strstr (haul_download_get_error (refused), HEADER_MARK));
}

/* Eight connections: each segment's request carries the context. */
static void
test_segmented (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = serve_protected (fx, "/big.bin", 4 * MIB, 2 * MIB);
  g_autoptr(HaulRequestContext) ctx = browser_context ();
  HaulDownload *d = add_with_context (fx, "/big.bin", ctx);
  g_auto(GStrv) ranges = NULL;

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "big.bin", content);
  g_assert_cmpuint (assert_every_request_carried (fx, "/big.bin"), >, 2);
  ranges = haul_test_server_get_ranges (fx->server, "/big.bin");
  g_assert_cmpuint (g_strv_length (ranges), >, 2);
  g_assert_cmpuint (haul_test_server_get_n_status (fx->server, "/big.bin", 206), >, 2);
}

static gboolean
has_some_bytes (gpointer data)
{
  return haul_download_get_received (data) > 64 * KIB;
}

/* Paused, then resumed from its .part; then Haul restarts (the store
 * re-opened) mid-download: the context comes back from the file. */
static void
test_resume_and_restart (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GBytes) content = serve_protected (fx, "/slow.bin", 1 * MIB, 256 * KIB);
  g_autoptr(HaulRequestContext) ctx = browser_context ();
  HaulDownload *d = add_with_context (fx, "/slow.bin", ctx);
  g_autofree char *uri = haul_test_server_uri (fx->server, "/slow.bin");
  g_auto(GStrv) ranges = NULL;
  HaulRequestContext *back;

  g_assert_true (haul_test_wait_until (has_some_bytes, d, HAUL_TEST_WAIT_MS));
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);
  haul_queue_resume (fx->queue, d);
  g_assert_true (haul_test_wait_until (has_some_bytes, d, HAUL_TEST_WAIT_MS));
  while (haul_download_get_received (d) < 400 * KIB)
    haul_test_spin (20);

  haul_queue_stop_for_exit (fx->queue);
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  open_queue (fx, 1);

  d = haul_queue_find_by_uri (fx->queue, uri);
  g_assert_nonnull (d);
  back = haul_download_get_request_context (d);
  g_assert_nonnull (back);
  g_assert_cmpstr (haul_request_context_get_referrer (back), ==, REFERRER);
  g_assert_cmpuint (g_slist_length (haul_request_context_get_cookies (back)), ==, 1);

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "slow.bin", content);
  assert_every_request_carried (fx, "/slow.bin");
  ranges = haul_test_server_get_ranges (fx->server, "/slow.bin");
  g_assert_cmpuint (g_strv_length (ranges), >=, 2);  /* resumed: Range from a later byte */
  g_assert_false (g_str_has_prefix (ranges[g_strv_length (ranges) - 1], "bytes=0-"));
}

/* 127.0.0.1 redirects to localhost: each host gets its own cookie only. */
static void
test_redirect_other_host (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (100 * KIB, 7);
  g_autofree char *target = g_strdup_printf ("http://localhost:%u/b.bin",
                                             haul_test_server_get_port (fx->server));
  g_autofree char *uri = haul_test_server_uri (fx->server, "/a.bin");
  g_autoptr(HaulRequestContext) ctx = haul_request_context_new ();
  g_autoptr(SoupCookie) a = soup_cookie_new ("a", "A" COOKIE_MARK, "127.0.0.1", "/", -1);
  g_autoptr(SoupCookie) b = soup_cookie_new ("b", "B", "localhost", "/", -1);
  g_autoptr(HaulDownload) d = haul_download_new (uri, fx->dir);
  g_auto(GStrv) at_a = NULL;
  g_auto(GStrv) at_b = NULL;

  haul_test_server_add_redirect (fx->server, "/a.bin", 302, target);
  haul_test_server_add_file (fx->server, "/b.bin", content, NULL);
  haul_request_context_add_cookie (ctx, a);
  haul_request_context_add_cookie (ctx, b);
  g_assert_true (haul_request_context_add_header_line (ctx, "X-Token: " HEADER_MARK, NULL));
  /* Both cookies kept (no per-site copy): the redirect must sort them. */
  g_assert_true (haul_download_set_request_context (d, ctx));
  haul_queue_add_download (fx->queue, d);

  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "b.bin", content);
  at_a = haul_test_server_get_header_values (fx->server, "/a.bin", "Cookie");
  at_b = haul_test_server_get_header_values (fx->server, "/b.bin", "Cookie");
  g_assert_cmpuint (g_strv_length (at_a), ==, 1);
  g_assert_cmpuint (g_strv_length (at_b), ==, 1);
  g_assert_cmpstr (at_a[0], ==, "a=A" COOKIE_MARK);
  g_assert_cmpstr (at_b[0], ==, "b=B");
}

/* Whether @path (the store file, its WAL) holds @needle anywhere. */
static gboolean
store_holds (Fixture    *fx,
             const char *needle)
{
  g_autofree char *wal = g_strconcat (fx->db, "-wal", NULL);

  return haul_test_file_contains (fx->db, needle) || haul_test_file_contains (wal, needle);
}

/* Cookies stay in the store only while their download exists: removed
 * and cleared downloads leave no trace in the file. */
static void
test_removed_with_download (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GBytes) content = serve_protected (fx, "/one.bin", 64 * KIB, 0);
  g_autoptr(GBytes) content2 = serve_protected (fx, "/two.bin", 64 * KIB, 0);
  g_autoptr(HaulRequestContext) ctx = browser_context ();
  HaulDownload *one = add_with_context (fx, "/one.bin", ctx);
  HaulDownload *two = add_with_context (fx, "/two.bin", ctx);

  haul_test_wait_finished (one);
  haul_test_wait_finished (two);
  haul_test_assert_state (one, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_state (two, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_queue_save_now (fx->queue);
  haul_test_flush_store (fx->store);
  g_assert_true (store_holds (fx, COOKIE_MARK));

  /* Closed and opened again: still there while the downloads are. */
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  g_assert_true (store_holds (fx, COOKIE_MARK));
  g_assert_true (store_holds (fx, HEADER_MARK));
  open_queue (fx, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 2);

  one = haul_queue_get_download (fx->queue, 0);
  haul_queue_remove (fx->queue, one);
  g_assert_cmpuint (haul_queue_clear_finished (fx->queue), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 0);
  haul_test_close_queue_and_store (&fx->queue, &fx->store);

  g_assert_false (store_holds (fx, COOKIE_MARK));
  g_assert_false (store_holds (fx, HEADER_MARK));
  g_assert_false (store_holds (fx, "files.example.org"));
}

/* A damaged stored context: the download is restored without it, and the
 * log names no value. */
static void
test_damaged_in_store (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(HaulStoreRecord) r = haul_store_record_new ();
  HaulDownload *d;

  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  fx->store = haul_test_open_store (fx->db);
  r->id = 42;
  r->uri = g_strdup ("http://127.0.0.1:1/x.bin");
  r->directory = g_strdup (fx->dir);
  r->state = HAUL_DOWNLOAD_STATE_PAUSED;
  r->request_context = g_strdup ("{'version': <uint32 1>, 'headers': <['Host: " HEADER_MARK "']>}");
  haul_store_save (fx->store, r);
  haul_test_flush_store (fx->store);
  haul_store_close (fx->store);
  g_clear_object (&fx->store);

  g_test_expect_message ("haul-download", G_LOG_LEVEL_MESSAGE, "*request context*damaged*");
  open_queue (fx, 1);
  g_test_assert_expected_messages ();
  d = haul_queue_get_download (fx->queue, 0);
  g_assert_nonnull (d);
  g_assert_null (haul_download_get_request_context (d));
}

int
main (int   argc,
      char *argv[])
{
  haul_test_log_capture_start ();
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

#define ADD(path, func, connections) \
  g_test_add ("/haul/core/request-context/" path, Fixture, GUINT_TO_POINTER (connections), \
              fixture_set_up, func, fixture_tear_down)

  ADD ("required", test_required, 1);
  ADD ("segmented", test_segmented, 8);
  ADD ("resume-and-restart", test_resume_and_restart, 1);
  ADD ("redirect-other-host", test_redirect_other_host, 1);
  ADD ("removed-with-download", test_removed_with_download, 1);
  ADD ("damaged-in-store", test_damaged_in_store, 1);

#undef ADD
  return g_test_run ();
}

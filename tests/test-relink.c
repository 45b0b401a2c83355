/* test-relink.c — a new link for a paused or failed download, against a real server
 *
 * The test server serves the same bytes (and ETag) at a second path, "the
 * fresh link", and at others a different file, a changed ETag or an HTML
 * "link expired" page. A download stopped at about half takes the fresh
 * link and completes byte-identical, continuing from its .part (or its
 * written ranges) — the server sees a Range request from the old offset,
 * not a second full download; a different file is refused with a sentence
 * and the .part is left exactly as it was; starting over downloads the new
 * file from zero; the new link is in the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-relink"

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "haul-connections.h"
#include "haul-download.h"
#include "haul-link-check.h"
#include "haul-queue.h"
#include "haul-store.h"
#include "haul-transfer.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

#define SIZE  (2 * MIB)
#define SLOW  (512 * KIB)
#define ETAG  "\"v1\""

typedef struct
{
  HaulTestServer *server;
  char           *tmp;
  char           *dir;
  char           *db;
  HaulStore      *store;
  HaulQueue      *queue;
  GBytes         *content;   /* the file, at /old.bin and /fresh.bin */
} Fixture;

/* ------------------------------------------------------------------ */
/* Helpers */

static void
load_chunk_cb (HaulStore *store,
               GPtrArray *records,
               gpointer   queue)
{
  haul_queue_restore (queue, records, FALSE);
}

static HaulQueue *
new_queue (guint connections)
{
  HaulQueue *queue = haul_queue_new ();

  g_object_set (queue,
                "max-connections", connections,
                "connect-timeout", 10,
                "stall-timeout", 30,
                "retry-base-delay", 50,
                "max-retries", 2,
                NULL);
  return queue;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint connections = GPOINTER_TO_UINT (data);

  haul_connections_reset ();
  fx->server = haul_test_server_new ();
  fx->tmp = g_dir_make_tmp ("haul-relink-XXXXXX", &error);
  g_assert_no_error (error);
  fx->dir = g_build_filename (fx->tmp, "downloads", NULL);
  g_assert_cmpint (g_mkdir (fx->dir, 0755), ==, 0);
  fx->db = g_build_filename (fx->tmp, "haul.db", NULL);
  fx->store = haul_test_open_store (fx->db);
  fx->queue = new_queue (connections != 0 ? connections : 1);
  haul_queue_set_store (fx->queue, fx->store);
  fx->content = haul_test_content (SIZE, 17);
  /* The same bytes at a second path: the fresh link. */
  haul_test_server_add_file (fx->server, "/fresh.bin", fx->content,
                             &(HaulTestFileOptions) { .etag = ETAG });
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
  g_bytes_unref (fx->content);
}

static gboolean
half_received (gpointer download)
{
  return haul_download_get_received (download) >= SIZE / 2;
}

/* A download of /old.bin (served slowly), paused at about half. */
static HaulDownload *
add_paused_at_half (Fixture *fx)
{
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/old.bin", fx->content,
                             &(HaulTestFileOptions) { .etag = ETAG, .rate = SLOW });
  d = haul_test_add (fx->queue, fx->server, fx->dir, "/old.bin");
  haul_test_wait_download (d, half_received, "half received");
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  g_assert_cmpint (haul_download_get_received (d), <, SIZE);
  return d;
}

static gboolean
change_link (Fixture       *fx,
             HaulDownload  *d,
             const char    *path,
             GError       **error)
{
  g_autofree char *uri = haul_test_server_uri (fx->server, path);
  HaulTestAsync w = { 0 };
  gboolean ok;

  haul_queue_change_link_async (fx->queue, d, uri, NULL, haul_test_async_cb, &w);
  ok = haul_queue_change_link_finish (fx->queue, haul_test_async_wait (&w), error);
  g_clear_object (&w.result);
  return ok;
}

static char *
part_path (Fixture *fx)
{
  return g_build_filename (fx->dir, "old.bin.part", NULL);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size : -1;
}

/* The Range headers /fresh.bin got: the probe's, then the continuation's. */
static void
assert_continued_from (Fixture *fx,
                       gint64   offset)
{
  g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, "/fresh.bin");
  g_autofree char *continuation = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", offset);

  g_assert_nonnull (ranges);
  g_test_message ("fresh: %u requests, %u × 206, %u × 200", haul_test_server_get_n_requests (fx->server, "/fresh.bin"),
                  haul_test_server_get_n_status (fx->server, "/fresh.bin", 206),
                  haul_test_server_get_n_status (fx->server, "/fresh.bin", 200));
  g_assert_cmpuint (g_strv_length (ranges), ==, 2);
  g_assert_cmpstr (ranges[0], ==, "bytes=0-0");
  g_assert_cmpstr (ranges[1], ==, continuation);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/fresh.bin"), ==, 2);
}

/* ------------------------------------------------------------------ */
/* The same file: continued */

static void
test_paused_continues (Fixture       *fx,
                       gconstpointer  data)
{
  HaulDownload *d = add_paused_at_half (fx);
  g_autofree char *fresh = haul_test_server_uri (fx->server, "/fresh.bin");
  g_autofree char *part = part_path (fx);
  g_autoptr(GError) error = NULL;
  gint64 offset = haul_download_get_received (d);

  g_assert_cmpint (file_size (part), ==, offset);
  g_assert_true (change_link (fx, d, "/fresh.bin", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (haul_download_get_uri (d), ==, fresh);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, fx->content);
  haul_test_assert_file_in (fx->dir, "old.bin", fx->content);
  assert_continued_from (fx, offset);
  /* The old link was not asked again. */
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/old.bin"), ==, 1);

  /* The new link is what the store keeps. */
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  fx->store = haul_test_open_store (fx->db);
  fx->queue = new_queue (1);
  {
    HaulTestAsync w = { 0 };

    haul_store_load_async (fx->store, load_chunk_cb, fx->queue, NULL, haul_test_async_cb, &w);
    g_assert_true (haul_store_load_finish (fx->store, haul_test_async_wait (&w), NULL, NULL, NULL));
    g_clear_object (&w.result);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 1);
  g_assert_nonnull (haul_queue_find_by_uri (fx->queue, fresh));
}

static gboolean
is_failed (gpointer download)
{
  return haul_download_get_state (download) == HAUL_DOWNLOAD_STATE_FAILED;
}

/* The old link broke off at half, then answers 410 Gone ("expired"). */
static void
test_failed_continues (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *part = part_path (fx);
  HaulDownload *d;
  gint64 offset;

  haul_test_server_add_file (fx->server, "/old.bin", fx->content,
                             &(HaulTestFileOptions) { .etag = ETAG, .reset = TRUE,
                                                      .reset_after = SIZE / 2, .reset_times = 1,
                                                      .fail_status = 410, .fail_skip = 1 });
  d = haul_test_add (fx->queue, fx->server, fx->dir, "/old.bin");
  haul_test_wait_download (d, is_failed, "failed");
  haul_test_assert_failed_with (d, "410");
  offset = haul_download_get_received (d);
  g_assert_cmpint (offset, ==, SIZE / 2);
  g_assert_cmpint (file_size (part), ==, offset);

  g_assert_true (change_link (fx, d, "/fresh.bin", &error));
  g_assert_no_error (error);
  g_assert_null (haul_download_get_error (d));
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, fx->content);
  assert_continued_from (fx, offset);
}

/* Several connections: the written ranges are kept, only the gaps asked. */
static void
test_segmented_continues (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree HaulRange *written = NULL;
  g_auto(GStrv) ranges = NULL;
  HaulDownload *d = add_paused_at_half (fx);
  gsize n_written = 0;

  g_assert_nonnull (haul_download_get_segments (d));
  written = haul_segments_copy_written (haul_download_get_segments (d), &n_written);
  g_assert_cmpuint (n_written, >, 0);
  g_assert_true (change_link (fx, d, "/fresh.bin", &error));
  g_assert_no_error (error);
  haul_test_wait_finished (d);
  /* The bytes, not the received count: a segmented download paused and
   * resumed over-counts it today, with or without a new link. */
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_file_in (fx->dir, "old.bin", fx->content);

  /* The probe's byte, then never a range that starts in written bytes. */
  ranges = haul_test_server_get_ranges (fx->server, "/fresh.bin");
  g_assert_cmpstr (ranges[0], ==, "bytes=0-0");
  g_assert_cmpuint (g_strv_length (ranges), >=, 2);
  for (guint i = 1; ranges[i] != NULL; i++)
    {
      gint64 first = -1;

      g_assert_cmpint (sscanf (ranges[i], "bytes=%" G_GINT64_FORMAT "-", &first), ==, 1);
      for (gsize j = 0; j < n_written; j++)
        if (first >= written[j].start && first < written[j].end)
          g_error ("%s asks for bytes written before the change", ranges[i]);
    }
}

/* ------------------------------------------------------------------ */
/* Another file: refused, nothing changed */

typedef struct
{
  const char *name;
  const char *path;
  const char *message;
} Refused;

static void
serve_others (Fixture *fx)
{
  g_autoptr(GBytes) bigger = haul_test_content (SIZE + 1, 18);
  g_autoptr(GBytes) changed = haul_test_content (SIZE, 19);

  haul_test_server_add_file (fx->server, "/bigger.bin", bigger, &(HaulTestFileOptions) { .etag = ETAG });
  haul_test_server_add_file (fx->server, "/changed.bin", changed, &(HaulTestFileOptions) { .etag = "\"v2\"" });
  haul_test_server_add_file (fx->server, "/no-etag.bin", fx->content, NULL);
  haul_test_server_add_response (fx->server, "/expired", 200, "text/html; charset=utf-8",
                                 "<html><body>This link has expired.</body></html>");
  haul_test_server_add_response (fx->server, "/gone", 410, "text/plain", "gone");
}

static const Refused refused[] = {
  { "different-length", "/bigger.bin", "instead of" },
  { "etag-changed", "/changed.bin", "it has changed since (ETag)" },
  { "etag-missing", "/no-etag.bin", "(ETag)" },
  { "html-page", "/expired", "the server sent a web page" },
};

static void
test_refused (Fixture       *fx,
              gconstpointer  data)
{
  HaulDownload *d = add_paused_at_half (fx);
  g_autofree char *old = g_strdup (haul_download_get_uri (d));
  g_autofree char *part = part_path (fx);
  g_autofree char *before = haul_test_sha256_file (part);
  gint64 size = file_size (part);

  serve_others (fx);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;

      g_test_message ("%s", refused[i].name);
      g_assert_false (change_link (fx, d, refused[i].path, &error));
      g_assert_error (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_DIFFERENT);
      if (strstr (error->message, refused[i].message) == NULL)
        g_error ("%s: “%s” does not say “%s”", refused[i].name, error->message, refused[i].message);
      g_assert_cmpstr (haul_download_get_uri (d), ==, old);
      haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_PAUSED);
      g_assert_cmpint (file_size (part), ==, size);
      after = haul_test_sha256_file (part);
      g_assert_cmpstr (after, ==, before);
    }

  {
    /* A dead new link: the server's answer, not "a different file". */
    g_autoptr(GError) error = NULL;

    g_assert_false (change_link (fx, d, "/gone?token=s3cr3t", &error));
    g_assert_error (error, HAUL_TRANSFER_ERROR, HAUL_TRANSFER_ERROR_HTTP_CLIENT);
    g_assert_nonnull (strstr (error->message, "Could not check the new link"));
    g_assert_nonnull (strstr (error->message, "410"));
    /* A signed link's query never reaches a message. */
    g_assert_null (strstr (error->message, "s3cr3t"));
    g_assert_cmpstr (haul_download_get_uri (d), ==, old);
  }
  /* Nothing was written from any of them. */
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/bigger.bin"), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/changed.bin"), ==, 1);
}

static gboolean
download_is_running (gpointer download)
{
  return haul_download_get_state (download) == HAUL_DOWNLOAD_STATE_DOWNLOADING;
}

/* Start over: the .part goes, the new file comes from zero. */
static void
test_start_over (Fixture       *fx,
                 gconstpointer  data)
{
  HaulDownload *d = add_paused_at_half (fx);
  g_autoptr(GBytes) bigger = haul_test_content (SIZE + 1, 18);
  g_autofree char *uri = haul_test_server_uri (fx->server, "/bigger.bin");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ranges = NULL;

  serve_others (fx);
  g_assert_false (change_link (fx, d, "/bigger.bin", &error));
  g_assert_error (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_DIFFERENT);
  haul_queue_change_link_restart (fx->queue, d, uri);
  g_assert_cmpstr (haul_download_get_uri (d), ==, uri);
  g_assert_null (haul_download_get_filename (d));
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, bigger);
  haul_test_assert_file_in (fx->dir, "bigger.bin", bigger);
  /* The old .part is gone, and nothing else is left. */
  haul_test_assert_folder (fx->dir, "bigger.bin");
  ranges = haul_test_server_get_ranges (fx->server, "/bigger.bin");
  /* The refused probe's byte; then a plain request from zero. */
  g_assert_cmpuint (g_strv_length (ranges), ==, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/bigger.bin"), ==, 2);
}

/* A running download keeps its link; a cancelled one has nothing to keep. */
static void
test_running_refused (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/old.bin", fx->content,
                             &(HaulTestFileOptions) { .etag = ETAG, .rate = SLOW });
  d = haul_test_add (fx->queue, fx->server, fx->dir, "/old.bin");
  haul_test_wait_download (d, download_is_running, "running");
  g_assert_false (change_link (fx, d, "/fresh.bin", &error));
  g_assert_error (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_NOT_STOPPED);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/fresh.bin"), ==, 0);
  g_clear_error (&error);

  haul_queue_cancel (fx->queue, d);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  g_assert_false (change_link (fx, d, "/fresh.bin", &error));
  g_assert_error (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_NOT_STOPPED);
  g_clear_error (&error);

  /* Not a web link. */
  haul_queue_retry (fx->queue, d);
  haul_test_wait_download (d, half_received, "half received");
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);
  {
    HaulTestAsync w = { 0 };

    haul_queue_change_link_async (fx->queue, d, "ftp://example.org/a.bin", NULL, haul_test_async_cb, &w);
    g_assert_false (haul_queue_change_link_finish (fx->queue, haul_test_async_wait (&w), &error));
    g_clear_object (&w.result);
    g_assert_error (error, HAUL_LINK_ERROR, HAUL_LINK_ERROR_INVALID);
  }
}

/* The browser started the same file again: found by name and size. */
static void
test_find_continuable (Fixture       *fx,
                       gconstpointer  data)
{
  HaulDownload *d = add_paused_at_half (fx);

  g_assert_true (haul_queue_find_continuable (fx->queue, "old.bin", SIZE) == d);
  g_assert_null (haul_queue_find_continuable (fx->queue, "old.bin", SIZE + 1));
  g_assert_null (haul_queue_find_continuable (fx->queue, "other.bin", SIZE));
  haul_queue_resume (fx->queue, d);
  g_assert_null (haul_queue_find_continuable (fx->queue, "old.bin", SIZE));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

#define ADD(name, func, connections) \
  g_test_add ("/haul/core/relink/" name, Fixture, GUINT_TO_POINTER (connections), \
              fixture_set_up, func, fixture_tear_down)
  ADD ("paused-continues", test_paused_continues, 1);
  ADD ("failed-continues", test_failed_continues, 1);
  ADD ("segmented-continues", test_segmented_continues, 4);
  ADD ("refused", test_refused, 1);
  ADD ("start-over", test_start_over, 1);
  ADD ("running-refused", test_running_refused, 1);
  ADD ("find-continuable", test_find_continuable, 1);
#undef ADD
  return g_test_run ();
}

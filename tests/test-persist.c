/* test-persist.c — a HaulQueue saved to a real HaulStore and restored into a new one
 *
 * Each test runs downloads in one queue bound to a store file, closes both,
 * then opens the file again (as a restarted Haul would) and restores it into
 * a new queue, against the in-process test server and real files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-persist"

#include "config.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "haul-download.h"
#include "haul-queue.h"
#include "haul-store.h"
#include "haul-segments.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

typedef struct
{
  HaulTestServer *server;
  char           *tmp;
  char           *dir;       /* downloads */
  char           *db;        /* the store file */
  HaulStore      *store;
  HaulQueue      *queue;
} Fixture;

/* ------------------------------------------------------------------ */
/* Helpers */

typedef struct
{
  HaulQueue *queue;   /* nullable: only collect */
  GPtrArray *records; /* nullable */
  gboolean   resume;
  guint      n_chunks;
} Load;

static void
load_chunk_cb (HaulStore *store,
               GPtrArray *records,
               gpointer   user_data)
{
  Load *load = user_data;

  load->n_chunks++;
  if (load->queue != NULL)
    haul_queue_restore (load->queue, records, load->resume);
  if (load->records != NULL)
    for (guint i = 0; i < records->len; i++)
      g_ptr_array_add (load->records, haul_store_record_copy (g_ptr_array_index (records, i)));
}

/* Loads @store into @queue (and/or @records); returns the number of chunks. */
static guint
load (HaulStore *store,
      HaulQueue *queue,
      GPtrArray *records,
      gboolean   resume,
      guint     *n_loaded)
{
  Load l = { queue, records, resume, 0 };
  g_autoptr(GError) error = NULL;
  guint n = 0, n_skipped = 0;
  HaulTestAsync w = { 0 };
  gboolean ok;

  haul_store_load_async (store, load_chunk_cb, &l, NULL, haul_test_async_cb, &w);
  ok = haul_store_load_finish (store, haul_test_async_wait (&w), &n, &n_skipped, &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (n_skipped, ==, 0);
  if (n_loaded != NULL)
    *n_loaded = n;
  return l.n_chunks;
}

/* What the store file holds now, read through a second connection. */
static GPtrArray *
read_records (Fixture *fx)
{
  g_autoptr(HaulStore) store = haul_test_open_store (fx->db);
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);

  load (store, NULL, records, TRUE, NULL);
  haul_store_close (store);
  return records;
}

static HaulQueue *
new_queue (void)
{
  HaulQueue *queue = haul_queue_new ();

  /* One stream per file (requests asserted exactly; segmented downloads
   * across restarts are test-segmented's). */
  g_object_set (queue,
                "max-connections", 1,
                "connect-timeout", 10,
                "stall-timeout", 60,
                "retry-base-delay", 50,
                "max-retries", 0,
                "max-active", 4,
                NULL);
  return queue;
}

/* A restarted Haul: the store opened again, loaded into a new queue. */
static void
restart (Fixture  *fx,
         gboolean  resume)
{
  g_assert_null (fx->queue);
  g_assert_null (fx->store);
  fx->store = haul_test_open_store (fx->db);
  fx->queue = new_queue ();
  load (fx->store, fx->queue, NULL, resume, NULL);
  haul_queue_set_store (fx->queue, fx->store);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->server = haul_test_server_new ();
  fx->tmp = g_dir_make_tmp ("haul-persist-XXXXXX", &error);
  g_assert_no_error (error);
  fx->dir = g_build_filename (fx->tmp, "downloads", NULL);
  g_assert_cmpint (g_mkdir (fx->dir, 0755), ==, 0);
  fx->db = g_build_filename (fx->tmp, "haul.db", NULL);
  fx->store = haul_test_open_store (fx->db);
  fx->queue = new_queue ();
  haul_queue_set_store (fx->queue, fx->store);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  g_clear_pointer (&fx->server, haul_test_server_free);
  haul_test_rm_rf (fx->tmp);
  g_clear_pointer (&fx->tmp, g_free);
  g_clear_pointer (&fx->dir, g_free);
  g_clear_pointer (&fx->db, g_free);
}

/* Returns: (transfer none) */
static HaulDownload *
add (Fixture    *fx,
     const char *path)
{
  return haul_test_add (fx->queue, fx->server, fx->dir, path);
}

/* Returns: (transfer none) the download of @path in the current queue */
static HaulDownload *
find (Fixture    *fx,
      const char *path)
{
  g_autofree char *uri = haul_test_server_uri (fx->server, path);
  HaulDownload *d = haul_queue_find_by_uri (fx->queue, uri);

  g_assert_nonnull (d);
  return d;
}

static gboolean
has_some_bytes (gpointer data)
{
  return haul_download_get_received (data) > 64 * KIB &&
         haul_download_get_state (data) == HAUL_DOWNLOAD_STATE_DOWNLOADING;
}

static void
wait_some_bytes (HaulDownload *d)
{
  g_assert_true (haul_test_wait_until (has_some_bytes, d, HAUL_TEST_WAIT_MS));
}

static gint64
file_size (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return -1;
  return st.st_size;
}

static void
assert_file (Fixture    *fx,
             const char *name,
             GBytes     *content)
{
  g_autofree char *path = g_build_filename (fx->dir, name, NULL);
  g_autofree char *part = g_strconcat (path, ".part", NULL);

  haul_test_assert_file_is (path, content);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

static guint
n_ranges (Fixture    *fx,
          const char *path)
{
  g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, path);

  return ranges != NULL ? g_strv_length (ranges) : 0;
}

static char *
last_range (Fixture    *fx,
            const char *path)
{
  g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, path);
  guint n = ranges != NULL ? g_strv_length (ranges) : 0;

  return n > 0 ? g_strdup (ranges[n - 1]) : NULL;
}

static void
serve (Fixture    *fx,
       const char *path,
       GBytes     *content,
       gint64      rate)
{
  haul_test_server_add_file (fx->server, path, content,
                             &(HaulTestFileOptions) { .rate = rate, .etag = "\"v1\"",
                                                      .last_modified = "Tue, 01 Sep 2026 10:00:00 GMT",
                                                      .content_type = "application/x-test" });
}

/* ------------------------------------------------------------------ */
/* Tests */

typedef struct
{
  guint64            id;
  HaulDownloadState  state;
  char              *filename;
  char              *final_uri;
  gint64             total;
  gint64             received;
  char              *error;
  gint64             created;
  gint64             started;
  gint64             finished;
} Snapshot;

static void
snapshot (HaulDownload *d,
          Snapshot     *s)
{
  s->id = haul_download_get_id (d);
  s->state = haul_download_get_state (d);
  s->filename = g_strdup (haul_download_get_filename (d));
  s->final_uri = g_strdup (haul_download_get_final_uri (d));
  s->total = haul_download_get_total (d);
  s->received = haul_download_get_received (d);
  s->error = g_strdup (haul_download_get_error (d));
  s->created = haul_download_get_created (d);
  s->started = haul_download_get_started (d);
  s->finished = haul_download_get_finished (d);
}

static void
assert_snapshot (HaulDownload *d,
                 Snapshot     *s)
{
  g_assert_cmpuint (haul_download_get_id (d), ==, s->id);
  g_assert_cmpint (haul_download_get_state (d), ==, s->state);
  g_assert_cmpstr (haul_download_get_filename (d), ==, s->filename);
  g_assert_cmpstr (haul_download_get_final_uri (d), ==, s->final_uri);
  g_assert_cmpint (haul_download_get_total (d), ==, s->total);
  g_assert_cmpint (haul_download_get_received (d), ==, s->received);
  g_assert_cmpstr (haul_download_get_error (d), ==, s->error);
  g_assert_cmpint (haul_download_get_created (d), ==, s->created);
  g_assert_cmpint (haul_download_get_started (d), ==, s->started);
  g_assert_cmpint (haul_download_get_finished (d), ==, s->finished);
  g_free (s->filename);
  g_free (s->final_uri);
  g_free (s->error);
}

/* Completed and failed downloads come back as history with their fields,
 * a paused one stays paused; nothing is requested again until the paused
 * one is resumed, which continues from its .part. */
static void
test_history (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GBytes) done = haul_test_content (200 * KIB, 1);
  g_autoptr(GBytes) slow = haul_test_content (1024 * KIB, 2);
  g_autofree char *range = NULL, *expected = NULL;
  HaulDownload *d_done, *d_fail, *d_paused;
  Snapshot s_done, s_fail, s_paused;
  guint requests;

  serve (fx, "/h/done.bin", done, 0);
  serve (fx, "/h/paused.bin", slow, 256 * KIB);
  d_done = add (fx, "/h/done.bin");
  d_fail = add (fx, "/h/missing.bin");
  d_paused = add (fx, "/h/paused.bin");

  haul_test_wait_finished (d_done);
  haul_test_wait_finished (d_fail);
  wait_some_bytes (d_paused);
  haul_queue_pause (fx->queue, d_paused);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  g_assert_cmpint (haul_download_get_state (d_done), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_cmpint (haul_download_get_state (d_fail), ==, HAUL_DOWNLOAD_STATE_FAILED);
  g_assert_cmpint (haul_download_get_state (d_paused), ==, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_nonnull (haul_download_get_error (d_fail));
  g_assert_cmpint (haul_download_get_received (d_paused), ==,
                   file_size (fx->dir, "paused.bin.part"));

  snapshot (d_done, &s_done);
  snapshot (d_fail, &s_fail);
  snapshot (d_paused, &s_paused);
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  requests = haul_test_server_get_total_requests (fx->server);

  restart (fx, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 3);
  g_assert_true (haul_queue_get_download (fx->queue, 0) == find (fx, "/h/done.bin"));
  g_assert_true (haul_queue_get_download (fx->queue, 1) == find (fx, "/h/missing.bin"));
  g_assert_true (haul_queue_get_download (fx->queue, 2) == find (fx, "/h/paused.bin"));
  assert_snapshot (find (fx, "/h/done.bin"), &s_done);
  assert_snapshot (find (fx, "/h/missing.bin"), &s_fail);
  assert_snapshot (find (fx, "/h/paused.bin"), &s_paused);

  /* Nothing starts by itself. */
  haul_test_spin (300);
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, requests);
  g_assert_cmpint (haul_download_get_state (find (fx, "/h/paused.bin")), ==,
                   HAUL_DOWNLOAD_STATE_PAUSED);

  /* Resumed: one ranged request from the checkpoint. */
  d_paused = find (fx, "/h/paused.bin");
  haul_queue_resume (fx->queue, d_paused);
  haul_test_wait_finished (d_paused);
  g_assert_cmpint (haul_download_get_state (d_paused), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "paused.bin", slow);
  assert_file (fx, "done.bin", done);
  range = last_range (fx, "/h/paused.bin");
  expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", s_paused.received);
  g_assert_cmpstr (range, ==, expected);
}

/* Every field a record has survives the queue → store → queue trip. */
static void
test_fields (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (50 * KIB, 3);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(HaulStoreRecord) before = NULL;
  HaulDownload *d;
  const HaulStoreRecord *after;

  haul_test_server_add_file (fx->server, "/f/file.bin", content,
                             &(HaulTestFileOptions) { .etag = "\"e1\"",
                                                      .last_modified = "Tue, 01 Sep 2026 10:00:00 GMT",
                                                      .content_type = "application/x-test" });
  haul_test_server_add_redirect (fx->server, "/f/link", 302, "/f/file.bin");
  d = add (fx, "/f/link");
  {
    g_autofree char *hex = haul_test_sha256_bytes (content);
    g_autofree char *sum = g_strconcat ("sha256:", hex, NULL);

    g_assert_true (haul_download_set_checksum (d, sum, NULL));
  }
  haul_queue_set_download_rate_limit (fx->queue, d, 10 * 1024 * KIB);
  haul_test_wait_finished (d);
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_queue_save_now (fx->queue);
  haul_test_flush_store (fx->store);

  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 1);
  after = g_ptr_array_index (records, 0);
  g_assert_cmpuint (after->id, ==, haul_download_get_id (d));
  g_assert_cmpstr (after->uri, ==, haul_download_get_uri (d));
  g_assert_true (g_str_has_suffix (after->final_uri, "/f/file.bin"));
  g_assert_cmpstr (after->directory, ==, fx->dir);
  g_assert_cmpstr (after->filename, ==, "file.bin");
  g_assert_cmpint (after->state, ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_cmpint (after->total, ==, 50 * KIB);
  g_assert_cmpint (after->received, ==, 50 * KIB);
  g_assert_cmpstr (after->etag, ==, "\"e1\"");
  g_assert_cmpstr (after->last_modified, ==, "Tue, 01 Sep 2026 10:00:00 GMT");
  g_assert_cmpstr (after->content_type, ==, "application/x-test");
  g_assert_cmpstr (after->checksum, ==, haul_download_get_checksum (d));
  g_assert_cmpint (after->rate_limit, ==, 10 * 1024 * KIB);
  g_assert_cmpint (after->created, >, 0);
  g_assert_cmpint (after->started, >=, after->created);
  g_assert_cmpint (after->finished, >=, after->started);

  /* And back into a queue, then out again: the same record. */
  before = haul_store_record_copy (after);
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  restart (fx, TRUE);
  d = find (fx, "/f/link");
  g_assert_cmpstr (haul_download_get_checksum (d), ==, before->checksum);
  g_assert_cmpint (haul_download_get_rate_limit (d), ==, before->rate_limit);
  haul_queue_save_now (fx->queue);
  haul_test_flush_store (fx->store);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_true (haul_store_record_equal (g_ptr_array_index (records, 0), before));
}

/* Quitting mid-download: it comes back queued, starts by itself and asks
 * for the rest with a Range request. With resume off it comes back paused. */
static void
test_resume_after_exit (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GBytes) slow = haul_test_content (1024 * KIB, 4);
  g_autoptr(GBytes) waiting = haul_test_content (100 * KIB, 5);
  g_autofree char *range = NULL, *expected = NULL;
  HaulDownload *d, *w;
  gint64 part;

  serve (fx, "/r/slow.bin", slow, 256 * KIB);
  serve (fx, "/r/waiting.bin", waiting, 0);
  g_object_set (fx->queue, "max-active", 1, NULL);
  d = add (fx, "/r/slow.bin");
  w = add (fx, "/r/waiting.bin");
  wait_some_bytes (d);
  g_assert_cmpint (haul_download_get_state (w), ==, HAUL_DOWNLOAD_STATE_QUEUED);

  haul_queue_stop_for_exit (fx->queue);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  part = file_size (fx->dir, "slow.bin.part");
  g_assert_cmpint (part, >, 0);
  g_assert_cmpint (haul_download_get_received (d), ==, part);
  haul_test_close_queue_and_store (&fx->queue, &fx->store);

  /* Resume off (the preference): both come back paused, nothing starts. */
  {
    g_autoptr(GPtrArray) records = read_records (fx);

    g_assert_cmpuint (records->len, ==, 2);
    for (guint i = 0; i < records->len; i++)
      g_assert_cmpint (((HaulStoreRecord *) g_ptr_array_index (records, i))->state, ==,
                       HAUL_DOWNLOAD_STATE_QUEUED);
  }
  restart (fx, FALSE);
  g_assert_cmpint (haul_download_get_state (find (fx, "/r/slow.bin")), ==, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_cmpint (haul_download_get_state (find (fx, "/r/waiting.bin")), ==, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 0);
  /* Not saved as paused: a restart with resume on still resumes them. */
  haul_test_close_queue_and_store (&fx->queue, &fx->store);

  restart (fx, TRUE);
  d = find (fx, "/r/slow.bin");
  w = find (fx, "/r/waiting.bin");
  g_assert_true (haul_download_get_state (d) != HAUL_DOWNLOAD_STATE_PAUSED);
  haul_test_wait_finished (d);
  haul_test_wait_finished (w);
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_cmpint (haul_download_get_state (w), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "slow.bin", slow);
  assert_file (fx, "waiting.bin", waiting);
  range = last_range (fx, "/r/slow.bin");
  expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", part);
  g_assert_cmpstr (range, ==, expected);
}

/* A crash: the store holds a checkpoint of a running download and the
 * .part grew past it afterwards. The restored download must start over
 * from zero, never append at the checkpoint. */
static void
test_crash_part_longer (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GBytes) slow = haul_test_content (1024 * KIB, 6);
  g_autoptr(GPtrArray) records = NULL;
  const HaulStoreRecord *r;
  HaulDownload *d;
  gint64 checkpoint, part;
  guint ranges_before;

  serve (fx, "/c/slow.bin", slow, 256 * KIB);
  d = add (fx, "/c/slow.bin");
  wait_some_bytes (d);

  /* The last checkpoint before the "crash". */
  haul_queue_save_now (fx->queue);
  haul_test_flush_store (fx->store);
  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 1);
  r = g_ptr_array_index (records, 0);
  g_assert_true (r->state == HAUL_DOWNLOAD_STATE_DOWNLOADING ||
                 r->state == HAUL_DOWNLOAD_STATE_CONNECTING);
  checkpoint = r->received;
  g_assert_cmpint (checkpoint, >, 0);

  /* Nothing more reaches the store; the file keeps growing, then the
   * process "dies" (the attempt is stopped, the .part stays). */
  haul_queue_set_store (fx->queue, NULL);
  g_clear_object (&fx->store);
  for (guint i = 0; i < HAUL_TEST_WAIT_MS / 20 && file_size (fx->dir, "slow.bin.part") < checkpoint + 64 * KIB; i++)
    haul_test_spin (20);
  haul_queue_pause (fx->queue, d);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  g_clear_object (&fx->queue);
  part = file_size (fx->dir, "slow.bin.part");
  g_assert_cmpint (part, >, checkpoint);
  ranges_before = n_ranges (fx, "/c/slow.bin");

  restart (fx, TRUE);
  d = find (fx, "/c/slow.bin");
  g_assert_cmpint (haul_download_get_received (d), ==, checkpoint);
  haul_test_wait_finished (d);
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "slow.bin", slow);
  /* From zero: no Range request after the restart. */
  g_assert_cmpuint (n_ranges (fx, "/c/slow.bin"), ==, ranges_before);
}

/* The .part is gone (or shorter than saved): start over from zero. */
static void
test_part_missing_or_short (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (1024 * KIB, 7);
  g_autoptr(GBytes) b = haul_test_content (1024 * KIB, 8);
  g_autofree char *part_b = NULL;
  HaulDownload *da, *db;
  guint ranges_a, ranges_b;

  serve (fx, "/m/a.bin", a, 256 * KIB);
  serve (fx, "/m/b.bin", b, 256 * KIB);
  da = add (fx, "/m/a.bin");
  db = add (fx, "/m/b.bin");
  wait_some_bytes (da);
  wait_some_bytes (db);
  haul_queue_stop_for_exit (fx->queue);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  haul_test_close_queue_and_store (&fx->queue, &fx->store);

  {
    g_autofree char *part_a = g_build_filename (fx->dir, "a.bin.part", NULL);

    g_assert_cmpint (g_unlink (part_a), ==, 0);
  }
  part_b = g_build_filename (fx->dir, "b.bin.part", NULL);
  g_assert_cmpint (truncate (part_b, 1000), ==, 0);
  ranges_a = n_ranges (fx, "/m/a.bin");
  ranges_b = n_ranges (fx, "/m/b.bin");

  restart (fx, TRUE);
  da = find (fx, "/m/a.bin");
  db = find (fx, "/m/b.bin");
  haul_test_wait_finished (da);
  haul_test_wait_finished (db);
  g_assert_cmpint (haul_download_get_state (da), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_cmpint (haul_download_get_state (db), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "a.bin", a);
  assert_file (fx, "b.bin", b);
  g_assert_cmpuint (n_ranges (fx, "/m/a.bin"), ==, ranges_a);
  g_assert_cmpuint (n_ranges (fx, "/m/b.bin"), ==, ranges_b);
}

/* A crash after the .part was created but before the store heard of its
 * name: the next run finds its own .part (by its resume attribute) instead
 * of leaving it behind and downloading to "NAME (1)". */
static void
test_crash_before_name_saved (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(GBytes) slow = haul_test_content (2048 * KIB, 14);
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *listing = NULL;
  HaulDownload *d;

  serve (fx, "/n/slow.bin", slow, 256 * KIB);
  d = add (fx, "/n/slow.bin");
  /* Saved before the attempt published its file name, then nothing more. */
  haul_queue_save_now (fx->queue);
  haul_queue_set_store (fx->queue, NULL);
  haul_test_flush_store (fx->store);
  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_null (((HaulStoreRecord *) g_ptr_array_index (records, 0))->filename);

  wait_some_bytes (d);
  /* A kill -9 now would not let the attempt tag its .part on the way out:
   * it must carry its resume attribute already. */
  {
    g_autofree char *part = g_build_filename (fx->dir, "slow.bin.part", NULL);
    char value[4096];
    ssize_t n = getxattr (part, "user.haul.resume", value, sizeof value);

    if (n < 0 && errno == ENOTSUP)
      g_test_message ("no user xattrs in %s: not checked", fx->dir);
    else
      g_assert_cmpint (n, >, 0);
  }
  haul_queue_pause (fx->queue, d);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  g_clear_object (&fx->queue);
  g_assert_cmpint (file_size (fx->dir, "slow.bin.part"), >, 0);
  g_assert_cmpint (file_size (fx->dir, "slow.bin.part"), <, 1024 * KIB);
  haul_store_close (fx->store);
  g_clear_object (&fx->store);

  restart (fx, TRUE);
  d = find (fx, "/n/slow.bin");
  haul_test_wait_finished (d);
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "slow.bin", slow);
  listing = haul_test_list_dir (fx->dir);
  g_assert_cmpstr (listing, ==, "slow.bin");
}

/* "Clear finished" takes completed downloads out of the list and the
 * store; the files stay; the others are kept. */
static void
test_clear_finished (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (10 * KIB, 9);
  g_autoptr(GBytes) b = haul_test_content (20 * KIB, 10);
  g_autoptr(GBytes) slow = haul_test_content (1024 * KIB, 11);
  g_autoptr(GPtrArray) records = NULL;
  HaulDownload *da, *db, *dfail, *dslow;

  serve (fx, "/cf/a.bin", a, 0);
  serve (fx, "/cf/b.bin", b, 0);
  serve (fx, "/cf/slow.bin", slow, 256 * KIB);
  da = add (fx, "/cf/a.bin");
  dslow = add (fx, "/cf/slow.bin");
  db = add (fx, "/cf/b.bin");
  dfail = add (fx, "/cf/missing.bin");
  haul_test_wait_finished (da);
  haul_test_wait_finished (db);
  haul_test_wait_finished (dfail);
  haul_queue_pause (fx->queue, dslow);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));

  g_assert_cmpuint (haul_queue_clear_finished (fx->queue), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 2);
  g_assert_true (haul_queue_get_download (fx->queue, 0) == dslow);
  g_assert_true (haul_queue_get_download (fx->queue, 1) == dfail);
  assert_file (fx, "a.bin", a);
  assert_file (fx, "b.bin", b);

  haul_queue_save_now (fx->queue);
  haul_test_flush_store (fx->store);
  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpuint (((HaulStoreRecord *) g_ptr_array_index (records, 0))->id, ==,
                    haul_download_get_id (dslow));
  g_assert_cmpuint (((HaulStoreRecord *) g_ptr_array_index (records, 1))->id, ==,
                    haul_download_get_id (dfail));

  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  restart (fx, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 2);
  assert_file (fx, "a.bin", a);
}

/* Remove deletes from the store; move saves the new order. */
static void
test_remove_and_move (Fixture       *fx,
                      gconstpointer  data)
{
  const char *paths[] = { "/o/0.bin", "/o/1.bin", "/o/2.bin", "/o/3.bin" };
  g_autoptr(GBytes) content = haul_test_content (4 * KIB, 12);
  g_autoptr(GPtrArray) records = NULL;
  HaulDownload *d[G_N_ELEMENTS (paths)];

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      serve (fx, paths[i], content, 0);
      d[i] = add (fx, paths[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    haul_test_wait_finished (d[i]);

  haul_queue_remove (fx->queue, d[1]);
  g_assert_true (haul_queue_move (fx->queue, d[3], 0));
  /* now 3, 0, 2 */
  haul_queue_save_now (fx->queue);
  haul_test_flush_store (fx->store);
  haul_test_close_queue_and_store (&fx->queue, &fx->store);

  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_true (g_str_has_suffix (((HaulStoreRecord *) g_ptr_array_index (records, 0))->uri, "/o/3.bin"));
  g_assert_true (g_str_has_suffix (((HaulStoreRecord *) g_ptr_array_index (records, 1))->uri, "/o/0.bin"));
  g_assert_true (g_str_has_suffix (((HaulStoreRecord *) g_ptr_array_index (records, 2))->uri, "/o/2.bin"));

  restart (fx, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 3);
  g_assert_true (haul_queue_get_download (fx->queue, 0) == find (fx, "/o/3.bin"));
  g_assert_true (haul_queue_get_download (fx->queue, 1) == find (fx, "/o/0.bin"));
  g_assert_true (haul_queue_get_download (fx->queue, 2) == find (fx, "/o/2.bin"));

  /* A move in the restored queue is saved too. */
  g_assert_true (haul_queue_move (fx->queue, find (fx, "/o/0.bin"), 2));
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_true (g_str_has_suffix (((HaulStoreRecord *) g_ptr_array_index (records, 0))->uri, "/o/3.bin"));
  g_assert_true (g_str_has_suffix (((HaulStoreRecord *) g_ptr_array_index (records, 1))->uri, "/o/2.bin"));
  g_assert_true (g_str_has_suffix (((HaulStoreRecord *) g_ptr_array_index (records, 2))->uri, "/o/0.bin"));
}

/* Bulk edits reach the store: deletions in one command, the places of
 * what moved up as (id, position) pairs, an Undo saved again; a move and
 * an add after them still come back in the same order. */
static void
test_remove_many_saved (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GPtrArray) sparse = g_ptr_array_new ();
  g_autoptr(GPtrArray) block = g_ptr_array_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(HaulQueueUndo) undo = haul_queue_undo_new ();
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *extra = haul_test_server_uri (fx->server, "/bulk/extra.bin");
  guint n;

  haul_queue_set_max_active (fx->queue, 1);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("/bulk/%03u.bin", i);

      g_ptr_array_add (uris, haul_test_server_uri (fx->server, path));
    }
  g_assert_cmpuint (haul_queue_add_uris (fx->queue, uris, fx->dir, NULL), ==, 300);
  for (guint i = 0; i < 300; i++)
    g_ptr_array_add (all, haul_queue_get_download (fx->queue, i));
  haul_queue_pause_many (fx->queue, all);
  g_assert_true (haul_test_wait_until (haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));

  /* Every third (one emission over the span), then a block (one run). */
  for (guint i = 0; i < 300; i += 3)
    g_ptr_array_add (sparse, haul_queue_get_download (fx->queue, i));
  haul_queue_remove_many (fx->queue, sparse, NULL);
  for (guint i = 50; i < 70; i++)
    g_ptr_array_add (block, haul_queue_get_download (fx->queue, i));
  haul_queue_remove_many (fx->queue, block, NULL);
  /* Another block removed and put back: saved again. */
  g_ptr_array_set_size (block, 0);
  for (guint i = 10; i < 30; i++)
    g_ptr_array_add (block, haul_queue_get_download (fx->queue, i));
  haul_queue_remove_many (fx->queue, block, undo);
  haul_queue_save_now (fx->queue);
  haul_test_flush_store (fx->store);
  g_assert_true (haul_queue_undo_step (fx->queue, undo, 1000));
  /* A move and an add with the places as they are now. */
  g_assert_true (haul_queue_move (fx->queue, haul_queue_get_download (fx->queue, 150), 5));
  g_assert_nonnull (haul_queue_add (fx->queue, extra, fx->dir, NULL));
  haul_queue_pause (fx->queue, haul_queue_find_by_uri (fx->queue, extra));

  n = g_list_model_get_n_items (G_LIST_MODEL (fx->queue));
  g_assert_cmpuint (n, ==, 300 - 100 - 20 + 1);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (order, g_strdup (haul_download_get_uri (haul_queue_get_download (fx->queue, i))));
  haul_test_close_queue_and_store (&fx->queue, &fx->store);

  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (((HaulStoreRecord *) g_ptr_array_index (records, i))->uri, ==, g_ptr_array_index (order, i));
  restart (fx, FALSE);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (haul_download_get_uri (haul_queue_get_download (fx->queue, i)), ==,
                     g_ptr_array_index (order, i));
}

static HaulStoreRecord *
history_record (guint64     id,
                const char *uri,
                const char *directory,
                gint64      position)
{
  HaulStoreRecord *r = haul_store_record_new ();

  r->id = id;
  r->uri = g_strdup (uri);
  r->directory = g_strdup (directory);
  r->filename = g_strdup_printf ("file-%" G_GUINT64_FORMAT ".bin", id);
  r->state = HAUL_DOWNLOAD_STATE_COMPLETED;
  r->position = position;
  r->total = 1000;
  r->received = 1000;
  r->created = 1700000000000000 + (gint64) id;
  r->started = r->created + 1;
  r->finished = r->created + 2;
  return r;
}

/* New downloads get ids above every restored one: no id is reused. */
static void
test_ids_continue (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (KIB, 13);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint64 big = G_GUINT64_CONSTANT (1) << 40;
  HaulDownload *d;

  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  fx->store = haul_test_open_store (fx->db);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:9/old-%u", i);
      g_autoptr(HaulStoreRecord) r = history_record (big + i * 7, uri, fx->dir, i);

      haul_store_save (fx->store, r);
    }
  haul_test_flush_store (fx->store);
  haul_store_close (fx->store);
  g_clear_object (&fx->store);

  restart (fx, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 3);
  serve (fx, "/i/new.bin", content, 0);
  d = add (fx, "/i/new.bin");
  g_assert_cmpuint (haul_download_get_id (d), >, big + 14);
  haul_test_wait_finished (d);
  haul_test_close_queue_and_store (&fx->queue, &fx->store);

  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 4);
  for (guint i = 0; i < records->len; i++)
    {
      HaulStoreRecord *r = g_ptr_array_index (records, i);

      g_assert_false (g_hash_table_contains (ids, &r->id));
      g_hash_table_add (ids, &r->id);
    }
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *n)
{
  (*n)++;
}

/* 10 000 saved items arrive in chunks, each once, in order. */
static void
test_many (Fixture       *fx,
           gconstpointer  data)
{
  const guint N = 10000;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint n_changed = 0, n_chunks, n_loaded = 0;
  gint64 t0;

  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  fx->store = haul_test_open_store (fx->db);
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:9/many/%05u", i);
      g_autoptr(HaulStoreRecord) r = history_record (i + 1, uri, fx->dir, i);

      haul_store_save (fx->store, r);
    }
  haul_test_flush_store (fx->store);
  haul_store_close (fx->store);
  g_clear_object (&fx->store);

  t0 = g_get_monotonic_time ();
  fx->store = haul_test_open_store (fx->db);
  fx->queue = new_queue ();
  g_signal_connect (fx->queue, "items-changed", G_CALLBACK (count_items_changed), &n_changed);
  n_chunks = load (fx->store, fx->queue, NULL, TRUE, &n_loaded);
  haul_queue_set_store (fx->queue, fx->store);
  g_test_message ("open + load of %u items: %.1f ms in %u chunks", N,
                  (g_get_monotonic_time () - t0) / 1000.0, n_chunks);
  g_signal_handlers_disconnect_by_func (fx->queue, count_items_changed, &n_changed);

  g_assert_cmpuint (n_loaded, ==, N);
  g_assert_cmpuint (n_chunks, >=, N / HAUL_STORE_LOAD_CHUNK);
  g_assert_cmpuint (n_changed, ==, n_chunks);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, N);
  for (guint i = 0; i < N; i++)
    {
      HaulDownload *d = haul_queue_get_download (fx->queue, i);
      g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:9/many/%05u", i);

      g_assert_cmpstr (haul_download_get_uri (d), ==, uri);
      g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
      g_assert_false (g_hash_table_contains (ids, GSIZE_TO_POINTER (haul_download_get_id (d))));
      g_hash_table_add (ids, GSIZE_TO_POINTER (haul_download_get_id (d)));
    }
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 0);

  /* Restoring the same records again adds nothing. */
  g_assert_cmpuint (load (fx->store, fx->queue, NULL, TRUE, NULL), ==, n_chunks);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, N);
}

/* A crash between the rename of NAME.part to NAME and the store hearing of
 * it: the saved state still says downloading. The restart recognises its
 * finished file (the resume attribute survives the rename) instead of
 * fetching it again as "NAME (1)". */
static void
test_crash_after_rename (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (300 * KIB, 7);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(HaulStoreRecord) stale = NULL;
  g_autofree char *names = NULL;
  HaulDownload *d;

  serve (fx, "/r/done.bin", content, 0);
  d = add (fx, "/r/done.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  haul_test_close_queue_and_store (&fx->queue, &fx->store);

  /* What the store held at the last checkpoint before the "crash". */
  records = read_records (fx);
  g_assert_cmpuint (records->len, ==, 1);
  stale = haul_store_record_copy (g_ptr_array_index (records, 0));
  stale->state = HAUL_DOWNLOAD_STATE_DOWNLOADING;
  stale->received = 100 * KIB;
  stale->finished = 0;
  fx->store = haul_test_open_store (fx->db);
  haul_store_save (fx->store, stale);
  haul_test_flush_store (fx->store);
  haul_store_close (fx->store);
  g_clear_object (&fx->store);

  restart (fx, TRUE);
  d = find (fx, "/r/done.bin");
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/r/done.bin"), ==, 1);
  names = haul_test_list_dir (fx->dir);
  g_assert_cmpstr (names, ==, "done.bin");
}

/* A segmented download across a restart: the store keeps its written
 * ranges (checkpointed after they are on disk), and the next run asks
 * only for what they leave missing, never for bytes already written. */
static gboolean
has_several_connections (gpointer data)
{
  return haul_download_get_connections (data) >= 3 && haul_download_get_received (data) > MIB;
}

static void
test_segmented_restart (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (16 * MIB, 77);
  g_autofree HaulRange *written = NULL;
  g_auto(GStrv) ranges = NULL;
  gsize n_written;
  guint n_before;
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/seg/big.bin", content,
                             &(HaulTestFileOptions) { .rate = 128 * KIB, .etag = "\"s1\"" });
  haul_queue_set_max_connections (fx->queue, 8);
  d = add (fx, "/seg/big.bin");
  g_assert_true (haul_test_wait_until (has_several_connections, d, HAUL_TEST_WAIT_MS));
  haul_test_spin (5500); /* a checkpoint (every 5 s) */
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  /* The rest at full speed (same bytes, same ETag). */
  haul_test_server_add_file (fx->server, "/seg/big.bin", content,
                             &(HaulTestFileOptions) { .etag = "\"s1\"" });
  n_before = g_strv_length ((ranges = haul_test_server_get_ranges (fx->server, "/seg/big.bin")));

  restart (fx, FALSE);
  haul_queue_set_max_connections (fx->queue, 8);
  d = find (fx, "/seg/big.bin");
  g_assert_nonnull (haul_download_get_segments (d));
  written = haul_segments_copy_written (haul_download_get_segments (d), &n_written);
  g_assert_cmpuint (n_written, >, 1); /* written out of order */
  g_assert_cmpint (haul_download_get_received (d), >, 0);
  haul_queue_resume (fx->queue, d);
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "big.bin", content);

  g_strfreev (ranges);
  ranges = haul_test_server_get_ranges (fx->server, "/seg/big.bin");
  g_assert_cmpuint (g_strv_length (ranges), >, n_before);
  for (guint i = n_before; ranges[i] != NULL; i++)
    {
      gint64 first = -1;

      g_assert_cmpint (sscanf (ranges[i], "bytes=%" G_GINT64_FORMAT "-", &first), ==, 1);
      for (gsize j = 0; j < n_written; j++)
        g_assert_false (first >= written[j].start && first < written[j].end);
    }
}

/* The saved ranges say more than the .part holds (it was replaced by a
 * shorter file): never trusted, the download starts over. */
static void
test_segmented_part_short (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (16 * MIB, 78);
  g_autofree char *part = g_build_filename (fx->dir, "short.bin.part", NULL);
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/seg/short.bin", content,
                             &(HaulTestFileOptions) { .rate = 128 * KIB, .etag = "\"s2\"" });
  haul_queue_set_max_connections (fx->queue, 8);
  d = add (fx, "/seg/short.bin");
  g_assert_true (haul_test_wait_until (has_several_connections, d, HAUL_TEST_WAIT_MS));
  haul_test_spin (5500); /* a checkpoint (every 5 s) */
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  g_assert_cmpint (truncate (part, 1000), ==, 0);
  haul_test_server_add_file (fx->server, "/seg/short.bin", content,
                             &(HaulTestFileOptions) { .etag = "\"s2\"" });

  restart (fx, FALSE);
  haul_queue_set_max_connections (fx->queue, 8);
  d = find (fx, "/seg/short.bin");
  haul_queue_resume (fx->queue, d);
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  assert_file (fx, "short.bin", content);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/haul/core/persist/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("history", test_history);
  ADD ("fields", test_fields);
  ADD ("resume-after-exit", test_resume_after_exit);
  ADD ("crash-part-longer", test_crash_part_longer);
  ADD ("crash-after-rename", test_crash_after_rename);
  ADD ("part-missing-or-short", test_part_missing_or_short);
  ADD ("crash-before-name-saved", test_crash_before_name_saved);
  ADD ("clear-finished", test_clear_finished);
  ADD ("remove-and-move", test_remove_and_move);
  ADD ("remove-many-saved", test_remove_many_saved);
  ADD ("ids-continue", test_ids_continue);
  ADD ("many", test_many);
  ADD ("segmented-restart", test_segmented_restart);
  ADD ("segmented-part-short", test_segmented_part_short);

#undef ADD

  return g_test_run ();
}

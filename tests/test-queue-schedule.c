/* test-queue-schedule.c — the schedule's hours and "Start at…" in a real queue
 *
 * A HaulQueue on a fixed HaulClock (moved by the test: 23:59 → 00:00
 * without waiting a minute), saving to a real HaulStore file, against the
 * in-process test server on 127.0.0.1: outside the hours nothing is asked
 * of the server; at the hour the files come, byte for byte; a restart (the
 * store closed and opened again into a new queue) keeps waiting. One case
 * runs on the real wall clock, for the timer itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-queue-schedule"

#include "config.h"

#include <glib/gstdio.h>

#include "haul-queue-private.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

#define HM(h, m) ((h) * 60 + (m))
#define N_FILES 3
#define SLOW_SIZE (2 * MIB)

typedef struct
{
  HaulTestServer *server;
  char           *tmp;
  char           *dir;
  char           *db;
  HaulStore      *store;
  HaulQueue      *queue;
  HaulClock      *clock;
  GBytes         *content[N_FILES];
  GBytes         *slow;
  HaulSchedule   *hours;  /* nullable: what new_queue() sets */
} Fixture;

static GDateTime *
at (int day,
    int hour,
    int minute)
{
  /* Monday 2 June 2025 and the days after it. */
  return g_date_time_new_local (2025, 6, day, hour, minute, 0);
}

static void
set_clock (Fixture *fx,
           int      day,
           int      hour,
           int      minute)
{
  g_autoptr(GDateTime) t = at (day, hour, minute);

  haul_clock_set_now (fx->clock, t);
}

static HaulQueue *
new_queue (Fixture *fx)
{
  HaulQueue *queue = haul_queue_new ();

  g_object_set (queue, "max-connections", 1, "max-active", 4, "max-retries", 0, NULL);
  haul_queue_set_clock (queue, fx->clock);
  haul_queue_set_schedule (queue, fx->hours);
  haul_queue_set_store (queue, fx->store);
  return queue;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GDateTime) start = at (2, 23, 59);

  fx->server = haul_test_server_new ();
  fx->tmp = haul_test_make_tmp_dir ();
  fx->dir = g_build_filename (fx->tmp, "downloads", NULL);
  fx->db = g_build_filename (fx->tmp, "haul.db", NULL);
  g_assert_cmpint (g_mkdir (fx->dir, 0700), ==, 0);
  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/f%u.bin", i);

      fx->content[i] = haul_test_content (200 * KIB + i, i + 1);
      haul_test_server_add_file (fx->server, path, fx->content[i], NULL);
    }
  fx->slow = haul_test_content (SLOW_SIZE, 99);
  haul_test_server_add_file (fx->server, "/slow.bin", fx->slow,
                             &(HaulTestFileOptions) { .rate = 128 * KIB });
  fx->clock = haul_clock_new_fixed (start);
  fx->store = haul_test_open_store (fx->db);
  fx->queue = new_queue (fx);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  g_clear_object (&fx->clock);
  g_clear_pointer (&fx->hours, haul_schedule_free);
  haul_test_server_free (fx->server);
  for (guint i = 0; i < N_FILES; i++)
    g_bytes_unref (fx->content[i]);
  g_bytes_unref (fx->slow);
  haul_test_rm_rf (fx->tmp);
  g_free (fx->tmp);
  g_free (fx->dir);
  g_free (fx->db);
}

/* Like quitting and starting Haul again: the store closed and opened, its
 * downloads restored into a new queue on the same clock. */
static void
load_chunk_cb (HaulStore *store,
               GPtrArray *records,
               gpointer   user_data)
{
  gpointer *args = user_data;

  haul_queue_restore (args[0], records, GPOINTER_TO_INT (args[1]));
}

static void
restart (Fixture  *fx,
         gboolean  resume)
{
  g_autoptr(GError) error = NULL;
  gpointer args[2];
  HaulTestAsync w = { 0 };
  guint n = 0, n_skipped = 0;

  haul_test_close_queue_and_store (&fx->queue, &fx->store);
  fx->store = haul_test_open_store (fx->db);
  fx->queue = new_queue (fx);
  args[0] = fx->queue;
  args[1] = GINT_TO_POINTER (resume);
  haul_store_load_async (fx->store, load_chunk_cb, args, NULL, haul_test_async_cb, &w);
  g_assert_true (haul_store_load_finish (fx->store, haul_test_async_wait (&w), &n, &n_skipped, &error));
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_assert_cmpuint (n_skipped, ==, 0);
}

static HaulDownload *
download_at (Fixture *fx,
             guint    i)
{
  g_autoptr(HaulDownload) d = g_list_model_get_item (G_LIST_MODEL (fx->queue), i);

  return d;
}

static void
add_files (Fixture      *fx,
           HaulDownload *out[N_FILES])
{
  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/f%u.bin", i);

      out[i] = haul_test_add (fx->queue, fx->server, fx->dir, path);
    }
}

/* Queued, waiting for @reason, and nothing was asked of the server. */
static void
assert_waiting (Fixture          *fx,
                HaulDownload     *d,
                HaulDownloadWait  reason)
{
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_cmpint (haul_queue_get_wait_reason (fx->queue, d), ==, reason);
}

static gboolean
is_downloading (gpointer data)
{
  HaulDownload *d = data;

  return haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_DOWNLOADING &&
         haul_download_get_received (d) > 64 * KIB;
}

static gboolean
is_queued (gpointer data)
{
  return haul_download_get_state (data) == HAUL_DOWNLOAD_STATE_QUEUED;
}

/* The hours of this queue and of the next one (a restart sets them
 * before restoring, as the application does). */
static void
set_hours (Fixture *fx,
           guint    start,
           guint    end)
{
  g_clear_pointer (&fx->hours, haul_schedule_free);
  fx->hours = haul_schedule_new (HAUL_SCHEDULE_ALL_DAYS, start, end);
  haul_queue_set_schedule (fx->queue, fx->hours);
}

/* ------------------------------------------------------------------ */

/* 23:59 with the hours 00:00–06:00: everything waits, nothing is asked;
 * at 00:00 it all comes. */
static void
test_midnight (Fixture       *fx,
               gconstpointer  data)
{
  HaulDownload *d[N_FILES];

  set_hours (fx, HM (0, 0), HM (6, 0));
  g_assert_cmpuint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_SCHEDULE);
  add_files (fx, d);
  haul_test_spin (300);
  for (guint i = 0; i < N_FILES; i++)
    assert_waiting (fx, d[i], HAUL_DOWNLOAD_WAIT_SCHEDULE);
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, 0);
  {
    g_autoptr(GDateTime) until = haul_queue_dup_wait_until (fx->queue, d[0]);
    g_autoptr(GDateTime) midnight = at (3, 0, 0);

    g_assert_nonnull (until);
    g_assert_true (g_date_time_equal (until, midnight));
  }

  set_clock (fx, 3, 0, 0);
  g_assert_cmpuint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_NONE);
  for (guint i = 0; i < N_FILES; i++)
    {
      haul_test_wait_finished (d[i]);
      haul_test_assert_completed_with (d[i], fx->content[i]);
    }
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, N_FILES);
}

/* At 06:00 the hours close: a running download (throttled) goes back to
 * the queue, and nothing else starts. */
static void
test_six_in_the_morning (Fixture       *fx,
                         gconstpointer  data)
{
  HaulDownload *slow, *late;

  set_clock (fx, 3, 5, 59);
  set_hours (fx, HM (0, 0), HM (6, 0));
  haul_queue_set_max_active (fx->queue, 1);
  slow = haul_test_add (fx->queue, fx->server, fx->dir, "/slow.bin");
  late = haul_test_add (fx->queue, fx->server, fx->dir, "/f0.bin");
  haul_test_wait_download (slow, is_downloading, "downloading");

  set_clock (fx, 3, 6, 0);
  g_assert_cmpuint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_SCHEDULE);
  assert_waiting (fx, late, HAUL_DOWNLOAD_WAIT_SCHEDULE);

  /* The running download goes back to the queue, its .part kept, no retry
   * counted, and waits for the hours; what waits does not start. */
  haul_test_wait_download (slow, is_queued, "queued");
  assert_waiting (fx, slow, HAUL_DOWNLOAD_WAIT_SCHEDULE);
  g_assert_cmpuint (haul_download_get_retries (slow), ==, 0);
  g_assert_null (haul_download_get_error (slow));
  g_assert_cmpint (haul_download_get_received (slow), >, 0);
  haul_test_spin (300);
  assert_waiting (fx, late, HAUL_DOWNLOAD_WAIT_SCHEDULE);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/f0.bin"), ==, 0);

  /* The next night, both come whole (the slow one from its offset). */
  assert_waiting (fx, slow, HAUL_DOWNLOAD_WAIT_SCHEDULE);
  haul_queue_set_max_active (fx->queue, 2);
  set_clock (fx, 4, 0, 0);
  haul_test_wait_finished (late);
  haul_test_assert_completed_with (late, fx->content[0]);
  haul_test_wait_finished (slow);
  haul_test_assert_completed_with (slow, fx->slow);
}

/* Closed and opened again before the hours: still waiting, nothing asked;
 * then the time comes. */
static void
test_restart_waits (Fixture       *fx,
                    gconstpointer  data)
{
  HaulDownload *d[N_FILES];

  set_hours (fx, HM (0, 0), HM (6, 0));
  add_files (fx, d);
  haul_test_spin (100);
  restart (fx, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, N_FILES);
  haul_test_spin (300);
  for (guint i = 0; i < N_FILES; i++)
    assert_waiting (fx, download_at (fx, i), HAUL_DOWNLOAD_WAIT_SCHEDULE);
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, 0);

  set_clock (fx, 3, 0, 0);
  for (guint i = 0; i < N_FILES; i++)
    {
      HaulDownload *r = download_at (fx, i);

      haul_test_wait_finished (r);
      haul_test_assert_completed_with (r, fx->content[i]);
    }
}

/* "Start at 23:30" at 23:00, outside the hours: it waits for its time
 * (not the hours), survives a restart, and runs at 23:30 while the others
 * still wait for midnight. */
static void
test_start_at (Fixture       *fx,
               gconstpointer  data)
{
  HaulDownload *d[N_FILES];
  g_autoptr(GDateTime) half_past = at (2, 23, 30);
  gint64 expected_us = g_date_time_to_unix (half_past) * G_USEC_PER_SEC;
  HaulDownload *r;

  set_clock (fx, 2, 23, 0);
  set_hours (fx, HM (0, 0), HM (6, 0));
  add_files (fx, d);
  haul_queue_set_start_time (fx->queue, d[1], half_past);
  g_assert_cmpint (haul_download_get_start_after (d[1]), ==, expected_us);
  haul_test_spin (200);
  assert_waiting (fx, d[1], HAUL_DOWNLOAD_WAIT_START_TIME);
  assert_waiting (fx, d[0], HAUL_DOWNLOAD_WAIT_SCHEDULE);
  {
    g_autoptr(GDateTime) until = haul_queue_dup_wait_until (fx->queue, d[1]);

    g_assert_true (g_date_time_equal (until, half_past));
  }

  /* Restarted with "resume on start" off: a start time still ahead waits
   * all the same (the others come back paused). */
  restart (fx, FALSE);
  r = download_at (fx, 1);
  g_assert_cmpint (haul_download_get_start_after (r), ==, expected_us);
  assert_waiting (fx, r, HAUL_DOWNLOAD_WAIT_START_TIME);
  haul_test_assert_state (download_at (fx, 0), HAUL_DOWNLOAD_STATE_PAUSED);
  haul_test_spin (200);
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, 0);

  set_clock (fx, 2, 23, 29);
  haul_test_spin (200);
  assert_waiting (fx, r, HAUL_DOWNLOAD_WAIT_START_TIME);
  set_clock (fx, 2, 23, 30);
  haul_test_wait_finished (r);
  haul_test_assert_completed_with (r, fx->content[1]);
  /* Only it: the hours are still closed. */
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, 1);
  haul_queue_resume (fx->queue, download_at (fx, 2));
  haul_test_spin (200);
  assert_waiting (fx, download_at (fx, 2), HAUL_DOWNLOAD_WAIT_SCHEDULE);
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, 1);
}

/* Clearing the time: it waits for nothing any more, and the store says so. */
static void
test_start_at_cleared (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GDateTime) later = at (2, 23, 59);
  HaulDownload *d;
  guint n_before;

  set_clock (fx, 2, 23, 0);
  d = haul_test_add (fx->queue, fx->server, fx->dir, "/f0.bin");
  haul_queue_pause (fx->queue, d);
  haul_test_wait_paused (d);
  n_before = haul_test_server_get_total_requests (fx->server);
  haul_queue_set_start_time (fx->queue, d, later);
  assert_waiting (fx, d, HAUL_DOWNLOAD_WAIT_START_TIME);
  haul_test_spin (200);
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, n_before);

  haul_queue_set_start_time (fx->queue, d, NULL);
  g_assert_cmpint (haul_download_get_start_after (d), ==, 0);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, fx->content[0]);

  restart (fx, TRUE);
  g_assert_cmpint (haul_download_get_start_after (download_at (fx, 0)), ==, 0);
}

/* A time in the past starts at once — a paused download, outside the
 * hours; a failed one too. */
static void
test_start_at_past (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GDateTime) earlier = at (2, 22, 0);
  HaulDownload *d;

  set_hours (fx, HM (0, 0), HM (6, 0));
  d = haul_test_add (fx->queue, fx->server, fx->dir, "/f2.bin");
  haul_queue_pause (fx->queue, d);
  haul_queue_set_start_time (fx->queue, d, earlier);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, fx->content[2]);
  g_assert_cmpint (haul_queue_get_hold (fx->queue), ==, HAUL_QUEUE_HOLD_SCHEDULE);
}

/* A running download given a later time goes back to the queue (its .part
 * kept), then continues from where it was. */
static void
test_start_at_running (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GDateTime) later = at (3, 1, 0);
  HaulDownload *slow;
  gint64 received;
  g_auto(GStrv) ranges = NULL;

  haul_test_server_add_file (fx->server, "/fast.bin", fx->slow,
                             &(HaulTestFileOptions) { .rate = 512 * KIB, .etag = "\"s\"" });
  slow = haul_test_add (fx->queue, fx->server, fx->dir, "/fast.bin");
  haul_test_wait_download (slow, is_downloading, "downloading");
  haul_queue_set_start_time (fx->queue, slow, later);
  haul_test_wait_download (slow, is_queued, "queued");
  assert_waiting (fx, slow, HAUL_DOWNLOAD_WAIT_START_TIME);
  g_assert_cmpuint (haul_download_get_retries (slow), ==, 0);
  g_assert_null (haul_download_get_error (slow));
  received = haul_download_get_received (slow);
  g_assert_cmpint (received, >, 0);
  g_assert_cmpint (received, <, SLOW_SIZE);
  haul_test_spin (300);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/fast.bin"), ==, 1);

  set_clock (fx, 3, 1, 0);
  haul_test_wait_finished (slow);
  haul_test_assert_completed_with (slow, fx->slow);
  /* Two requests: the second continued the .part. */
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/fast.bin"), ==, 2);
  ranges = haul_test_server_get_ranges (fx->server, "/fast.bin");
  g_assert_cmpuint (g_strv_length (ranges), >=, 1);
  g_assert_true (g_str_has_prefix (ranges[g_strv_length (ranges) - 1], "bytes="));
  g_assert_cmpstr (ranges[g_strv_length (ranges) - 1], !=, "bytes=0-");
}

/* On the real wall clock, outside the hours: a start time two seconds
 * ahead is kept by the timer, not by a test moving a clock. */
static void
test_real_clock (void)
{
  g_autoptr(HaulTestServer) server = NULL;
  g_autoptr(GBytes) content = haul_test_content (10 * KIB, 7);
  g_autofree char *dir = haul_test_make_tmp_dir ();
  g_autoptr(HaulQueue) queue = haul_queue_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) soon = g_date_time_add_seconds (now, 2);
  HaulDownload *d;
  gint64 started;

  /* Hours half an hour away: it waits for its start time only. */
  guint minute = (guint) (g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now));
  g_autoptr(HaulSchedule) hours = haul_schedule_new (HAUL_SCHEDULE_ALL_DAYS, minute + 30, minute + 31);

  haul_queue_set_schedule (queue, hours);
  server = haul_test_server_new ();
  haul_test_server_add_file (server, "/soon.bin", content, NULL);
  d = haul_test_add (queue, server, dir, "/soon.bin");
  haul_test_spin (100);
  g_assert_cmpint (haul_queue_get_wait_reason (queue, d), ==, HAUL_DOWNLOAD_WAIT_SCHEDULE);
  haul_queue_set_start_time (queue, d, soon);
  haul_test_spin (100);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_cmpint (haul_queue_get_wait_reason (queue, d), ==, HAUL_DOWNLOAD_WAIT_START_TIME);
  haul_test_wait_finished (d);
  started = haul_download_get_started (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpint (started, >=, g_date_time_to_unix (soon) * G_USEC_PER_SEC);
  g_assert_cmpint (started, <, (g_date_time_to_unix (soon) + 3) * G_USEC_PER_SEC);
  g_assert_cmpuint (haul_test_server_get_total_requests (server), ==, 1);
  haul_test_release_queue (&queue);
  haul_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

#define ADD(name, func) \
  g_test_add ("/haul/core/queue-schedule/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("midnight", test_midnight);
  ADD ("six-in-the-morning", test_six_in_the_morning);
  ADD ("restart-waits", test_restart_waits);
  ADD ("start-at", test_start_at);
  ADD ("start-at-cleared", test_start_at_cleared);
  ADD ("start-at-past", test_start_at_past);
  ADD ("start-at-running", test_start_at_running);
#undef ADD
  g_test_add_func ("/haul/core/queue-schedule/real-clock", test_real_clock);

  return g_test_run ();
}

/* test-queue.c — the queue's state machine and operations, against a real server
 *
 * A real HaulQueue on the test's main context, the in-process test server on
 * 127.0.0.1 and real files in a temporary folder. Every state change of
 * every download is checked against the documented state machine as it
 * happens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-queue"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "haul-download.h"
#include "haul-queue.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

typedef struct
{
  HaulTestServer *server;
  HaulQueue      *queue;
  char           *dir;

  /* Observations */
  GPtrArray      *started;        /* downloads, in the order they first connected */
  guint           max_started_over; /* starts that found more than max-active running */
  guint           n_items_changed;
  GPtrArray      *finished;       /* download-finished emissions, in order */
  guint           n_idle;
  gboolean        idle_when_not_idle;
  gboolean        finished_not_final;
  guint           max_n_active;
} Fixture;

/* ------------------------------------------------------------------ */
/* Helpers */

static guint
count_active (HaulQueue *queue)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
    if (haul_download_is_active (haul_queue_get_download (queue, i)))
      n++;
  return n;
}

/* The documented state machine: queued → connecting → downloading →
 * (verifying) → completed, with paused, failed and cancelled on the side. */
static gboolean
transition_is_valid (HaulDownloadState from,
                     HaulDownloadState to)
{
  switch (from)
    {
    case HAUL_DOWNLOAD_STATE_QUEUED:
      return to == HAUL_DOWNLOAD_STATE_CONNECTING || to == HAUL_DOWNLOAD_STATE_PAUSED ||
             to == HAUL_DOWNLOAD_STATE_CANCELLED;
    case HAUL_DOWNLOAD_STATE_CONNECTING:
    case HAUL_DOWNLOAD_STATE_DOWNLOADING:
    case HAUL_DOWNLOAD_STATE_VERIFYING:
      /* connecting again: waiting to retry; queued: resumed or retried
       * while its attempt was still stopping */
      return to != from;
    case HAUL_DOWNLOAD_STATE_PAUSED:
    case HAUL_DOWNLOAD_STATE_FAILED:
      return to == HAUL_DOWNLOAD_STATE_QUEUED || to == HAUL_DOWNLOAD_STATE_CANCELLED;
    case HAUL_DOWNLOAD_STATE_CANCELLED:
      /* paused: a cancel taken back (Undo) */
      return to == HAUL_DOWNLOAD_STATE_QUEUED || to == HAUL_DOWNLOAD_STATE_PAUSED;
    case HAUL_DOWNLOAD_STATE_COMPLETED:
    default:
      return FALSE;
    }
}

static void
state_notify_cb (HaulDownload *d,
                 GParamSpec   *pspec,
                 Fixture      *fx)
{
  HaulDownloadState from = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (d), "test-state"));
  HaulDownloadState to = haul_download_get_state (d);

  if (!transition_is_valid (from, to))
    g_error ("%s: invalid transition %s → %s", haul_download_get_uri (d),
             haul_download_state_to_string (from), haul_download_state_to_string (to));
  g_object_set_data (G_OBJECT (d), "test-state", GINT_TO_POINTER (to));

  if (to == HAUL_DOWNLOAD_STATE_CONNECTING && from == HAUL_DOWNLOAD_STATE_QUEUED)
    {
      /* A start: it must have found a free slot. */
      if (count_active (fx->queue) > haul_queue_get_max_active (fx->queue))
        fx->max_started_over++;
      if (!g_ptr_array_find (fx->started, d, NULL))
        g_ptr_array_add (fx->started, d);
    }
}

static HaulDownload *
track (Fixture      *fx,
       HaulDownload *d)
{
  g_object_set_data (G_OBJECT (d), "test-state", GINT_TO_POINTER (haul_download_get_state (d)));
  g_signal_connect (d, "notify::state", G_CALLBACK (state_notify_cb), fx);
  return d;
}

/* Returns: (transfer none) */
static HaulDownload *
add (Fixture    *fx,
     const char *path)
{
  return haul_test_add (fx->queue, fx->server, fx->dir, path);
}

static void
serve (Fixture    *fx,
       const char *path,
       GBytes     *content,
       gint64      rate)
{
  haul_test_server_add_file (fx->server, path, content, &(HaulTestFileOptions) { .rate = rate });
}

static gboolean
is_downloading (gpointer data)
{
  return haul_download_get_state (data) == HAUL_DOWNLOAD_STATE_DOWNLOADING &&
         haul_download_get_received (data) > 0;
}

static gboolean
queue_is_idle (gpointer data)
{
  return haul_queue_is_idle (data);
}

static void
wait_for (HaulTestPredicate  predicate,
          HaulDownload      *d,
          const char        *what)
{
  if (!haul_test_wait_until (predicate, d, HAUL_TEST_WAIT_MS))
    g_error ("timed out waiting for %s to be %s (state %s, error %s)", haul_download_get_uri (d), what,
             haul_download_state_to_string (haul_download_get_state (d)), haul_download_get_error (d));
}

#define wait_finished(d) haul_test_wait_finished (d)
#define wait_paused(d) haul_test_wait_paused (d)
#define wait_downloading(d) wait_for (is_downloading, (d), "downloading")

static void
wait_idle (Fixture *fx)
{
  g_assert_true (haul_test_wait_until (queue_is_idle, fx->queue, HAUL_TEST_WAIT_MS));
}

static char *
part_path (HaulDownload *d)
{
  g_autofree char *path = haul_download_dup_path (d);

  g_assert_nonnull (path);
  return g_strconcat (path, ".part", NULL);
}

/* The queue's order as "a|b|c" (file names from the URIs). */
static char *
queue_order (HaulQueue *queue)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
    {
      const char *uri = haul_download_get_uri (haul_queue_get_download (queue, i));

      if (i > 0)
        g_string_append_c (s, '|');
      g_string_append (s, strrchr (uri, '/') + 1);
    }
  return g_string_free (s, FALSE);
}

static char *
started_order (Fixture *fx)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < fx->started->len; i++)
    {
      const char *uri = haul_download_get_uri (g_ptr_array_index (fx->started, i));

      if (i > 0)
        g_string_append_c (s, '|');
      g_string_append (s, strrchr (uri, '/') + 1);
    }
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------ */
/* Fixture */

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fx)
{
  fx->n_items_changed++;
  /* Every new download is watched from the start. */
  for (guint i = position; i < position + added; i++)
    {
      HaulDownload *d = haul_queue_get_download (HAUL_QUEUE (model), i);

      if (g_object_get_data (G_OBJECT (d), "test-tracked") == NULL)
        {
          g_object_set_data (G_OBJECT (d), "test-tracked", GINT_TO_POINTER (1));
          track (fx, d);
        }
    }
}

static void
download_finished_cb (HaulQueue    *queue,
                      HaulDownload *d,
                      Fixture      *fx)
{
  if (!haul_download_is_finished (d))
    fx->finished_not_final = TRUE;
  g_ptr_array_add (fx->finished, g_object_ref (d));
}

static void
idle_cb (HaulQueue *queue,
         Fixture   *fx)
{
  fx->n_idle++;
  if (!haul_queue_is_idle (queue))
    fx->idle_when_not_idle = TRUE;
}

static void
n_active_notify_cb (HaulQueue  *queue,
                    GParamSpec *pspec,
                    Fixture    *fx)
{
  fx->max_n_active = MAX (fx->max_n_active, haul_queue_get_n_active (queue));
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->server = haul_test_server_new ();
  fx->dir = g_dir_make_tmp ("haul-queue-XXXXXX", &error);
  g_assert_no_error (error);
  fx->started = g_ptr_array_new ();
  fx->finished = g_ptr_array_new_with_free_func (g_object_unref);

  fx->queue = haul_queue_new ();
  /* One stream per file (requests asserted exactly; see test-segmented). */
  g_object_set (fx->queue,
                "max-connections", 1,
                "connect-timeout", 10,
                "stall-timeout", 60,
                "retry-base-delay", 50,
                "max-retries", 3,
                "max-active", 4,
                NULL);
  g_signal_connect (fx->queue, "items-changed", G_CALLBACK (items_changed_cb), fx);
  g_signal_connect (fx->queue, "download-finished", G_CALLBACK (download_finished_cb), fx);
  g_signal_connect (fx->queue, "idle", G_CALLBACK (idle_cb), fx);
  g_signal_connect (fx->queue, "notify::n-active", G_CALLBACK (n_active_notify_cb), fx);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  haul_test_stop_queue (fx->queue);
  g_signal_handlers_disconnect_by_data (fx->queue, fx);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (fx->queue)); i++)
    g_signal_handlers_disconnect_by_data (haul_queue_get_download (fx->queue, i), fx);
  haul_test_release_queue (&fx->queue);

  g_clear_pointer (&fx->server, haul_test_server_free);
  haul_test_rm_rf (fx->dir);
  g_clear_pointer (&fx->dir, g_free);
  g_clear_pointer (&fx->started, g_ptr_array_unref);
  g_clear_pointer (&fx->finished, g_ptr_array_unref);
}

/* ------------------------------------------------------------------ */
/* Tests */

static void
test_add (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (8 * KIB, 1);
  g_autofree char *uri = haul_test_server_uri (fx->server, "/add/a.bin");
  g_autofree char *uri_fragment = g_strconcat (uri, "#part-2", NULL);
  g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);
  const char *invalid[] = {
    "ftp://127.0.0.1/file.bin",
    "file:///etc/passwd",
    "not a link",
    "http://",
    "javascript:alert(1)",
    "",
    "http://exa mple.com/x",
  };
  g_autoptr(GError) error = NULL;
  HaulDownload *d, *dup;
  guint n_dups = 99, n_added, changes;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = g_strdup_printf ("/add/%c.bin", 'a' + i);

      serve (fx, path, content, 0);
    }

  d = add (fx, "/add/a.bin");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 1);
  g_assert_true (haul_queue_find_by_uri (fx->queue, uri) == d);
  g_assert_true (haul_queue_get_download (fx->queue, 0) == d);
  g_assert_cmpstr (haul_download_get_directory (d), ==, fx->dir);

  /* Duplicates are refused, with a message; the fragment does not count. */
  dup = haul_queue_add (fx->queue, uri, fx->dir, &error);
  g_assert_null (dup);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "already"));
  g_clear_error (&error);
  dup = haul_queue_add (fx->queue, uri_fragment, fx->dir, &error);
  g_assert_null (dup);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* Invalid links are refused, each with a message. */
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      HaulDownload *bad = haul_queue_add (fx->queue, invalid[i], fx->dir, &error);

      g_assert_null (bad);
      g_assert_nonnull (error);
      g_assert_cmpuint (strlen (error->message), >, 0);
      g_test_message ("“%s”: %s", invalid[i], error->message);
      g_clear_error (&error);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 1);

  /* Many at once: one items-changed, duplicates counted. */
  g_ptr_array_add (uris, haul_test_server_uri (fx->server, "/add/b.bin"));
  g_ptr_array_add (uris, g_strdup (uri));
  g_ptr_array_add (uris, haul_test_server_uri (fx->server, "/add/c.bin"));
  g_ptr_array_add (uris, haul_test_server_uri (fx->server, "/add/d.bin"));
  changes = fx->n_items_changed;
  n_added = haul_queue_add_uris (fx->queue, uris, fx->dir, &n_dups);
  g_assert_cmpuint (n_added, ==, 3);
  g_assert_cmpuint (n_dups, ==, 1);
  g_assert_cmpuint (fx->n_items_changed, ==, changes + 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 4);
  {
    g_autofree char *order = queue_order (fx->queue);

    g_assert_cmpstr (order, ==, "a.bin|b.bin|c.bin|d.bin");
  }

  wait_idle (fx);
  for (guint i = 0; i < 4; i++)
    haul_test_assert_completed_with (haul_queue_get_download (fx->queue, i), content);
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, 4);
}

static void
test_pause_resume (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (768 * KIB, 2);
  g_autoptr(GBytes) small = haul_test_content (16 * KIB, 3);
  g_autofree char *part = NULL;
  HaulDownload *d, *waiting;
  gint64 kept;

  haul_queue_set_max_active (fx->queue, 1);
  serve (fx, "/pr/slow.bin", content, 1 * MIB);
  serve (fx, "/pr/waiting.bin", small, 0);
  d = add (fx, "/pr/slow.bin");
  waiting = add (fx, "/pr/waiting.bin");
  haul_test_assert_state (waiting, HAUL_DOWNLOAD_STATE_QUEUED);

  /* Pausing a queued download: no request, stays out of the way. */
  haul_queue_pause (fx->queue, waiting);
  haul_test_assert_state (waiting, HAUL_DOWNLOAD_STATE_PAUSED);

  wait_downloading (d);
  haul_queue_pause (fx->queue, d);
  haul_queue_pause (fx->queue, d); /* twice is harmless */
  wait_paused (d);
  kept = haul_download_get_received (d);
  part = part_path (d);
  g_assert_cmpint (kept, >, 0);
  g_assert_true (haul_test_exists_nofollow (part));
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 0);
  /* Nothing runs: the other one was paused too. */
  g_assert_true (haul_queue_is_idle (fx->queue));
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/pr/waiting.bin"), ==, 0);

  haul_queue_resume (fx->queue, d);
  haul_queue_resume (fx->queue, waiting);
  wait_finished (d);
  wait_finished (waiting);
  haul_test_assert_completed_with (d, content);
  haul_test_assert_completed_with (waiting, small);
  {
    g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, "/pr/slow.bin");
    g_autofree char *expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", kept);

    g_assert_cmpuint (g_strv_length (ranges), ==, 1);
    g_assert_cmpstr (ranges[0], ==, expected);
  }
  g_assert_cmpuint (fx->max_started_over, ==, 0);
}

static void
test_cancel_retry (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (768 * KIB, 4);
  g_autofree char *part = NULL;
  HaulDownload *d;

  serve (fx, "/cr/file.bin", content, 1 * MIB);
  d = add (fx, "/cr/file.bin");
  wait_downloading (d);
  part = part_path (d);

  haul_queue_cancel (fx->queue, d);
  wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_CANCELLED);
  g_assert_false (haul_test_exists_nofollow (part));
  g_assert_cmpint (haul_download_get_received (d), ==, 0);
  g_assert_null (haul_download_get_filename (d));
  /* Cancelling again, or pausing, changes nothing. */
  haul_queue_cancel (fx->queue, d);
  haul_queue_pause (fx->queue, d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_CANCELLED);

  /* Retry starts from zero: no Range. */
  haul_queue_retry (fx->queue, d);
  wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpstr (haul_download_get_filename (d), ==, "file.bin");
  {
    g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, "/cr/file.bin");

    g_assert_cmpuint (g_strv_length (ranges), ==, 0);
  }
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/cr/file.bin"), ==, 2);
  /* Completed is final: retry, resume, cancel do nothing. */
  haul_queue_retry (fx->queue, d);
  haul_queue_resume (fx->queue, d);
  haul_queue_cancel (fx->queue, d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_completed_with (d, content);
}

static void
test_retry_failed (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (100 * KIB, 5);
  HaulDownload *d1, *d2, *d3;

  d1 = add (fx, "/late/one.bin");
  d2 = add (fx, "/late/two.bin");
  d3 = add (fx, "/late/three.bin");
  wait_finished (d1);
  wait_finished (d2);
  wait_finished (d3);
  haul_test_assert_state (d1, HAUL_DOWNLOAD_STATE_FAILED);
  g_assert_nonnull (strstr (haul_download_get_error (d1), "404"));
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/late/one.bin"), ==, 1);

  serve (fx, "/late/one.bin", content, 0);
  serve (fx, "/late/two.bin", content, 0);
  serve (fx, "/late/three.bin", content, 0);

  /* retry, resume and start all bring a failed download back. */
  haul_queue_retry (fx->queue, d1);
  haul_queue_resume (fx->queue, d2);
  haul_queue_start (fx->queue, d3);
  wait_finished (d1);
  wait_finished (d2);
  wait_finished (d3);
  haul_test_assert_completed_with (d1, content);
  haul_test_assert_completed_with (d2, content);
  haul_test_assert_completed_with (d3, content);
  g_assert_null (haul_download_get_error (d1));
  g_assert_cmpuint (haul_download_get_retries (d1), ==, 0);
}

static void
test_remove (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (768 * KIB, 6);
  g_autoptr(GBytes) small = haul_test_content (10 * KIB, 7);
  g_autofree char *part = NULL;
  g_autofree char *done_path = NULL;
  HaulDownload *running, *done, *queued;
  g_autoptr(HaulDownload) running_ref = NULL;
  g_autofree char *running_uri = haul_test_server_uri (fx->server, "/rm/running.bin");

  serve (fx, "/rm/running.bin", content, 1 * MIB);
  serve (fx, "/rm/done.bin", small, 0);
  serve (fx, "/rm/queued.bin", small, 0);

  done = add (fx, "/rm/done.bin");
  wait_finished (done);
  haul_test_assert_completed_with (done, small);
  done_path = haul_download_dup_path (done);

  haul_queue_set_max_active (fx->queue, 1);
  running = add (fx, "/rm/running.bin");
  queued = add (fx, "/rm/queued.bin");
  running_ref = g_object_ref (running);
  wait_downloading (running);
  part = part_path (running);
  g_assert_true (haul_test_exists_nofollow (part));

  /* Remove a queued one: it never runs. */
  haul_queue_remove (fx->queue, queued);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 2);

  /* Remove the running one: it stops, its .part goes, its link may be
   * added again. */
  haul_queue_remove (fx->queue, running);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 1);
  g_assert_null (haul_queue_find_by_uri (fx->queue, running_uri));
  wait_finished (running_ref);
  wait_idle (fx);
  g_assert_false (haul_test_exists_nofollow (part));

  /* Remove the completed one: the file stays. */
  haul_queue_remove (fx->queue, done);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 0);
  haul_test_assert_file_is (done_path, small);
  haul_queue_remove (fx->queue, done); /* not there any more: nothing happens */

  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/rm/queued.bin"), ==, 0);
  haul_test_assert_folder (fx->dir, "done.bin");

  /* Added again after removal: starts afresh. */
  running = add (fx, "/rm/running.bin");
  wait_finished (running);
  haul_test_assert_completed_with (running, content);
}

static void
test_move (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GBytes) stuck = haul_test_content (256 * KIB, 8);
  g_autoptr(GBytes) small = haul_test_content (20 * KIB, 9);
  HaulDownload *a, *b, *c, *d, *e;
  guint changes;

  haul_queue_set_max_active (fx->queue, 1);
  haul_test_server_add_file (fx->server, "/mv/a", stuck,
                             &(HaulTestFileOptions) { .stall = TRUE, .stall_after = 64 * KIB });
  serve (fx, "/mv/b", small, 0);
  serve (fx, "/mv/c", small, 0);
  serve (fx, "/mv/d", small, 0);
  serve (fx, "/mv/e", small, 0);

  /* a runs (and hangs); the rest wait in order. */
  a = add (fx, "/mv/a");
  b = add (fx, "/mv/b");
  c = add (fx, "/mv/c");
  d = add (fx, "/mv/d");
  e = add (fx, "/mv/e");
  wait_downloading (a);

  changes = fx->n_items_changed;
  g_assert_true (haul_queue_move_up (fx->queue, e));
  g_assert_true (haul_queue_move_down (fx->queue, b));
  g_assert_true (haul_queue_move (fx->queue, d, 0));
  g_assert_true (haul_queue_move (fx->queue, c, 1000)); /* clamped to the end */
  g_assert_cmpuint (fx->n_items_changed, ==, changes + 4);
  {
    g_autofree char *order = queue_order (fx->queue);

    g_assert_cmpstr (order, ==, "d|a|b|e|c");
  }

  /* At the ends, or to the same place: no change, no signal. */
  changes = fx->n_items_changed;
  g_assert_false (haul_queue_move_up (fx->queue, d));
  g_assert_false (haul_queue_move_down (fx->queue, c));
  g_assert_false (haul_queue_move (fx->queue, b, 2));
  g_assert_cmpuint (fx->n_items_changed, ==, changes);

  /* When the hung one goes, the others run in the new order. */
  haul_queue_cancel (fx->queue, a);
  wait_idle (fx);
  {
    g_autofree char *started = started_order (fx);

    g_assert_cmpstr (started, ==, "a|d|b|e|c");
  }
  haul_test_assert_completed_with (b, small);
  haul_test_assert_completed_with (c, small);
  haul_test_assert_completed_with (d, small);
  haul_test_assert_completed_with (e, small);
  g_assert_cmpuint (fx->max_started_over, ==, 0);
}

static void
test_start (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GBytes) stuck = haul_test_content (256 * KIB, 10);
  g_autoptr(GBytes) small = haul_test_content (20 * KIB, 11);
  HaulDownload *a, *d;

  haul_queue_set_max_active (fx->queue, 1);
  haul_test_server_add_file (fx->server, "/st/a", stuck,
                             &(HaulTestFileOptions) { .stall = TRUE, .stall_after = 64 * KIB });
  serve (fx, "/st/b", small, 0);
  serve (fx, "/st/c", small, 0);
  serve (fx, "/st/d", small, 0);
  a = add (fx, "/st/a");
  add (fx, "/st/b");
  add (fx, "/st/c");
  d = add (fx, "/st/d");
  wait_downloading (a);

  /* A paused download, started: first of the waiting ones, queued again. */
  haul_queue_pause (fx->queue, d);
  haul_queue_start (fx->queue, d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_QUEUED);
  {
    g_autofree char *order = queue_order (fx->queue);

    g_assert_cmpstr (order, ==, "a|d|b|c");
  }

  haul_queue_cancel (fx->queue, a);
  wait_idle (fx);
  {
    g_autofree char *started = started_order (fx);

    g_assert_cmpstr (started, ==, "a|d|b|c");
  }
}

static void
test_pause_all (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  const guint n = 6;

  haul_queue_set_max_active (fx->queue, 2);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/all/f%u.bin", i);
      GBytes *content = haul_test_content (512 * KIB + i, 20 + i);

      serve (fx, path, content, 1 * MIB);
      g_ptr_array_add (contents, content);
      g_ptr_array_add (downloads, add (fx, path));
    }
  wait_downloading (g_ptr_array_index (downloads, 0));
  wait_downloading (g_ptr_array_index (downloads, 1));

  haul_queue_pause_all (fx->queue);
  /* The waiting ones pause at once; the running ones once they stopped. */
  for (guint i = 2; i < n; i++)
    haul_test_assert_state ((HaulDownload *) g_ptr_array_index (downloads, i), HAUL_DOWNLOAD_STATE_PAUSED);
  for (guint i = 0; i < n; i++)
    wait_paused (g_ptr_array_index (downloads, i));
  wait_idle (fx);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 0);
  g_assert_cmpuint (haul_queue_get_n_waiting (fx->queue), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *part = part_path (g_ptr_array_index (downloads, i));

      g_assert_true (haul_test_exists_nofollow (part));
    }
  for (guint i = 2; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/all/f%u.bin", i);

      g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, path), ==, 0);
    }

  haul_queue_resume_all (fx->queue);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 2);
  for (guint i = 0; i < n; i++)
    wait_finished (g_ptr_array_index (downloads, i));
  for (guint i = 0; i < n; i++)
    haul_test_assert_completed_with (g_ptr_array_index (downloads, i), g_ptr_array_index (contents, i));
  g_assert_cmpuint (fx->max_n_active, <=, 2);
  g_assert_cmpuint (fx->max_started_over, ==, 0);
}

typedef struct
{
  Fixture *fx;
  guint    n;
} CountFinished;

static gboolean
n_finished_at_least (gpointer data)
{
  CountFinished *c = data;

  return c->fx->finished->len >= c->n;
}

static void
test_max_active (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (192 * KIB, 12);
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  const guint n = 16;
  CountFinished count = { fx, 2 };

  haul_queue_set_max_active (fx->queue, 3);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/max/f%02u.bin", i);

      serve (fx, path, content, 384 * KIB);
      g_ptr_array_add (downloads, add (fx, path));
    }
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 3);
  g_assert_cmpuint (count_active (fx->queue), ==, 3);
  g_assert_cmpuint (haul_queue_get_n_waiting (fx->queue), ==, n - 3);

  g_assert_true (haul_test_wait_until (n_finished_at_least, &count, HAUL_TEST_WAIT_MS));
  g_assert_cmpuint (fx->max_n_active, <=, 3);
  g_assert_cmpuint (haul_test_server_get_max_in_flight (fx->server), <=, 3);

  /* Raised while running: more start at once. */
  haul_queue_set_max_active (fx->queue, 6);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 6);
  g_assert_cmpuint (count_active (fx->queue), ==, 6);

  /* Lowered while running: the ones over the limit go back to the queue
   * (test_max_active_lowered), nothing new starts until fewer than 2 run
   * (checked at every start by state_notify_cb). */
  count.n = fx->finished->len + 1;
  g_assert_true (haul_test_wait_until (n_finished_at_least, &count, HAUL_TEST_WAIT_MS));
  haul_queue_set_max_active (fx->queue, 2);
  g_assert_cmpuint (haul_queue_get_max_active (fx->queue), ==, 2);

  for (guint i = 0; i < n; i++)
    wait_finished (g_ptr_array_index (downloads, i));
  for (guint i = 0; i < n; i++)
    haul_test_assert_completed_with (g_ptr_array_index (downloads, i), content);
  g_assert_cmpuint (fx->max_started_over, ==, 0);
  g_assert_cmpuint (fx->max_n_active, <=, 6);
  g_assert_cmpuint (haul_test_server_get_max_in_flight (fx->server), <=, 6);

  /* Out-of-range values are clamped. */
  haul_queue_set_max_active (fx->queue, 0);
  g_assert_cmpuint (haul_queue_get_max_active (fx->queue), ==, 1);
  haul_queue_set_max_active (fx->queue, 100000);
  g_assert_cmpuint (haul_queue_get_max_active (fx->queue), >=, 16);
  g_assert_cmpuint (haul_queue_get_max_active (fx->queue), <, 100000);
}

typedef struct
{
  HaulDownload **downloads;
  guint          n;
} AllQueued;

static gboolean
all_queued (gpointer data)
{
  AllQueued *q = data;

  for (guint i = 0; i < q->n; i++)
    if (haul_download_get_state (q->downloads[i]) != HAUL_DOWNLOAD_STATE_QUEUED)
      return FALSE;
  return TRUE;
}

/* Simultaneous downloads lowered from 4 to 1 while 4 run: the 3 most
 * recently started go back to the queue at once (queued, no error, no
 * retry counted), keeping their .part; they continue from where they
 * stopped when the slot frees, and never fetch a byte twice. The queue's
 * order differs from the order they started in (the last one started was
 * moved to the top), so the choice is by start, not by position. */
static void
test_max_active_lowered (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GBytes) slow = haul_test_content (4 * MIB, 13);
  g_autoptr(GBytes) content = haul_test_content (512 * KIB, 14);
  const char *paths[] = { "/low/a.bin", "/low/b.bin", "/low/c.bin", "/low/d.bin" };
  HaulDownload *d[4], *yielded[3];
  AllQueued q = { yielded, 3 };
  gint64 offsets[3];
  g_autofree char *started = NULL;

  /* a is kept running long enough to be seen running; the others are
   * slow enough to be caught mid-file. */
  serve (fx, paths[0], slow, 32 * KIB);
  for (guint i = 1; i < 4; i++)
    serve (fx, paths[i], content, 32 * KIB);
  for (guint i = 0; i < 4; i++)
    d[i] = add (fx, paths[i]);
  for (guint i = 0; i < 4; i++)
    wait_downloading (d[i]);
  g_assert_true (haul_queue_move (fx->queue, d[3], 0));
  started = started_order (fx);
  g_assert_cmpstr (started, ==, "a.bin|b.bin|c.bin|d.bin");

  haul_queue_set_max_active (fx->queue, 1);
  /* The most recently started first: d, c, b. a keeps its slot, although
   * d is now first in the list. */
  yielded[0] = d[3];
  yielded[1] = d[2];
  yielded[2] = d[1];
  g_assert_true (haul_test_wait_until (all_queued, &q, HAUL_TEST_WAIT_MS));
  haul_test_assert_state (d[0], HAUL_DOWNLOAD_STATE_DOWNLOADING);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 1);
  g_assert_cmpuint (fx->finished->len, ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *part = part_path (yielded[i]);
      GStatBuf st;

      g_assert_null (haul_download_get_error (yielded[i]));
      g_assert_cmpuint (haul_download_get_retries (yielded[i]), ==, 0);
      offsets[i] = haul_download_get_received (yielded[i]);
      g_assert_cmpint (offsets[i], >, 0);
      g_assert_cmpint (g_stat (part, &st), ==, 0);
      g_assert_cmpint (st.st_size, ==, offsets[i]);
    }
  /* Still one at a time, a included. */
  haul_test_spin (300);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 1);
  g_assert_true (all_queued (&q));

  /* The rest at full speed: a is paused and resumed to fetch its rest
   * fast, which frees the slot for the others first. */
  serve (fx, paths[0], slow, 0);
  for (guint i = 1; i < 4; i++)
    serve (fx, paths[i], content, 0);
  haul_queue_pause (fx->queue, d[0]);
  wait_paused (d[0]);
  haul_queue_resume (fx->queue, d[0]);
  for (guint i = 0; i < 4; i++)
    wait_finished (d[i]);
  haul_test_assert_completed_with (d[0], slow);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", offsets[i]);
      const char *path = paths[3 - i];
      g_auto(GStrv) ranges = haul_test_server_get_ranges (fx->server, path);

      haul_test_assert_completed_with (yielded[i], content);
      /* The first request from 0, the second from where the .part ended. */
      g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, path), ==, 2);
      g_assert_nonnull (ranges);
      g_assert_cmpstr (ranges[g_strv_length (ranges) - 1], ==, expected);
    }
  g_assert_cmpuint (fx->max_started_over, ==, 0);
}

/* Lowered while one download waits to retry and one runs: the waiting
 * one gives its slot back first (it moves no bytes), at once, without its
 * error; the running one goes on. */
static void
test_max_active_lowered_retry_wait (Fixture       *fx,
                                    gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 15);
  HaulDownload *running, *waiting;

  haul_queue_set_max_active (fx->queue, 2);
  serve (fx, "/lowr/running.bin", content, 64 * KIB);
  haul_test_server_add_file (fx->server, "/lowr/waiting.bin", content,
                             &(HaulTestFileOptions) { .fail_status = 503, .retry_after = "60" });
  running = add (fx, "/lowr/running.bin");
  waiting = add (fx, "/lowr/waiting.bin");
  wait_downloading (running);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) haul_download_get_error, waiting,
                                       HAUL_TEST_WAIT_MS));
  haul_test_assert_state (waiting, HAUL_DOWNLOAD_STATE_CONNECTING);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 2);

  haul_queue_set_max_active (fx->queue, 1);
  haul_test_assert_state (waiting, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_null (haul_download_get_error (waiting));
  g_assert_cmpuint (haul_download_get_retries (waiting), ==, 1);
  haul_test_assert_state (running, HAUL_DOWNLOAD_STATE_DOWNLOADING);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 1);

  /* The server mends; both finish, one after the other. */
  serve (fx, "/lowr/running.bin", content, 0);
  serve (fx, "/lowr/waiting.bin", content, 0);
  haul_queue_pause (fx->queue, running);
  wait_paused (running);
  haul_queue_resume (fx->queue, running);
  wait_finished (waiting);
  wait_finished (running);
  haul_test_assert_completed_with (waiting, content);
  haul_test_assert_completed_with (running, content);
  g_assert_cmpuint (fx->max_started_over, ==, 0);
}

static void
check_publications (Fixture    *fx,
                    const char *what,
                    guint64     before,
                    gint64      start)
{
  guint64 n = haul_queue_get_n_publications (fx->queue) - before;
  gdouble seconds = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;

  g_test_message ("%s: %" G_GUINT64_FORMAT " publications in %.2f s (%.1f/s)",
                  what, n, seconds, n / seconds);
  g_assert_cmpuint (n, >, 0);
  /* At most one every 100 ms, whatever the number of downloads and chunks
   * (+2 for the edges of the measured interval). */
  g_assert_cmpfloat (n, <=, 12 * seconds + 2);
}

static void
test_publications (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GBytes) fast = haul_test_content (1 * MIB, 13);
  g_autoptr(GBytes) streamed = haul_test_content (384 * KIB, 14);
  guint64 before;
  gint64 start;

  /* 40 unthrottled downloads, 16 at a time: chunks arrive as fast as the
   * loopback allows. */
  haul_queue_set_max_active (fx->queue, 16);
  before = haul_queue_get_n_publications (fx->queue);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *path = g_strdup_printf ("/pub/fast-%02u.bin", i);

      serve (fx, path, fast, 0);
      add (fx, path);
    }
  wait_idle (fx);
  check_publications (fx, "40 fast downloads", before, start);

  /* 24 streamed ones: every 20 ms a chunk for each of 12, for about 1.5 s. */
  haul_queue_set_max_active (fx->queue, 12);
  before = haul_queue_get_n_publications (fx->queue);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *path = g_strdup_printf ("/pub/streamed-%02u.bin", i);

      serve (fx, path, streamed, 512 * KIB);
      add (fx, path);
    }
  wait_idle (fx);
  check_publications (fx, "24 streamed downloads", before, start);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (fx->queue)); i++)
    {
      HaulDownload *d = haul_queue_get_download (fx->queue, i);

      haul_test_assert_completed_with (d, i < 40 ? fast : streamed);
    }
}

typedef struct
{
  guint bad;
  guint good;
} FinalProgress;

static void
final_progress_cb (HaulQueue     *queue,
                   HaulDownload  *d,
                   FinalProgress *fp)
{
  /* At the moment it says "completed", the bar is full. */
  if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_COMPLETED &&
      (haul_download_get_received (d) != haul_download_get_total (d) ||
       haul_download_get_fraction (d) != 1.0))
    fp->bad++;
  else
    fp->good++;
}

static void
test_final_progress (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GBytes) a = haul_test_content (1 * MIB + 1, 15);
  g_autoptr(GBytes) b = haul_test_content (300 * KIB + 5, 16);
  g_autoptr(GBytes) c = haul_test_content (1, 17);
  g_autoptr(GPtrArray) downloads = g_ptr_array_new ();
  FinalProgress fp = { 0, 0 };

  g_signal_connect (fx->queue, "download-finished", G_CALLBACK (final_progress_cb), &fp);
  haul_queue_set_max_active (fx->queue, 8);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *pa = g_strdup_printf ("/fp/a%u.bin", i);
      g_autofree char *pb = g_strdup_printf ("/fp/b%u.bin", i);
      g_autofree char *pc = g_strdup_printf ("/fp/c%u.bin", i);

      serve (fx, pa, a, 0);
      haul_test_server_add_file (fx->server, pb, b,
                                 &(HaulTestFileOptions) { .chunked = TRUE, .rate = 2 * MIB });
      serve (fx, pc, c, 0);
      g_ptr_array_add (downloads, add (fx, pa));
      g_ptr_array_add (downloads, add (fx, pb));
      g_ptr_array_add (downloads, add (fx, pc));
    }
  g_assert_true (haul_test_wait_until (haul_test_downloads_are_finished, downloads, HAUL_TEST_WAIT_MS));
  g_signal_handlers_disconnect_by_data (fx->queue, &fp);

  g_assert_cmpuint (fp.bad, ==, 0);
  g_assert_cmpuint (fp.good, ==, downloads->len);
  for (guint i = 0; i < downloads->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);

      haul_test_assert_completed_with (d, i % 3 == 0 ? a : i % 3 == 1 ? b : c);
      g_assert_cmpfloat (haul_download_get_fraction (d), ==, 1.0);
    }
}

static void
test_signals (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (200 * KIB, 18);
  HaulDownload *ok, *missing, *cancelled;
  guint n_idle;

  serve (fx, "/sig/ok.bin", content, 0);
  serve (fx, "/sig/cancelled.bin", content, 256 * KIB);

  ok = add (fx, "/sig/ok.bin");
  missing = add (fx, "/sig/missing.bin");
  cancelled = add (fx, "/sig/cancelled.bin");
  g_assert_false (haul_queue_is_idle (fx->queue));
  wait_downloading (cancelled);
  haul_queue_cancel (fx->queue, cancelled);
  wait_idle (fx);
  /* The last signal may come in the same main-loop turn. */
  haul_test_spin (50);

  /* download-finished once per download, when its state is final. */
  g_assert_cmpuint (fx->finished->len, ==, 3);
  g_assert_true (g_ptr_array_find (fx->finished, ok, NULL));
  g_assert_true (g_ptr_array_find (fx->finished, missing, NULL));
  g_assert_true (g_ptr_array_find (fx->finished, cancelled, NULL));
  g_assert_false (fx->finished_not_final);
  haul_test_assert_state (ok, HAUL_DOWNLOAD_STATE_COMPLETED);
  haul_test_assert_state (missing, HAUL_DOWNLOAD_STATE_FAILED);
  haul_test_assert_state (cancelled, HAUL_DOWNLOAD_STATE_CANCELLED);

  /* idle: at least once, only when really idle, and not before the end. */
  g_assert_cmpuint (fx->n_idle, >=, 1);
  g_assert_false (fx->idle_when_not_idle);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 0);
  g_assert_cmpfloat (haul_queue_get_speed (fx->queue), ==, 0.0);

  /* Another round ends with another idle. */
  n_idle = fx->n_idle;
  haul_queue_retry (fx->queue, cancelled);
  g_assert_false (haul_queue_is_idle (fx->queue));
  wait_finished (cancelled);
  wait_idle (fx);
  haul_test_spin (50);
  haul_test_assert_completed_with (cancelled, content);
  g_assert_cmpuint (fx->n_idle, >, n_idle);
  g_assert_cmpuint (fx->finished->len, ==, 4);
  g_assert_true (g_ptr_array_index (fx->finished, 3) == cancelled);
}

static void
test_retry_backoff (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (100 * KIB, 19);
  HaulDownload *d, *gives_up, *paused, *removed;

  /* Two 503s, then the file: retried with backoff, counted, completed. */
  haul_test_server_add_file (fx->server, "/bo/flaky.bin", content,
                             &(HaulTestFileOptions) { .fail_status = 503, .fail_times = 2 });
  /* Always 500: gives up after max-retries. */
  haul_test_server_add_file (fx->server, "/bo/broken.bin", content,
                             &(HaulTestFileOptions) { .fail_status = 500, .fail_times = 1000 });
  /* Paused while waiting to retry (a long Retry-After): stops waiting. */
  haul_test_server_add_file (fx->server, "/bo/paused.bin", content,
                             &(HaulTestFileOptions) { .fail_status = 503, .fail_times = 1,
                                                      .retry_after = "120" });
  /* Removed while waiting to retry: its slot is freed. */
  haul_test_server_add_file (fx->server, "/bo/removed.bin", content,
                             &(HaulTestFileOptions) { .fail_status = 429, .fail_times = 1,
                                                      .retry_after = "120" });
  d = add (fx, "/bo/flaky.bin");
  gives_up = add (fx, "/bo/broken.bin");
  paused = add (fx, "/bo/paused.bin");
  removed = add (fx, "/bo/removed.bin");

  wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_download_get_retries (d), ==, 2);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/bo/flaky.bin"), ==, 3);

  wait_finished (gives_up);
  haul_test_assert_state (gives_up, HAUL_DOWNLOAD_STATE_FAILED);
  g_assert_nonnull (strstr (haul_download_get_error (gives_up), "500"));
  g_assert_cmpuint (haul_download_get_retries (gives_up), ==, 3);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/bo/broken.bin"), ==, 4);

  /* Waiting to retry: they keep their slots and say why. */
  haul_test_assert_state (paused, HAUL_DOWNLOAD_STATE_CONNECTING);
  g_assert_nonnull (strstr (haul_download_get_error (paused), "retry 1 of 3"));
  haul_test_assert_state (removed, HAUL_DOWNLOAD_STATE_CONNECTING);
  g_assert_nonnull (strstr (haul_download_get_error (removed), "429"));
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 2);
  haul_queue_remove (fx->queue, removed);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 3);
  haul_queue_pause (fx->queue, paused);
  haul_test_assert_state (paused, HAUL_DOWNLOAD_STATE_PAUSED);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 0);
  g_assert_true (haul_queue_is_idle (fx->queue));
  haul_queue_resume (fx->queue, paused);
  wait_finished (paused);
  haul_test_assert_completed_with (paused, content);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/bo/paused.bin"), ==, 2);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/bo/removed.bin"), ==, 1);
}

/* ------------------------------------------------------------------ */
/* Totals: counts by state and the bytes still to come, kept as the list
 * changes; checked against a walk over the whole list. */

static gboolean
state_is_coming (HaulDownloadState state)
{
  return state == HAUL_DOWNLOAD_STATE_QUEUED || state == HAUL_DOWNLOAD_STATE_CONNECTING ||
         state == HAUL_DOWNLOAD_STATE_DOWNLOADING || state == HAUL_DOWNLOAD_STATE_VERIFYING;
}

static void
assert_totals_match_list (HaulQueue *queue)
{
  guint n_in_state[HAUL_DOWNLOAD_STATE_CANCELLED + 1] = { 0, };
  guint n_coming = 0, n_unknown = 0;
  gint64 total = 0, received = 0;
  HaulQueueProgress p;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
    {
      HaulDownload *d = haul_queue_get_download (queue, i);
      HaulDownloadState state = haul_download_get_state (d);

      n_in_state[state]++;
      if (!state_is_coming (state))
        continue;
      n_coming++;
      if (haul_download_get_total (d) <= 0)
        n_unknown++;
      else
        {
          total += haul_download_get_total (d);
          received += CLAMP (haul_download_get_received (d), 0, haul_download_get_total (d));
        }
    }
  for (guint s = 0; s < G_N_ELEMENTS (n_in_state); s++)
    g_assert_cmpuint (haul_queue_get_n_in_state (queue, s), ==, n_in_state[s]);
  g_assert_cmpuint (haul_queue_get_n_waiting (queue), ==, n_in_state[HAUL_DOWNLOAD_STATE_QUEUED]);

  haul_queue_get_progress_full (queue, &p);
  g_assert_cmpuint (p.n_coming, ==, n_coming);
  g_assert_cmpuint (p.n_unknown, ==, n_unknown);
  g_assert_cmpint (p.total, ==, total);
  g_assert_cmpint (p.received, ==, received);
}

/* The time left covers every download still to come with a known size, at
 * the queue's speed, and is never shorter than a running one's own. */
static void
assert_eta_covers (HaulQueue     *queue,
                   HaulDownload **running,
                   guint          n_running)
{
  HaulQueueProgress p;
  gdouble speed = haul_queue_get_speed (queue);
  gint64 expected;

  haul_queue_get_progress_full (queue, &p);
  if (speed <= 0)
    {
      g_assert_cmpint (p.eta, ==, -1);
      return;
    }
  expected = (gint64) ceil ((gdouble) (p.total - p.received) / speed);
  for (guint i = 0; i < n_running; i++)
    expected = MAX (expected, haul_download_get_eta (running[i]));
  g_assert_cmpint (p.eta, ==, expected);
}

static void
totals_state_cb (HaulDownload *d,
                 GParamSpec   *pspec,
                 HaulQueue    *queue)
{
  /* The queue heard the same notification first: its counts are current. */
  for (guint s = 0; s <= HAUL_DOWNLOAD_STATE_CANCELLED; s++)
    {
      guint n = 0;

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
        n += haul_download_get_state (haul_queue_get_download (queue, i)) == s;
      g_assert_cmpuint (haul_queue_get_n_in_state (queue, s), ==, n);
    }
}

static HaulDownload *
add_counted (Fixture    *fx,
             const char *path)
{
  HaulDownload *d = add (fx, path);

  g_signal_connect (d, "notify::state", G_CALLBACK (totals_state_cb), fx->queue);
  return d;
}

static void
test_totals (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GBytes) big = haul_test_content (1536 * KIB, 41);
  g_autoptr(GBytes) known = haul_test_content (768 * KIB, 42);
  g_autoptr(GBytes) unknown = haul_test_content (64 * KIB, 43);
  g_autoptr(GBytes) held = haul_test_content (512 * KIB, 44);
  HaulDownload *b, *a, *c, *d, *e;
  HaulQueueProgress p;
  gint64 received, total, eta;

  haul_queue_set_max_active (fx->queue, 1);
  serve (fx, "/tot/known.bin", known, 256 * KIB);
  serve (fx, "/tot/big.bin", big, 256 * KIB);
  serve (fx, "/tot/unknown.bin", unknown, 0);
  serve (fx, "/tot/held.bin", held, 256 * KIB);

  /* b runs first and is paused: its size is known from that attempt. */
  b = add_counted (fx, "/tot/known.bin");
  wait_downloading (b);
  haul_queue_pause (fx->queue, b);
  wait_paused (b);
  g_assert_cmpint (haul_download_get_total (b), ==, 768 * KIB);
  assert_totals_match_list (fx->queue);
  haul_queue_get_progress_full (fx->queue, &p);
  g_assert_cmpuint (p.n_coming, ==, 0);   /* paused: not coming */
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_PAUSED), ==, 1);

  /* e fails (nothing served there); d is paused before it starts. */
  e = add_counted (fx, "/tot/missing.bin");
  wait_finished (e);
  haul_test_assert_state (e, HAUL_DOWNLOAD_STATE_FAILED);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_FAILED), ==, 1);

  /* a runs, one slot only: b (resumed, known size) and c (never started,
   * unknown size) wait behind it. */
  a = add_counted (fx, "/tot/big.bin");
  wait_downloading (a);
  haul_queue_resume (fx->queue, b);
  c = add_counted (fx, "/tot/unknown.bin");
  d = add_counted (fx, "/tot/held.bin");
  haul_queue_pause (fx->queue, d);
  haul_test_assert_state (b, HAUL_DOWNLOAD_STATE_QUEUED);
  haul_test_assert_state (c, HAUL_DOWNLOAD_STATE_QUEUED);
  g_assert_true (haul_test_wait_until (is_downloading, a, HAUL_TEST_WAIT_MS));
  assert_totals_match_list (fx->queue);

  haul_queue_get_progress_full (fx->queue, &p);
  g_assert_cmpuint (p.n_coming, ==, 3);   /* a running, b and c waiting */
  g_assert_cmpuint (p.n_unknown, ==, 1);  /* c */
  g_assert_cmpint (p.total, ==, 1536 * KIB + 768 * KIB);
  g_assert_cmpint (p.received, >=, haul_download_get_received (b));
  g_assert_cmpuint (haul_queue_get_n_waiting (fx->queue), ==, 2);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_PAUSED), ==, 1);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_FAILED), ==, 1);
  assert_eta_covers (fx->queue, &a, 1);
  /* The short form shows a figure only when it covers every download. */
  haul_queue_get_progress (fx->queue, &received, &total, &eta);
  g_assert_cmpint (total, ==, -1);
  g_assert_cmpint (eta, ==, -1);

  /* Without c, everything still to come has a known size; the time left
   * counts b's bytes too, not only a's. */
  haul_queue_remove (fx->queue, c);
  assert_totals_match_list (fx->queue);
  g_assert_true (haul_test_wait_until (is_downloading, a, HAUL_TEST_WAIT_MS));
  while (haul_queue_get_speed (fx->queue) <= 0 || haul_download_get_eta (a) < 0)
    g_main_context_iteration (NULL, TRUE);
  haul_queue_get_progress (fx->queue, &received, &total, &eta);
  haul_queue_get_progress_full (fx->queue, &p);
  g_assert_cmpint (total, ==, p.total);
  g_assert_cmpint (received, ==, p.received);
  g_assert_cmpint (eta, ==, p.eta);
  assert_eta_covers (fx->queue, &a, 1);
  g_assert_cmpint (p.eta, >=, (gint64) ((p.total - p.received) / haul_queue_get_speed (fx->queue)));
  g_assert_cmpint (p.total - p.received, >, 1536 * KIB - haul_download_get_received (a));

  /* When a completes, the bar's batch keeps its bytes. */
  wait_finished (a);
  haul_queue_get_progress_full (fx->queue, &p);
  if (p.n_coming > 0)
    g_assert_cmpint (p.batch_done, ==, 1536 * KIB);
  wait_finished (b);
  assert_totals_match_list (fx->queue);
  haul_queue_get_progress_full (fx->queue, &p);
  g_assert_cmpuint (p.n_coming, ==, 0);
  g_assert_cmpint (p.batch_done, ==, 0);  /* nothing to come: a new batch next time */
  g_assert_cmpint (p.eta, ==, -1);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_COMPLETED), ==, 2);

  /* Removing and retrying move the counts too. */
  haul_queue_remove (fx->queue, e);
  haul_queue_resume (fx->queue, d);
  assert_totals_match_list (fx->queue);
  wait_finished (d);
  assert_totals_match_list (fx->queue);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_FAILED), ==, 0);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_COMPLETED), ==, 3);
  haul_test_assert_completed_with (d, held);
}

/* Many downloads: the counts follow additions, removals and a restore
 * from records, without a walk. */
static void
test_totals_restore (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);
  HaulQueueProgress p;

  for (guint i = 0; i < 300; i++)
    {
      HaulStoreRecord *r = haul_store_record_new ();
      g_autofree char *path = g_strdup_printf ("/restored/%u.bin", i);

      r->id = i + 1;
      r->uri = haul_test_server_uri (fx->server, path);
      r->directory = g_strdup (fx->dir);
      r->state = i % 3 == 0 ? HAUL_DOWNLOAD_STATE_COMPLETED :
                 i % 3 == 1 ? HAUL_DOWNLOAD_STATE_FAILED : HAUL_DOWNLOAD_STATE_PAUSED;
      r->total = i % 2 == 0 ? 1000 : -1;
      r->received = i % 3 == 0 ? r->total : 10;
      g_ptr_array_add (records, r);
    }
  g_assert_cmpuint (haul_queue_restore (fx->queue, records, TRUE), ==, 300);
  assert_totals_match_list (fx->queue);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_COMPLETED), ==, 100);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_FAILED), ==, 100);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_PAUSED), ==, 100);
  haul_queue_get_progress_full (fx->queue, &p);
  g_assert_cmpuint (p.n_coming, ==, 0);

  for (guint i = 0; i < 300; i += 7)
    haul_queue_remove (fx->queue, haul_queue_get_download (fx->queue, 0));
  assert_totals_match_list (fx->queue);
  haul_queue_clear_finished (fx->queue);
  assert_totals_match_list (fx->queue);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_COMPLETED), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Bulk edits (issue 16) */

/* A model watcher that keeps its own copy of the list from items-changed
 * alone, as GTK's models do: at every emission the queue must already be
 * what the emission says. */
typedef struct
{
  GPtrArray *copy;
  guint      n_emissions;
} Mirror;

static void
mirror_changed_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   Mirror     *m)
{
  m->n_emissions++;
  g_assert_cmpuint (position + removed, <=, m->copy->len);
  g_ptr_array_remove_range (m->copy, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (m->copy, position + i, g_list_model_get_item (model, position + i));
  g_assert_cmpuint (m->copy->len, ==, g_list_model_get_n_items (model));
}

static void
mirror_start (Mirror    *m,
              HaulQueue *queue)
{
  m->copy = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
    g_ptr_array_add (m->copy, g_list_model_get_item (G_LIST_MODEL (queue), i));
  g_signal_connect (queue, "items-changed", G_CALLBACK (mirror_changed_cb), m);
}

/* The mirror, the positions and the counts per state agree with the list. */
static void
assert_consistent (HaulQueue *queue,
                   Mirror    *m)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (queue));
  guint counts[HAUL_DOWNLOAD_STATE_CANCELLED + 1] = { 0 };

  g_assert_cmpuint (m->copy->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      HaulDownload *d = haul_queue_get_download (queue, i);
      guint position = G_MAXUINT;

      g_assert_true (g_ptr_array_index (m->copy, i) == d);
      g_assert_true (haul_queue_get_position (queue, d, &position));
      g_assert_cmpuint (position, ==, i);
      g_assert_true (haul_queue_find_by_uri (queue, haul_download_get_uri (d)) == d);
      counts[haul_download_get_state (d)]++;
    }
  for (guint s = 0; s <= HAUL_DOWNLOAD_STATE_CANCELLED; s++)
    g_assert_cmpuint (haul_queue_get_n_in_state (queue, s), ==, counts[s]);
}

static void
mirror_stop (Mirror    *m,
             HaulQueue *queue)
{
  g_signal_handlers_disconnect_by_func (queue, mirror_changed_cb, m);
  g_ptr_array_unref (m->copy);
}

/* @n paused downloads (never requested), restored as from a store. */
static void
fill_paused (Fixture *fx,
             guint    n)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);

  for (guint i = 0; i < n; i++)
    {
      HaulStoreRecord *r = haul_store_record_new ();
      g_autofree char *path = g_strdup_printf ("/many/%04u.bin", i);

      r->id = i + 1;
      r->uri = haul_test_server_uri (fx->server, path);
      r->directory = g_strdup (fx->dir);
      r->state = HAUL_DOWNLOAD_STATE_PAUSED;
      r->position = i;
      g_ptr_array_add (records, r);
    }
  g_assert_cmpuint (haul_queue_restore (fx->queue, records, TRUE), ==, n);
}

/* Every @step-th download from @from, in reverse order (any order works). */
static GPtrArray *
every (HaulQueue *queue,
       guint      from,
       guint      step,
       guint      to)
{
  GPtrArray *picked = g_ptr_array_new ();

  for (guint i = MIN (to, g_list_model_get_n_items (G_LIST_MODEL (queue))); i-- > from;)
    if ((i - from) % step == 0)
      g_ptr_array_add (picked, haul_queue_get_download (queue, i));
  return picked;
}

/* Removing many at once: one items-changed per run of neighbours, or one
 * for the span when there are many; positions, links and counts follow;
 * Undo, a few at a time, gives back the same list. */
static void
test_remove_many (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(HaulQueueUndo) undo = haul_queue_undo_new ();
  g_autoptr(GPtrArray) sparse = NULL;
  g_autoptr(GPtrArray) blocks = g_ptr_array_new ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  Mirror m = { 0 };
  guint emissions;

  fill_paused (fx, 1000);
  before = queue_order (fx->queue);
  mirror_start (&m, fx->queue);

  /* 334 runs of one: one emission over the span. */
  sparse = every (fx->queue, 0, 3, 1000);
  emissions = m.n_emissions;
  haul_queue_remove_many (fx->queue, sparse, undo);
  g_assert_cmpuint (m.n_emissions - emissions, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 666);
  assert_consistent (fx->queue, &m);

  /* Three blocks (and a download listed twice, and one not listed): one
   * emission each. */
  for (guint b = 0; b < 3; b++)
    for (guint i = 0; i < 50; i++)
      g_ptr_array_add (blocks, haul_queue_get_download (fx->queue, 100 + 200 * b + i));
  g_ptr_array_add (blocks, g_ptr_array_index (blocks, 0));
  g_ptr_array_add (blocks, g_ptr_array_index (sparse, 0));
  emissions = m.n_emissions;
  haul_queue_remove_many (fx->queue, blocks, undo);
  g_assert_cmpuint (m.n_emissions - emissions, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 516);
  g_assert_cmpuint (haul_queue_undo_get_n_items (undo), ==, 484);
  assert_consistent (fx->queue, &m);
  g_assert_null (haul_queue_find_by_uri (fx->queue, haul_download_get_uri (g_ptr_array_index (sparse, 5))));

  /* Undo, 37 at a time: the same list, each paused as it was. */
  while (!haul_queue_undo_step (fx->queue, undo, 37))
    assert_consistent (fx->queue, &m);
  assert_consistent (fx->queue, &m);
  after = queue_order (fx->queue);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_PAUSED), ==, 1000);
  /* Undone: committing does nothing, a second Undo neither. */
  haul_queue_undo_commit (fx->queue, undo);
  g_assert_true (haul_queue_undo_step (fx->queue, undo, 10));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 1000);

  /* For good, all of them, in one emission. */
  g_clear_pointer (&sparse, g_ptr_array_unref);
  sparse = every (fx->queue, 0, 1, 1000);
  emissions = m.n_emissions;
  haul_queue_remove_many (fx->queue, sparse, NULL);
  g_assert_cmpuint (m.n_emissions - emissions, ==, 1);
  assert_consistent (fx->queue, &m);
  g_assert_true (haul_queue_is_idle (fx->queue));
  g_assert_cmpuint (haul_test_server_get_total_requests (fx->server), ==, 0);
  mirror_stop (&m, fx->queue);
}

/* Pause, resume, retry and cancel many: states and counts, one
 * scheduling pass, at most max-active started. */
static void
test_states_many (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) half = NULL;
  Mirror m = { 0 };

  haul_queue_set_max_active (fx->queue, 1);
  fill_paused (fx, 200);
  mirror_start (&m, fx->queue);
  all = every (fx->queue, 0, 1, 200);
  half = every (fx->queue, 0, 2, 200);

  haul_queue_cancel_many (fx->queue, half, NULL);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_CANCELLED), ==, 100);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_PAUSED), ==, 100);
  assert_consistent (fx->queue, &m);

  /* Resume takes the paused ones, not the cancelled ones; one starts. */
  haul_queue_resume_many (fx->queue, all);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_PAUSED), ==, 0);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_CANCELLED), ==, 100);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 1);
  assert_consistent (fx->queue, &m);

  haul_queue_pause_many (fx->queue, all);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_QUEUED), ==, 0);
  wait_idle (fx);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_PAUSED), ==, 100);
  assert_consistent (fx->queue, &m);

  haul_queue_retry_many (fx->queue, all);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_CANCELLED), ==, 0);
  g_assert_cmpuint (haul_queue_get_n_in_state (fx->queue, HAUL_DOWNLOAD_STATE_PAUSED), ==, 100);
  g_assert_cmpuint (haul_queue_get_n_active (fx->queue), ==, 1);
  haul_queue_pause_many (fx->queue, all);
  wait_idle (fx);
  assert_consistent (fx->queue, &m);
  g_assert_cmpuint (fx->max_started_over, ==, 0);
  mirror_stop (&m, fx->queue);
}

/* A running download removed with an Undo keeps its .part; Undo puts it
 * back at its place and it resumes from where it was, the bytes right. */
static void
test_remove_undo_running (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 1601);
  g_autoptr(GBytes) small = haul_test_content (10 * KIB, 1602);
  g_autoptr(HaulQueueUndo) undo = haul_queue_undo_new ();
  g_autoptr(GPtrArray) both = g_ptr_array_new ();
  g_auto(GStrv) ranges = NULL;
  g_autofree char *part = NULL;
  HaulDownload *first, *running;
  gint64 kept;
  guint position;

  serve (fx, "/undo/first.bin", small, 0);
  serve (fx, "/undo/running.bin", content, 512 * KIB);
  first = add (fx, "/undo/first.bin");
  wait_finished (first);
  running = add (fx, "/undo/running.bin");
  g_object_ref (running);
  wait_downloading (running);
  haul_test_spin (300);
  part = part_path (running);

  g_ptr_array_add (both, first);
  g_ptr_array_add (both, running);
  haul_queue_remove_many (fx->queue, both, undo);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 0);
  haul_test_wait_paused (running);
  wait_idle (fx);
  g_assert_true (haul_test_exists_nofollow (part));
  kept = haul_download_get_received (running);
  g_assert_cmpint (kept, >, 0);

  g_assert_true (haul_queue_undo_step (fx->queue, undo, 100));
  g_assert_true (haul_queue_get_position (fx->queue, running, &position));
  g_assert_cmpuint (position, ==, 1);
  haul_test_assert_state (first, HAUL_DOWNLOAD_STATE_COMPLETED);
  wait_finished (running);
  haul_test_assert_completed_with (running, content);
  /* The second request asked for the rest only. */
  ranges = haul_test_server_get_ranges (fx->server, "/undo/running.bin");
  g_assert_cmpuint (g_strv_length (ranges), ==, 1);
  {
    g_autofree char *expected = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", kept);

    g_assert_true (g_str_has_prefix (ranges[0], expected));
  }
  g_object_unref (running);
}

/* Made final (the toast is gone): the kept .part files are deleted, of a
 * running download and of a paused one; a completed file stays. */
static void
test_remove_commit (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 1603);
  g_autoptr(HaulQueueUndo) undo = haul_queue_undo_new ();
  g_autoptr(GPtrArray) both = g_ptr_array_new ();
  g_autofree char *running_part = NULL, *paused_part = NULL;
  HaulDownload *running, *paused;

  serve (fx, "/commit/running.bin", content, 256 * KIB);
  serve (fx, "/commit/paused.bin", content, 256 * KIB);
  running = g_object_ref (add (fx, "/commit/running.bin"));
  paused = g_object_ref (add (fx, "/commit/paused.bin"));
  wait_downloading (running);
  wait_downloading (paused);
  haul_queue_pause (fx->queue, paused);
  wait_paused (paused);
  running_part = part_path (running);
  paused_part = part_path (paused);

  g_ptr_array_add (both, running);
  g_ptr_array_add (both, paused);
  haul_queue_remove_many (fx->queue, both, undo);
  /* Committed while the running one may still be stopping. */
  haul_queue_undo_commit (fx->queue, undo);
  wait_idle (fx);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) haul_test_queue_is_quiet, fx->queue, HAUL_TEST_WAIT_MS));
  haul_test_spin (200);
  g_assert_false (haul_test_exists_nofollow (running_part));
  g_assert_false (haul_test_exists_nofollow (paused_part));
  haul_test_assert_folder (fx->dir, "");
  /* Nothing to take back any more. */
  g_assert_true (haul_queue_undo_step (fx->queue, undo, 100));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 0);
  g_object_unref (running);
  g_object_unref (paused);
}

static gboolean
is_cancelled (gpointer data)
{
  return haul_download_get_state (data) == HAUL_DOWNLOAD_STATE_CANCELLED;
}

/* Cancelling with an Undo keeps the .part; Undo gives each download its
 * state back and the running one resumes; without Undo it is deleted. */
static void
test_cancel_undo (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 1604);
  g_autoptr(HaulQueueUndo) undo = haul_queue_undo_new ();
  g_autoptr(HaulQueueUndo) undo2 = haul_queue_undo_new ();
  g_autoptr(GPtrArray) both = g_ptr_array_new ();
  g_autofree char *running_part = NULL, *paused_part = NULL;
  HaulDownload *running, *paused;

  serve (fx, "/cancel/running.bin", content, 512 * KIB);
  serve (fx, "/cancel/paused.bin", content, 256 * KIB);
  running = add (fx, "/cancel/running.bin");
  paused = add (fx, "/cancel/paused.bin");
  wait_downloading (running);
  wait_downloading (paused);
  haul_queue_pause (fx->queue, paused);
  wait_paused (paused);
  running_part = part_path (running);
  paused_part = part_path (paused);

  g_ptr_array_add (both, running);
  g_ptr_array_add (both, paused);
  haul_queue_cancel_many (fx->queue, both, undo);
  haul_test_wait_download (running, is_cancelled, "cancelled");
  haul_test_assert_state (paused, HAUL_DOWNLOAD_STATE_CANCELLED);
  wait_idle (fx);
  g_assert_true (haul_test_exists_nofollow (running_part));
  g_assert_true (haul_test_exists_nofollow (paused_part));
  g_assert_cmpuint (haul_queue_undo_get_n_items (undo), ==, 2);

  g_assert_true (haul_queue_undo_step (fx->queue, undo, 100));
  haul_test_assert_state (paused, HAUL_DOWNLOAD_STATE_PAUSED);
  wait_finished (running);
  haul_test_assert_completed_with (running, content);
  g_assert_true (haul_test_exists_nofollow (paused_part));

  /* Again, and the toast goes: the paused one's .part with it. */
  g_ptr_array_remove_index (both, 0);
  haul_queue_cancel_many (fx->queue, both, undo2);
  haul_queue_undo_commit (fx->queue, undo2);
  haul_test_spin (300);
  g_assert_false (haul_test_exists_nofollow (paused_part));
  haul_test_assert_state (paused, HAUL_DOWNLOAD_STATE_CANCELLED);
  g_assert_cmpint (haul_download_get_received (paused), ==, 0);
  /* Retried, it starts from zero and ends right. */
  haul_queue_retry (fx->queue, paused);
  wait_finished (paused);
  haul_test_assert_completed_with (paused, content);
}

/* Stopping for exit makes an Undo still offered final at once. */
static void
test_undo_exit (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 1605);
  g_autoptr(HaulQueueUndo) undo = haul_queue_undo_new ();
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autofree char *part = NULL;
  HaulDownload *d;

  serve (fx, "/exit/paused.bin", content, 256 * KIB);
  d = add (fx, "/exit/paused.bin");
  wait_downloading (d);
  haul_queue_pause (fx->queue, d);
  wait_paused (d);
  part = part_path (d);
  g_ptr_array_add (one, d);
  haul_queue_remove_many (fx->queue, one, undo);
  g_assert_true (haul_test_exists_nofollow (part));
  haul_queue_stop_for_exit (fx->queue);
  /* Deleted before it returned, with no main-loop iteration. */
  g_assert_false (haul_test_exists_nofollow (part));
}

/* ------------------------------------------------------------------ */

#define ADD(path, func) \
  g_test_add ("/haul/core/queue/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

/* ------------------------------------------------------------------ */
/* Regressions found in review */

/* A checksum-verified download survives pause and resume: the prefix
 * already on disk is hashed back from the .part. */
static void
test_checksum_resume (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (600 * KIB, 301);
  g_autofree char *sum = haul_test_sha256_bytes (content);
  g_autofree char *spec = g_strdup_printf ("sha256:%s", sum);
  g_autofree char *uri = NULL;
  g_autoptr(HaulDownload) d = NULL;
  g_autoptr(GError) error = NULL;

  serve (fx, "/sum.bin", content, 400 * KIB);
  uri = haul_test_server_uri (fx->server, "/sum.bin");
  d = haul_download_new (uri, fx->dir);
  g_assert_true (haul_download_set_checksum (d, spec, &error));
  g_assert_no_error (error);
  haul_queue_add_download (fx->queue, d);

  wait_downloading (d);
  haul_queue_pause (fx->queue, d);
  wait_paused (d);
  g_assert_cmpint (haul_download_get_received (d), >, 0);
  haul_queue_resume (fx->queue, d);
  wait_finished (d);
  haul_test_assert_completed_with (d, content);
}

static void
record_finalize_thread (gpointer  data,
                        GObject  *where_the_object_was)
{
  *(GThread **) data = g_thread_self ();
}

/* The queue's last reference may be held by a finished task: it must still
 * be finalized on the main thread, never on a worker of its own pool. */
static void
test_finalize_on_main_thread (void)
{
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GBytes) content = haul_test_content (1000, 302);
  g_autofree char *dir = haul_test_make_tmp_dir ();
  g_autofree char *uri = NULL;

  haul_test_server_add_file (server, "/tiny.bin", content, NULL);
  uri = haul_test_server_uri (server, "/tiny.bin");

  for (guint i = 0; i < 30; i++)
    {
      HaulQueue *queue = haul_queue_new ();
      GThread *finalized_in = NULL;
      gpointer weak = queue;

      g_object_weak_ref (G_OBJECT (queue), record_finalize_thread, &finalized_in);
      g_object_add_weak_pointer (G_OBJECT (queue), &weak);
      g_assert_nonnull (haul_queue_add (queue, uri, dir, NULL));
      g_assert_true (haul_test_wait_until (queue_is_idle, queue, HAUL_TEST_WAIT_MS));
      g_object_unref (queue);
      g_assert_true (haul_test_wait_until (haul_test_pointer_is_null, &weak, HAUL_TEST_WAIT_MS));
      g_assert_true (finalized_in == g_thread_self ());
      haul_test_rm_rf (dir);
      g_mkdir (dir, 0700);
    }
  haul_test_rm_rf (dir);
}

/* Cancel, then pause (as quitting does): still cancelled, the .part is
 * deleted, and its name is free again for the next download. */
static void
test_cancel_then_pause (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (800 * KIB, 303);
  g_autofree char *part = NULL;
  g_autofree char *names = NULL;
  HaulDownload *d, *again;

  serve (fx, "/dir1/cp.bin", content, 200 * KIB);
  serve (fx, "/dir2/cp.bin", content, 0);
  d = add (fx, "/dir1/cp.bin");
  wait_downloading (d);
  part = part_path (d);

  haul_queue_cancel (fx->queue, d);
  haul_queue_pause_all (fx->queue);
  wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_CANCELLED);
  g_assert_null (haul_download_get_filename (d));
  haul_test_spin (200); /* the off-thread delete and the release of the name */
  g_assert_false (haul_test_exists_nofollow (part));

  again = add (fx, "/dir2/cp.bin");
  wait_finished (again);
  haul_test_assert_completed_with (again, content);
  g_assert_cmpstr (haul_download_get_filename (again), ==, "cp.bin");
  names = haul_test_list_dir (fx->dir);
  g_assert_cmpstr (names, ==, "cp.bin");
}

/* Resume right after pause, before the attempt has returned: the download
 * runs on instead of ending paused. Likewise retry right after cancel. */
static void
test_resume_while_stopping (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (500 * KIB, 304);
  HaulDownload *d;

  serve (fx, "/quick.bin", content, 500 * KIB);
  d = add (fx, "/quick.bin");
  wait_downloading (d);
  haul_queue_pause (fx->queue, d);
  haul_queue_resume (fx->queue, d);
  wait_finished (d);
  haul_test_assert_completed_with (d, content);

  haul_queue_remove (fx->queue, d);
  d = add (fx, "/quick.bin");
  wait_downloading (d);
  haul_queue_cancel (fx->queue, d);
  haul_queue_retry (fx->queue, d);
  wait_finished (d);
  haul_test_assert_completed_with (d, content);
}

/* A download removed while it runs is not announced as finished. */
static void
test_removed_not_announced (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (500 * KIB, 305);
  HaulDownload *d;

  serve (fx, "/gone.bin", content, 200 * KIB);
  d = add (fx, "/gone.bin");
  g_object_ref (d);
  wait_downloading (d);
  haul_queue_remove (fx->queue, d);
  wait_idle (fx);
  haul_test_spin (100);
  g_assert_cmpuint (fx->finished->len, ==, 0);
  g_object_unref (d);
}

/* Lowering the global limit below what is already in flight is a wait,
 * not a stall: the download finishes with a 1 s stall timeout. */
static void
test_limit_lowered_mid_download (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (2 * MIB, 306);
  HaulDownload *d;

  g_object_set (fx->queue, "stall-timeout", 1, NULL);
  serve (fx, "/lim.bin", content, 4 * MIB);
  d = add (fx, "/lim.bin");
  wait_downloading (d);
  haul_queue_set_rate_limit (fx->queue, 64 * KIB);
  haul_test_spin (2500);
  g_assert_true (haul_download_is_active (d));
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
  haul_queue_set_rate_limit (fx->queue, 0);
  wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_download_get_retries (d), ==, 0);
}

/* Retries count failures in a row: a connection that drops after every
 * 100 KiB, six times, still completes with max-retries 3 because each
 * attempt moves the file forward. */
static void
test_retries_reset_on_progress (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (1 * MIB, 307);
  HaulDownload *d;

  haul_test_server_add_file (fx->server, "/flaky.bin", content,
                             &(HaulTestFileOptions) { .reset = TRUE, .reset_after = 100 * KIB,
                                                      .reset_times = 6, .etag = "\"f\"" });
  d = add (fx, "/flaky.bin");
  wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_test_server_get_n_requests (fx->server, "/flaky.bin"), ==, 7);
}

/* A download's own limit set while it runs applies to that attempt at
 * once (its limiter always exists and is shared with the attempt). */
static void
test_download_limit_mid_download (Fixture       *fx,
                                  gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (8 * MIB, 308);
  HaulDownload *d;
  gint64 before, after;

  serve (fx, "/own.bin", content, 2 * MIB);
  d = add (fx, "/own.bin");
  wait_downloading (d);
  haul_queue_set_download_rate_limit (fx->queue, d, 32 * KIB);
  haul_test_spin (300); /* let the read under way end */
  before = haul_download_get_received (d);
  haul_test_spin (1500);
  after = haul_download_get_received (d);
  /* Unlimited it would be ~3 MiB; limited, 48 KiB plus one burst and one read. */
  g_assert_cmpint (after - before, <, 512 * KIB);
  haul_queue_set_download_rate_limit (fx->queue, d, 0);
  wait_finished (d);
  haul_test_assert_completed_with (d, content);
}

/* One link with a checksum: verified when complete; a link already in
 * the queue or a malformed checksum is refused, and nothing is added. */
static void
test_add_with_checksum (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (16 * KIB, 7);
  g_autofree char *uri = haul_test_server_uri (fx->server, "/sum/a.bin");
  g_autofree char *sum = haul_test_sha256_bytes (content);
  g_autofree char *checksum = g_strconcat ("sha256:", sum, NULL);
  g_autoptr(GError) error = NULL;
  HaulDownload *d;

  serve (fx, "/sum/a.bin", content, 0);
  g_assert_null (haul_queue_add_with_checksum (fx->queue, uri, fx->dir, "sha256:nothex", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 0);

  d = haul_queue_add_with_checksum (fx->queue, uri, fx->dir, checksum, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_cmpstr (haul_download_get_checksum (d), ==, checksum);
  g_assert_null (haul_queue_add_with_checksum (fx->queue, uri, fx->dir, checksum, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 1);

  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  ADD ("add", test_add);
  ADD ("add-with-checksum", test_add_with_checksum);
  ADD ("pause-resume", test_pause_resume);
  ADD ("cancel-retry", test_cancel_retry);
  ADD ("retry-failed", test_retry_failed);
  ADD ("retry-backoff", test_retry_backoff);
  ADD ("remove", test_remove);
  ADD ("remove-many", test_remove_many);
  ADD ("states-many", test_states_many);
  ADD ("remove-undo-running", test_remove_undo_running);
  ADD ("remove-commit", test_remove_commit);
  ADD ("cancel-undo", test_cancel_undo);
  ADD ("undo-exit", test_undo_exit);
  ADD ("move", test_move);
  ADD ("start", test_start);
  ADD ("pause-all", test_pause_all);
  ADD ("max-active", test_max_active);
  ADD ("max-active-lowered", test_max_active_lowered);
  ADD ("max-active-lowered-retry-wait", test_max_active_lowered_retry_wait);
  ADD ("publications", test_publications);
  ADD ("final-progress", test_final_progress);
  ADD ("signals", test_signals);
  ADD ("checksum-resume", test_checksum_resume);
  ADD ("cancel-then-pause", test_cancel_then_pause);
  ADD ("resume-while-stopping", test_resume_while_stopping);
  ADD ("removed-not-announced", test_removed_not_announced);
  ADD ("limit-lowered-mid-download", test_limit_lowered_mid_download);
  ADD ("retries-reset-on-progress", test_retries_reset_on_progress);
  ADD ("download-limit-mid-download", test_download_limit_mid_download);
  ADD ("totals", test_totals);
  ADD ("totals-restore", test_totals_restore);
  g_test_add_func ("/haul/core/queue/finalize-on-main-thread", test_finalize_on_main_thread);

  return g_test_run ();
}

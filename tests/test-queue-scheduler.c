/* test-queue-scheduler.c — the scheduler's cost does not grow with history
 *
 * A queue with many finished downloads ahead of a few waiting ones (a
 * restored history): after every completion the scheduler must find the
 * next waiting download without looking at the finished ones again. These
 * tests count how many items it looks at (a private test hook), never how
 * long it takes. And a running download's progress publication is one
 * batch of notifications (one HaulDownload::changed).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-queue-scheduler"

#include "config.h"

#include "haul-queue-private.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"

#define N_WAITING 5

typedef struct
{
  HaulTestServer *server;
  HaulQueue      *queue;
  char           *dir;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->server = haul_test_server_new ();
  fx->dir = haul_test_make_tmp_dir ();
  fx->queue = haul_queue_new ();
  haul_queue_set_max_active (fx->queue, 1);
  for (guint i = 0; i < N_WAITING; i++)
    {
      g_autofree char *path = g_strdup_printf ("/w%u", i);
      g_autoptr(GBytes) content = haul_test_content (1000 + i, i);

      haul_test_server_add_file (fx->server, path, content, NULL);
    }
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) haul_queue_is_idle, fx->queue,
                                       HAUL_TEST_WAIT_MS));
  g_clear_object (&fx->queue);
  haul_test_server_free (fx->server);
  haul_test_rm_rf (fx->dir);
  g_free (fx->dir);
}

/* @n downloads completed earlier, as the store gives them back. */
static void
restore_finished (Fixture *fx,
                  guint    n)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);

  for (guint i = 0; i < n; i++)
    {
      HaulStoreRecord *r = haul_store_record_new ();

      r->id = i + 1;
      r->uri = g_strdup_printf ("http://127.0.0.1:9/done-%u", i);
      r->directory = g_strdup (fx->dir);
      r->filename = g_strdup_printf ("done-%u", i);
      r->state = HAUL_DOWNLOAD_STATE_COMPLETED;
      r->position = i;
      r->total = r->received = 10;
      g_ptr_array_add (records, r);
    }
  g_assert_cmpuint (haul_queue_restore (fx->queue, records, TRUE), ==, n);
}

static GPtrArray *
add_waiting (Fixture *fx)
{
  GPtrArray *downloads = g_ptr_array_new ();

  for (guint i = 0; i < N_WAITING; i++)
    {
      g_autofree char *path = g_strdup_printf ("/w%u", i);

      g_ptr_array_add (downloads, haul_test_add (fx->queue, fx->server, fx->dir, path));
    }
  return downloads;
}

/* How many items the scheduler looks at while @n_finished finished
 * downloads lie ahead of N_WAITING waiting ones, from the moment they are
 * added until the last has completed. */
static guint64
examined_with_history (Fixture *fx,
                       guint    n_finished)
{
  g_autoptr(GPtrArray) downloads = NULL;
  guint64 before;

  restore_finished (fx, n_finished);
  /* Restoring looks at the history once, to find nothing to start. */
  g_assert_cmpuint (_haul_queue_get_n_examined (fx->queue), <=, n_finished);

  before = _haul_queue_get_n_examined (fx->queue);
  downloads = add_waiting (fx);
  for (guint i = 0; i < downloads->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (downloads, i);

      haul_test_wait_finished (d);
      g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
    }
  return _haul_queue_get_n_examined (fx->queue) - before;
}

static void
test_no_history (Fixture       *fx,
                 gconstpointer  data)
{
  guint64 examined = examined_with_history (fx, 0);

  /* Each waiting download is looked at once when added or once when a
   * slot frees: never more than twice. */
  g_assert_cmpuint (examined, <=, 2 * N_WAITING);
}

static void
test_long_history (Fixture       *fx,
                   gconstpointer  data)
{
  guint64 examined = examined_with_history (fx, 100000);

  /* The same bound as without history: the 100 000 finished downloads
   * ahead are not looked at again after each completion (a walk from
   * position 0 would look at 500 000). */
  g_assert_cmpuint (examined, <=, 2 * N_WAITING);
}

/* A download resumed behind the cursor (here: the cursor is at the end of
 * the list) is still the next to start. */
static void
test_resume_behind_cursor (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) downloads = NULL;
  HaulDownload *first, *last;

  restore_finished (fx, 1000);
  downloads = add_waiting (fx);
  first = g_ptr_array_index (downloads, 0);
  last = g_ptr_array_index (downloads, N_WAITING - 1);

  haul_queue_pause_all (fx->queue);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) haul_queue_is_idle, fx->queue,
                                       HAUL_TEST_WAIT_MS));
  haul_queue_resume (fx->queue, last);
  haul_test_wait_finished (last);
  g_assert_cmpint (haul_download_get_state (last), ==, HAUL_DOWNLOAD_STATE_COMPLETED);
  for (guint i = 1; i < N_WAITING - 1; i++)
    g_assert_cmpint (haul_download_get_state (g_ptr_array_index (downloads, i)), ==,
                     HAUL_DOWNLOAD_STATE_PAUSED);

  /* Moved to the front and resumed: it starts next. */
  haul_queue_move (fx->queue, g_ptr_array_index (downloads, 2), 0);
  haul_queue_resume (fx->queue, g_ptr_array_index (downloads, 2));
  haul_test_wait_finished (g_ptr_array_index (downloads, 2));
  g_assert_cmpint (haul_download_get_state (g_ptr_array_index (downloads, 2)), ==,
                   HAUL_DOWNLOAD_STATE_COMPLETED);
  g_assert_true (haul_download_get_state (first) == HAUL_DOWNLOAD_STATE_PAUSED ||
                 haul_download_get_state (first) == HAUL_DOWNLOAD_STATE_COMPLETED);
}

typedef struct
{
  guint n_changed;
  guint n_state;
} ChangeCounts;

static void
changed_cb (HaulDownload *d,
            ChangeCounts *c)
{
  c->n_changed++;
}

static void
state_cb (HaulDownload *d,
          GParamSpec   *pspec,
          ChangeCounts *c)
{
  c->n_state++;
}

/* Each progress publication of a running download is one batch of
 * notifications: one HaulDownload::changed (a row formats its text once),
 * not one per property it changed. */
static void
test_one_change_per_publication (Fixture       *fx,
                                 gconstpointer  data)
{
  g_autoptr(GBytes) content = haul_test_content (300 * 1024, 7);
  ChangeCounts c = { 0 };
  HaulDownload *d;
  guint64 n_publications;
  gint64 t0, n_ticks;

  haul_test_server_add_file (fx->server, "/slow", content, NULL);
  haul_queue_set_rate_limit (fx->queue, 200 * 1024);
  n_publications = haul_queue_get_n_publications (fx->queue);
  t0 = g_get_monotonic_time ();
  d = haul_test_add (fx->queue, fx->server, fx->dir, "/slow");
  g_signal_connect (d, "changed", G_CALLBACK (changed_cb), &c);
  g_signal_connect (d, "notify::state", G_CALLBACK (state_cb), &c);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  n_publications = haul_queue_get_n_publications (fx->queue) - n_publications;
  /* The queue's one-second tick publishes too. */
  n_ticks = (g_get_monotonic_time () - t0) / G_USEC_PER_SEC + 1;

  g_test_message ("%u changed, %u state changes, %" G_GUINT64_FORMAT " publications",
                  c.n_changed, c.n_state, n_publications);
  g_assert_cmpuint (n_publications, >=, 5);
  /* Publications and ticks, the state changes, the final counters. */
  g_assert_cmpuint (c.n_changed, <=, n_publications + n_ticks + c.n_state + 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/haul/core/queue-scheduler/no-history", Fixture, NULL,
              fixture_setup, test_no_history, fixture_teardown);
  g_test_add ("/haul/core/queue-scheduler/long-history", Fixture, NULL,
              fixture_setup, test_long_history, fixture_teardown);
  g_test_add ("/haul/core/queue-scheduler/resume-behind-cursor", Fixture, NULL,
              fixture_setup, test_resume_behind_cursor, fixture_teardown);

  g_test_add ("/haul/core/queue-scheduler/one-change-per-publication", Fixture, NULL,
              fixture_setup, test_one_change_per_publication, fixture_teardown);

  return g_test_run ();
}

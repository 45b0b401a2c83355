/* bench-store.c — main-loop lateness while the queue saves 1 000 changes a second
 *
 * A HaulQueue bound to a HaulStore file (WAL, synchronous=NORMAL, as the
 * app uses it) on the main thread of a GMainLoop. One download holds the
 * only slot (max-active 1) on a connection the test server keeps open
 * without sending anything, so the other N (1 000) restored downloads can
 * be toggled between paused and queued without any network: every toggle
 * is a real state change that the queue saves (coalesced in its idle, then
 * posted to the store's writer thread, which commits it in batches).
 *
 * A driver timer at G_PRIORITY_DEFAULT toggles RATE/100 downloads every
 * 10 ms (1 000 a second by default). A probe GSource (10 ms, also
 * G_PRIORITY_DEFAULT, the same probe as bench-responsiveness.c) records how
 * late it runs. Mode --direct skips the queue and posts the same number of
 * haul_store_save() calls itself, to separate the store from the queue.
 *
 * Reports lateness p50/p99/max, the changes made and the rows the store
 * holds at the end, and the time the final flush took.
 *
 * Not a test: built with the project, run by hand (see README.md here).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "haul-download.h"
#include "haul-queue.h"
#include "haul-store.h"
#include "haul-test-server.h"

#define PROBE_PERIOD_US 10000
#define DRIVER_PERIOD_MS 10

typedef struct
{
  GMainLoop  *loop;
  HaulQueue  *queue;
  HaulStore  *store;
  GPtrArray  *records;   /* --direct: the rows saved again and again */
  guint       n;
  guint       per_tick;
  gint64      rate;
  gint64      started_us;
  guint       cursor;
  guint64     n_changes;
  gboolean    direct;

  GSource    *probe;
  gint64      due_us;
  GArray     *lateness_us;
  guint       n_missed;
} Bench;

static void
flush (HaulStore *store)
{
  g_autoptr(GError) error = NULL;
  HaulTestAsync w = { 0 };

  haul_store_flush_async (store, NULL, haul_test_async_cb, &w);
  if (!haul_store_flush_finish (store, haul_test_async_wait (&w), &error))
    g_error ("flush: %s", error->message);
  g_clear_object (&w.result);
}

/* ------------------------------------------------------------------ */
/* The probe (as in bench-responsiveness.c) */

static gboolean
probe_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - b->due_us;

  g_array_append_val (b->lateness_us, late);
  b->due_us += PROBE_PERIOD_US;
  if (b->due_us <= now)
    {
      b->n_missed++;
      b->due_us = now + PROBE_PERIOD_US;
    }
  g_source_set_ready_time (b->probe, b->due_us);
  return G_SOURCE_CONTINUE;
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* ------------------------------------------------------------------ */

static gboolean
drive_cb (gpointer data)
{
  Bench *b = data;
  gint64 due;

  /* Catch up with the wanted rate whatever the timer's drift. */
  if (b->started_us == 0)
    b->started_us = g_get_monotonic_time ();
  due = (g_get_monotonic_time () - b->started_us) * b->rate / G_USEC_PER_SEC + b->per_tick;
  while ((gint64) b->n_changes < due)
    {
      guint i = b->cursor++ % b->n;

      if (b->direct)
        {
          HaulStoreRecord *r = g_ptr_array_index (b->records, i);

          r->state = r->state == HAUL_DOWNLOAD_STATE_PAUSED ? HAUL_DOWNLOAD_STATE_QUEUED
                                                            : HAUL_DOWNLOAD_STATE_PAUSED;
          haul_store_save (b->store, r);
        }
      else
        {
          HaulDownload *d = haul_queue_get_download (b->queue, i + 1);

          if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_PAUSED)
            haul_queue_resume (b->queue, d);
          else
            haul_queue_pause (b->queue, d);
        }
      b->n_changes++;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
is_connected (gpointer data)
{
  return haul_download_get_state (data) == HAUL_DOWNLOAD_STATE_CONNECTING ||
         haul_download_get_state (data) == HAUL_DOWNLOAD_STATE_DOWNLOADING;
}

static void
open_store (Bench      *b,
            const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *aside = NULL;
  HaulTestAsync w = { 0 };

  b->store = haul_store_new (db);
  haul_store_open_async (b->store, NULL, haul_test_async_cb, &w);
  if (!haul_store_open_finish (b->store, haul_test_async_wait (&w), &aside, &error))
    g_error ("open: %s", error->message);
  g_clear_object (&w.result);
}

/* N paused downloads with a .part each, as restored from a session. */
static void
make_records (Bench      *b,
              const char *tmp,
              int         n)
{
  for (int i = 0; i < n; i++)
    {
      HaulStoreRecord *r = haul_store_record_new ();

      r->id = i + 1000;
      r->uri = g_strdup_printf ("http://127.0.0.1:9/bench/file-%05d.bin", i);
      r->directory = g_strdup (tmp);
      r->filename = g_strdup_printf ("file-%05d.bin", i);
      r->state = HAUL_DOWNLOAD_STATE_PAUSED;
      r->position = i + 1;
      r->total = 20 * 1024 * 1024;
      r->received = 1024 * i;
      r->etag = g_strdup ("\"bench\"");
      r->created = g_get_real_time ();
      g_ptr_array_add (b->records, r);
    }
}

/* The queue restores the records behind one download that holds the only
 * slot (its server never answers), so the toggled ones never start.
 * Returns: (transfer full) the server */
static HaulTestServer *
restore_into_queue (Bench      *b,
                    const char *tmp,
                    int         n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *occupant_uri = NULL;
  HaulTestServer *server;
  HaulDownload *occupant;

  server = haul_test_server_new ();
  haul_test_server_add_file (server, "/occupant.bin",
                             g_bytes_new_static ("x", 1),
                             &(HaulTestFileOptions) { .headers_delay_ms = 3600 * 1000 });
  occupant_uri = haul_test_server_uri (server, "/occupant.bin");
  b->queue = g_object_new (HAUL_TYPE_QUEUE, "max-active", 1,
                           "connect-timeout", 3600, "stall-timeout", 3600, NULL);
  haul_queue_set_store (b->queue, b->store);
  occupant = haul_queue_add (b->queue, occupant_uri, tmp, &error);
  g_assert_no_error (error);
  if (!haul_test_wait_until (is_connected, occupant, 5000))
    g_error ("the occupant did not start");
  haul_queue_restore (b->queue, b->records, FALSE);
  g_assert (g_list_model_get_n_items (G_LIST_MODEL (b->queue)) == (guint) n + 1);
  return server;
}

static void
print_results (Bench   *b,
               int      n,
               double   seconds,
               gint64   t_flush)
{
  double p50, p99, max;

  g_array_sort (b->lateness_us, cmp_gint64);
  p50 = g_array_index (b->lateness_us, gint64, b->lateness_us->len / 2) / 1000.0;
  p99 = g_array_index (b->lateness_us, gint64, (b->lateness_us->len * 99) / 100) / 1000.0;
  max = g_array_index (b->lateness_us, gint64, b->lateness_us->len - 1) / 1000.0;
  printf ("%s: %d items, %.0f state changes/s for %.1f s (%" G_GUINT64_FORMAT " changes)\n",
          b->direct ? "store directly" : "queue + store", n, b->n_changes / seconds, seconds, b->n_changes);
  printf ("probe (10 ms, G_PRIORITY_DEFAULT): %u samples, lateness p50 %.3f ms, p99 %.3f ms, max %.3f ms, %u ticks missed\n",
          b->lateness_us->len, p50, p99, max, b->n_missed);
  printf ("final save + flush: %.1f ms\n", t_flush / 1000.0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- main-loop lateness while the queue is saved");
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulTestServer) server = NULL;
  g_autofree char *tmp = NULL, *db = NULL;
  Bench b = { 0 };
  int n = 1000, rate = 1000;
  double seconds = 10;
  gboolean direct = FALSE;
  gint64 t_flush;
  GOptionEntry entries[] = {
    { "items", 'n', 0, G_OPTION_ARG_INT, &n, "Downloads to toggle (1000)", "N" },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &rate, "Changes per second (1000)", "R" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "How long (10)", "S" },
    { "direct", 0, 0, G_OPTION_ARG_NONE, &direct, "haul_store_save() directly, no queue", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n < 1 || rate < 100)
    {
      g_printerr ("%s\n", error ? error->message : "bad arguments");
      return 2;
    }

  tmp = g_dir_make_tmp ("haul-bench-store-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (tmp, "haul.db", NULL);
  b.n = n;
  b.per_tick = rate * DRIVER_PERIOD_MS / 1000;
  b.rate = rate;
  b.direct = direct;
  b.loop = g_main_loop_new (NULL, FALSE);
  b.lateness_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  b.records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);

  open_store (&b, db);

  make_records (&b, tmp, n);

  if (!direct)
    server = restore_into_queue (&b, tmp, n);
  else
    {
      for (guint i = 0; i < b.records->len; i++)
        haul_store_save (b.store, g_ptr_array_index (b.records, i));
    }
  flush (b.store);

  b.due_us = g_get_monotonic_time () + PROBE_PERIOD_US;
  b.probe = haul_test_probe_new (probe_cb, &b, b.due_us);

  g_timeout_add_full (G_PRIORITY_DEFAULT, DRIVER_PERIOD_MS, drive_cb, &b, NULL);
  g_timeout_add_full (G_PRIORITY_HIGH, (guint) (seconds * 1000), quit_cb, b.loop, NULL);
  g_main_loop_run (b.loop);
  g_source_destroy (b.probe);

  t_flush = g_get_monotonic_time ();
  if (b.queue != NULL)
    haul_queue_save_now (b.queue);
  flush (b.store);
  t_flush = g_get_monotonic_time () - t_flush;

  print_results (&b, n, seconds, t_flush);

  if (b.queue != NULL)
    {
      haul_queue_set_store (b.queue, NULL);
      haul_queue_pause_all (b.queue);
      g_clear_object (&b.queue);
    }
  haul_store_close (b.store);
  g_clear_object (&b.store);
  g_source_unref (b.probe);
  g_array_unref (b.lateness_us);
  g_ptr_array_unref (b.records);
  g_main_loop_unref (b.loop);
  g_clear_pointer (&server, haul_test_server_free);
  haul_test_rm_rf (tmp);
  return 0;
}

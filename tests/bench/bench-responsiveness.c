/* bench-responsiveness.c — how late does the main loop run while Haul downloads?
 *
 * Runs the engine (HaulQueue) inside a GMainLoop on the main thread, as the
 * window and `haul --headless` do, with a probe timer at G_PRIORITY_DEFAULT
 * that wants to run every 10 ms. The probe is a GSource with a ready time:
 * each dispatch records how late it runs against the time it was due
 * (lateness = now − due), then asks for due + 10 ms. A tick more than a
 * whole period late is counted as missed and the schedule restarts from
 * now, so one long stall is one large sample, not a burst of catch-ups.
 *
 * Downloads: the URLs given (normally the 50 × 20 MiB files of W3), all
 * added at once with the concurrency limit -j; when the queue is idle the
 * round's items are removed, its files are deleted on a helper thread, and
 * the next round starts, until --seconds have passed and at least
 * --min-rounds rounds ran.
 *
 * Reports the lateness p50/p99/max, the number of progress publications
 * (haul_queue_get_n_publications()) per second of downloading, the property
 * notifications per second a UI bound to the downloads would receive, and
 * the main thread's CPU use, and the work of each main-loop iteration (its
 * thread CPU time and wall time between two polls), which separates "the
 * main thread had work to do" from "the main thread was waiting for a CPU".
 * With -x N (and --max-connections-per-server N) each download may open up
 * to N connections (the queue's max-connections; the default is the
 * queue's own, 8); every 100 ms the bench sums the connections the
 * downloads have open and reports their mean and maximum.
 * With --probe-only it runs the probe alone,
 * to measure the machine's own scheduling noise under some outside load.
 *
 * Not a test: built with the project, run by run-responsiveness.sh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "haul-queue.h"
#include "haul-test-server.h"

#define PROBE_PERIOD_US 10000

typedef struct
{
  GMainLoop  *loop;
  HaulQueue  *queue;
  GPtrArray  *uris;
  char       *directory;
  guint       jobs;
  gdouble     seconds;
  guint       min_rounds;

  guint       round;
  gint64      started_us;
  gint64      ended_us;
  gint64      bytes;
  guint       n_completed;
  guint       n_failed;
  guint       round_finished;  /* downloads of this round that finished */
  guint       next_round_source;
  guint64     n_notify;
  GPtrArray  *cleaners;

  /* open connections, summed over the downloads every 100 ms */
  guint       conn_source;
  guint64     conn_sum;
  guint       conn_samples;
  guint       conn_max;

  /* probe */
  GSource    *probe;
  gint64      due_us;
  GArray     *lateness_us;
  guint       n_missed;
  gboolean    recording;
} Bench;

/* Main-loop iterations, seen from the poll function: the time from one
 * poll's return to the next poll's call is the main thread's work for one
 * iteration (prepare, check, dispatch). Its thread CPU time is the work
 * itself; its wall time adds whatever preemption hit it. */
static GArray  *iter_cpu_us;
static GArray  *iter_wall_us;
static gint64   iter_wall_start;
static gint64   iter_cpu_start;
static gboolean iter_recording;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000) + ts.tv_nsec / 1000;
}

static gint
timing_poll (GPollFD *fds,
             guint    nfds,
             gint     timeout)
{
  gint ret;

  if (iter_recording && iter_wall_start != 0)
    {
      gint64 wall = g_get_monotonic_time () - iter_wall_start;
      gint64 cpu = thread_cpu_us () - iter_cpu_start;

      g_array_append_val (iter_wall_us, wall);
      g_array_append_val (iter_cpu_us, cpu);
    }
  ret = g_poll (fds, nfds, timeout);
  iter_wall_start = g_get_monotonic_time ();
  iter_cpu_start = thread_cpu_us ();
  return ret;
}

/* ------------------------------------------------------------------ */
/* The probe */

static gboolean
probe_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - b->due_us;

  if (b->recording)
    {
      g_array_append_val (b->lateness_us, late);
      if (late >= PROBE_PERIOD_US)
        b->n_missed += late / PROBE_PERIOD_US;
    }

  b->due_us += PROBE_PERIOD_US;
  if (b->due_us <= now)
    b->due_us = now + PROBE_PERIOD_US;
  g_source_set_ready_time (b->probe, b->due_us);
  return G_SOURCE_CONTINUE;
}

static void
probe_start (Bench *b)
{
  b->due_us = g_get_monotonic_time () + PROBE_PERIOD_US;
  b->probe = haul_test_probe_new (probe_cb, b, b->due_us);
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gdouble
percentile_ms (GArray  *sorted,
               gdouble  p)
{
  guint i;

  if (sorted->len == 0)
    return NAN;
  i = (guint) ceil (p * sorted->len);
  i = CLAMP (i, 1, sorted->len) - 1;
  return g_array_index (sorted, gint64, i) / 1000.0;
}

/* ------------------------------------------------------------------ */
/* Deleting a finished round's files off the main thread */

static gpointer
delete_dir_thread (gpointer data)
{
  char *path = data;
  int dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = dirfd >= 0 ? fdopendir (dirfd) : NULL;
  struct dirent *e;

  if (dir != NULL)
    {
      while ((e = readdir (dir)) != NULL)
        if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
          unlinkat (dirfd, e->d_name, 0);
      closedir (dir);
    }
  else if (dirfd >= 0)
    close (dirfd);
  g_rmdir (path);
  g_free (path);
  return NULL;
}

static char *
round_dir (Bench *b,
           guint  round)
{
  g_autofree char *name = g_strdup_printf ("round-%u", round);

  return g_build_filename (b->directory, name, NULL);
}

/* ------------------------------------------------------------------ */
/* Rounds */

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           Bench      *b)
{
  b->n_notify++;
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Bench      *b)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HaulDownload) d = g_list_model_get_item (model, i);

      g_signal_connect (d, "notify", G_CALLBACK (on_notify), b);
    }
}

static void
on_download_finished (HaulQueue    *queue,
                      HaulDownload *d,
                      Bench        *b)
{
  b->round_finished++;
  if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_COMPLETED)
    {
      b->n_completed++;
      b->bytes += haul_download_get_received (d);
    }
  else
    {
      b->n_failed++;
      g_printerr ("bench: %s: %s\n", haul_download_get_uri (d),
                  haul_download_get_error (d) ? haul_download_get_error (d) : "not completed");
    }
}

static void
start_round (Bench *b)
{
  g_autofree char *dir = round_dir (b, ++b->round);
  guint n_dups = 0;

  g_mkdir_with_parents (dir, 0755);
  b->round_finished = 0;
  haul_queue_add_uris (b->queue, b->uris, dir, &n_dups);
  g_assert (n_dups == 0);
}

static gboolean
next_round_cb (gpointer data)
{
  Bench *b = data;
  gdouble elapsed = (g_get_monotonic_time () - b->started_us) / (gdouble) G_USEC_PER_SEC;

  /* Take the finished items out (their files stay), then delete the files. */
  while (g_list_model_get_n_items (G_LIST_MODEL (b->queue)) > 0)
    haul_queue_remove (b->queue, haul_queue_get_download (b->queue, 0));
  g_ptr_array_add (b->cleaners, g_thread_new ("bench-rm", delete_dir_thread, round_dir (b, b->round)));

  if (b->n_failed > 0 || (elapsed >= b->seconds && b->round >= b->min_rounds))
    {
      b->ended_us = g_get_monotonic_time ();
      b->recording = FALSE;
      g_main_loop_quit (b->loop);
    }
  else
    start_round (b);
  b->next_round_source = 0;
  return G_SOURCE_REMOVE;
}

static void
on_idle (HaulQueue *queue,
         Bench     *b)
{
  /* Once per round (removing the items emits ::idle again), and not from
   * inside the queue's own signal emission. */
  if (b->round_finished < b->uris->len || b->next_round_source != 0)
    return;
  b->next_round_source = g_idle_add_full (G_PRIORITY_DEFAULT, next_round_cb, b, NULL);
}

static gboolean
probe_only_done_cb (gpointer data)
{
  Bench *b = data;

  b->ended_us = g_get_monotonic_time ();
  b->recording = FALSE;
  g_main_loop_quit (b->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
read_uris (const char  *path,
           GPtrArray   *uris,
           GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0' && lines[i][0] != '#')
        g_ptr_array_add (uris, g_strdup (lines[i]));
    }
  return TRUE;
}

static gdouble
thread_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_THREAD, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gboolean
count_connections_cb (gpointer data)
{
  Bench *b = data;
  GListModel *model = G_LIST_MODEL (b->queue);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HaulDownload) d = g_list_model_get_item (model, i);

      n += haul_download_get_connections (d);
    }
  if (n > 0)
    {
      b->conn_sum += n;
      b->conn_samples++;
      b->conn_max = MAX (b->conn_max, n);
    }
  return G_SOURCE_CONTINUE;
}

/* The engine side of a run: the links, the scratch folder and the queue.
 * Returns FALSE (after saying why) when the options do not make a run. */
static gboolean
set_up_engine (Bench       *b,
               char       **rest,
               const char  *input,
               const char  *directory,
               int          jobs,
               double       seconds,
               int          min_rounds,
               gint64       rate,
               int          connections,
               int          per_server,
               const char  *argv0)
{
  g_autoptr(GError) error = NULL;

  b->uris = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; rest != NULL && rest[i] != NULL; i++)
    g_ptr_array_add (b->uris, g_strdup (rest[i]));
  if (input != NULL && !read_uris (input, b->uris, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  if (b->uris->len == 0 || directory == NULL || jobs < 1 || jobs > 32 ||
      connections < 0 || connections > 16 || per_server < 0 || per_server > 16)
    {
      g_printerr ("usage: %s -i URLS.txt -d SCRATCH_DIR [-j 1..32] [-x 1..16] "
                  "[--max-connections-per-server 1..16] [-t SECONDS]\n"
                  "       %s --probe-only SECONDS\n", argv0, argv0);
      return FALSE;
    }
  b->directory = g_canonicalize_filename (directory, NULL);
  b->jobs = jobs;
  b->seconds = seconds;
  b->min_rounds = MAX (min_rounds, 1);

  b->queue = g_object_new (HAUL_TYPE_QUEUE, "max-active", (guint) jobs, "max-retries", 0,
                           "rate-limit", rate, NULL);
  g_signal_connect (b->queue, "items-changed", G_CALLBACK (on_items_changed), b);
  g_signal_connect (b->queue, "download-finished", G_CALLBACK (on_download_finished), b);
  g_signal_connect (b->queue, "idle", G_CALLBACK (on_idle), b);
  if (connections > 0)
    haul_queue_set_max_connections (b->queue, connections);
  if (per_server > 0)
    haul_queue_set_max_connections_per_server (b->queue, per_server);
  b->conn_source = g_timeout_add (100, count_connections_cb, b);
  return TRUE;
}

/* Prints the figures for a person and the RESULT line for
 * run-responsiveness.sh. */
static void
print_results (Bench      *b,
               const char *label,
               gdouble     elapsed,
               gdouble     main_cpu)
{
  gdouble p50, p99, max, pubs_per_s, notify_per_s;
  gdouble it_cpu_p99, it_cpu_max, it_wall_p99, it_wall_max;

  g_array_sort (b->lateness_us, cmp_gint64);
  p50 = percentile_ms (b->lateness_us, 0.50);
  p99 = percentile_ms (b->lateness_us, 0.99);
  max = b->lateness_us->len ? g_array_index (b->lateness_us, gint64, b->lateness_us->len - 1) / 1000.0 : NAN;
  g_array_sort (iter_cpu_us, cmp_gint64);
  g_array_sort (iter_wall_us, cmp_gint64);
  it_cpu_p99 = percentile_ms (iter_cpu_us, 0.99);
  it_cpu_max = percentile_ms (iter_cpu_us, 1.0);
  it_wall_p99 = percentile_ms (iter_wall_us, 0.99);
  it_wall_max = percentile_ms (iter_wall_us, 1.0);
  pubs_per_s = b->queue ? haul_queue_get_n_publications (b->queue) / elapsed : 0;
  notify_per_s = b->n_notify / elapsed;

  if (b->queue != NULL)
    printf ("engine: %u round(s) of %u files, -j %u: %u completed, %u failed, %.0f MiB in %.2f s (%.0f MiB/s)\n",
            b->round, b->uris->len, b->jobs, b->n_completed, b->n_failed,
            b->bytes / 1048576.0, elapsed, b->bytes / 1048576.0 / elapsed);
  else
    printf ("probe only, %.2f s\n", elapsed);
  if (b->queue != NULL)
    printf ("connections: -x %u, %u per server; open (sum over downloads, sampled every 100 ms while any): mean %.1f, max %u\n",
            haul_queue_get_max_connections (b->queue),
            haul_queue_get_max_connections_per_server (b->queue),
            b->conn_samples ? (gdouble) b->conn_sum / b->conn_samples : 0.0, b->conn_max);
  printf ("probe (10 ms, G_PRIORITY_DEFAULT): %u samples, lateness p50 %.3f ms, p99 %.3f ms, max %.3f ms, %u ticks missed\n",
          b->lateness_us->len, p50, p99, max, b->n_missed);
  if (b->queue != NULL)
    printf ("main loop: %.1f progress publications/s (%" G_GUINT64_FORMAT " in all), "
            "%.0f property notifications/s, main thread CPU %.1f %%\n",
            pubs_per_s, haul_queue_get_n_publications (b->queue), notify_per_s, 100 * main_cpu / elapsed);
  printf ("main-loop iterations: %.0f/s; work per iteration: thread CPU p99 %.3f ms, max %.3f ms; "
          "wall p99 %.3f ms, max %.3f ms\n",
          iter_cpu_us->len / elapsed, it_cpu_p99, it_cpu_max, it_wall_p99, it_wall_max);
  printf ("targets: p99 <= 2 ms %s, max <= 8 ms %s, <= 12 publications/s %s\n",
          p99 <= 2 ? "met" : "NOT MET", max <= 8 ? "met" : "NOT MET",
          pubs_per_s <= 12 ? "met" : "NOT MET");
  /* One machine-readable line for run-responsiveness.sh */
  printf ("RESULT\t%s\t%u\t%.2f\t%.3f\t%.3f\t%.3f\t%u\t%.2f\t%.0f\t%.1f\t%.0f\t%u\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%.1f\t%u\n",
          label ? label : (b->queue ? "engine" : "probe-only"), b->jobs, elapsed, p50, p99, max,
          b->lateness_us->len, pubs_per_s, notify_per_s, 100 * main_cpu / elapsed,
          elapsed > 0 ? b->bytes / 1048576.0 / elapsed : 0, b->n_failed,
          iter_cpu_us->len / elapsed, it_cpu_p99, it_cpu_max, it_wall_p99, it_wall_max,
          b->conn_samples ? (gdouble) b->conn_sum / b->conn_samples : 0.0, b->conn_max);
}

static void
bench_finish (Bench *b)
{
  for (guint i = 0; i < b->cleaners->len; i++)
    g_thread_join (g_ptr_array_index (b->cleaners, i));
  if (b->directory != NULL)
    g_rmdir (b->directory);

  g_source_destroy (b->probe);
  g_source_unref (b->probe);
  g_clear_handle_id (&b->conn_source, g_source_remove);
  g_clear_object (&b->queue);
  g_clear_pointer (&b->uris, g_ptr_array_unref);
  g_ptr_array_unref (b->cleaners);
  g_array_unref (b->lateness_us);
  g_array_unref (iter_cpu_us);
  g_array_unref (iter_wall_us);
  g_main_loop_unref (b->loop);
  g_free (b->directory);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *label = NULL;
  g_auto(GStrv) rest = NULL;
  int jobs = 16;
  double seconds = 10;
  int min_rounds = 2;
  double probe_only = 0;
  gint64 rate = 0;
  int connections = 0;
  int per_server = 0;
  double elapsed, main_cpu;
  Bench b = { 0 };
  const GOptionEntry entries[] = {
    { "input-file", 'i', 0, G_OPTION_ARG_FILENAME, &input, "URLs to download, one a line", "FILE" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Downloads at a time (default 16)", "N" },
    { "directory", 'd', 0, G_OPTION_ARG_FILENAME, &directory, "Where to save (a scratch folder)", "DIR" },
    { "seconds", 't', 0, G_OPTION_ARG_DOUBLE, &seconds, "Keep starting rounds for this long (default 10)", "S" },
    { "min-rounds", 'r', 0, G_OPTION_ARG_INT, &min_rounds, "At least this many rounds (default 2)", "N" },
    { "probe-only", 0, 0, G_OPTION_ARG_DOUBLE, &probe_only, "No engine: run the probe alone for S seconds", "S" },
    { "limit-rate", 0, 0, G_OPTION_ARG_INT64, &rate, "Total rate limit in bytes/s (default: none)", "BYTES" },
    { "connections", 'x', 0, G_OPTION_ARG_INT, &connections, "Connections per download, 1..16 (default: the queue's, 8)", "N" },
    { "max-connections-per-server", 0, 0, G_OPTION_ARG_INT, &per_server, "Connections per server, 1..16 (default: the queue's, 8)", "N" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, "Name of this run in the RESULT line", "TEXT" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "[URL…]" },
    { NULL }
  };

  context = g_option_context_new ("— main-loop lateness while Haul downloads");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  b.lateness_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 1 << 16);
  b.loop = g_main_loop_new (NULL, FALSE);
  b.cleaners = g_ptr_array_new ();

  if (probe_only <= 0 &&
      !set_up_engine (&b, rest, input, directory, jobs, seconds, min_rounds, rate,
                      connections, per_server, argv[0]))
    return 2;

  iter_cpu_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 1 << 16);
  iter_wall_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 1 << 16);
  g_main_context_set_poll_func (NULL, timing_poll);

  probe_start (&b);
  b.recording = TRUE;
  iter_recording = TRUE;
  b.started_us = g_get_monotonic_time ();
  main_cpu = thread_cpu_s ();

  if (b.queue != NULL)
    start_round (&b);
  else
    g_timeout_add_full (G_PRIORITY_HIGH, (guint) (probe_only * 1000), probe_only_done_cb, &b, NULL);

  g_main_loop_run (b.loop);

  iter_recording = FALSE;
  main_cpu = thread_cpu_s () - main_cpu;
  elapsed = (b.ended_us - b.started_us) / (gdouble) G_USEC_PER_SEC;

  print_results (&b, label, elapsed, main_cpu);

  bench_finish (&b);

  return b.n_failed > 0 ? 1 : 0;
}

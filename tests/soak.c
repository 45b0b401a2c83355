/* soak.c — many small downloads through faults, pauses and cancels
 *
 * A child process serves N files (1 B to 64 KiB) from a HaulTestServer on
 * 127.0.0.1 with random faults on their first request: connection resets
 * mid-body, stalls (the client's stall timeout ends them), 503 with
 * Retry-After. The parent (this process: the engine, measured) downloads
 * them in batches of 1000 through a HaulQueue (16 at a time), and during
 * the run pauses and resumes downloads, and cancels and retries some
 * (CYCLES cycles in all). After each batch it checks every file
 * byte for byte, clears the finished rows (as "Clear Finished" does), and
 * records its resident memory and open descriptors (sockets apart: idle
 * keep-alive connections come and go with the traffic).
 *
 * Passes when every file completed byte-identical under its own name (none
 * lost, none duplicated as "NAME (1)", no .part left), RSS and open
 * descriptors other than sockets at the end are within 10 % of their level
 * after the first batch, and sockets never exceed the connection pools. Run by tests/soak.sh; not part of the test suite (minutes).
 *
 * Usage: soak [N_FILES [CYCLES [SEED]]]   (default 20000 200 20261202)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "haul-test-queue.h"

#define BATCH      1000
#define MAX_SIZE   (64 * 1024)

static gsize
file_size (guint i)
{
  return 1 + (i * 2654435761u) % MAX_SIZE;
}

/* The child: serve every file, with its fault, until the parent is gone. */
static G_NORETURN void
serve (guint  n,
       guint  seed,
       int    port_fd,
       int    life_fd)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  HaulTestServer *server = haul_test_server_new ();
  guint16 port;
  char byte;
  guint faults[4] = { 0 };

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) content = haul_test_content (file_size (i), i);
      g_autofree char *path = g_strdup_printf ("/f-%u.bin", i);
      HaulTestFileOptions o = { 0 };
      gsize size = file_size (i);

      switch (g_rand_int_range (rand, 0, 10))
        {
        case 0:
          o.reset = TRUE;
          o.reset_after = size / 2;
          o.reset_times = 1;
          faults[0]++;
          break;
        case 1:
          if (g_rand_int_range (rand, 0, 4) == 0)
            {
              o.stall = TRUE;
              o.stall_after = size / 3;
              o.stall_times = 1;
              faults[1]++;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case 2:
          o.fail_status = 503;
          o.fail_times = 1;
          o.retry_after = "1";
          faults[2]++;
          break;
        default:
          faults[3]++;
          break;
        }
      haul_test_server_add_file (server, path, content, &o);
    }
  fprintf (stderr, "# server: %u files: %u resets, %u stalls, %u 503s, %u clean\n",
           n, faults[0], faults[1], faults[2], faults[3]);

  port = haul_test_server_get_port (server);
  if (write (port_fd, &port, sizeof port) != sizeof port)
    _exit (2);
  /* Until the parent exits (its end of the pipe closes). */
  while (read (life_fd, &byte, 1) > 0)
    ;
  _exit (0);
}

/* Open descriptors, sockets apart: the workers' sessions keep idle
 * keep-alive connections (a pool that comes and goes with the traffic),
 * while files, pipes and eventfds must not grow at all. */
static void
open_fds (guint *files,
          guint *sockets)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  *files = *sockets = 0;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        (*sockets)++;
      else
        (*files)++;
    }
  (*files)--; /* the GDir's own */
}

typedef struct
{
  HaulQueue *queue;
  GPtrArray *batch;
} Batch;

static gboolean
batch_finished (gpointer data)
{
  Batch *b = data;

  for (guint i = 0; i < b->batch->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (b->batch, i);
      HaulDownloadState s = haul_download_get_state (d);

      if (s != HAUL_DOWNLOAD_STATE_COMPLETED && s != HAUL_DOWNLOAD_STATE_FAILED &&
          s != HAUL_DOWNLOAD_STATE_CANCELLED)
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  guint      n;
  guint      cycles;
  guint      seed;
  guint16    port;
  HaulQueue *queue;
  GRand     *rand;
  char      *dir;
  gint64     t0;

  guint      cycles_done;
  guint      cancels;
  guint      retried_failures;
  guint      checked;
  gint64     rss_first;
  gint64     rss_last;
  guint      fds_first;
  guint      fds_last;
  guint      sockets_last;
  guint      sockets_max;
  gboolean   ok;
} Soak;

/* Forks the server child (before any thread exists) and reads its port.
 * Returns: the child, or -1 */
static pid_t
start_server (Soak *soak,
              int  *life_fd)
{
  int port_pipe[2], life_pipe[2];
  pid_t child;

  if (pipe (port_pipe) != 0 || pipe (life_pipe) != 0)
    return -1;
  child = fork ();
  if (child == 0)
    {
      close (port_pipe[0]);
      close (life_pipe[1]);
      serve (soak->n, soak->seed, port_pipe[1], life_pipe[0]);
    }
  close (port_pipe[1]);
  close (life_pipe[0]);
  *life_fd = life_pipe[1];
  if (read (port_pipe[0], &soak->port, sizeof soak->port) != sizeof soak->port)
    {
      fprintf (stderr, "the server did not start\n");
      return -1;
    }
  close (port_pipe[0]);
  return child;
}

static void
add_batch (Soak      *soak,
           GPtrArray *batch,
           guint      first,
           guint      last)
{
  for (guint i = first; i < last; i++)
    {
      g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/f-%u.bin", soak->port, i);
      g_autoptr(GError) error = NULL;
      HaulDownload *d = haul_queue_add (soak->queue, uri, soak->dir, &error);

      g_assert_no_error (error);
      g_ptr_array_add (batch, d);
    }
}

/* Pause/resume (and every fourth time cancel/retry) downloads that run. */
static void
shake_batch (Soak      *soak,
             GPtrArray *batch,
             guint      batch_cycles)
{
  for (guint c = 0; c < batch_cycles; c++)
    {
      HaulDownload *d = NULL;

      haul_test_spin (g_rand_int_range (soak->rand, 20, 120));
      for (guint tries = 0; tries < 200 && d == NULL; tries++)
        {
          HaulDownload *cand = g_ptr_array_index (batch, g_rand_int_range (soak->rand, 0, batch->len));

          if (haul_download_can_pause (cand))
            d = cand;
        }
      if (d == NULL)
        continue;
      soak->cycles_done++;
      haul_queue_pause (soak->queue, d);
      haul_test_spin (g_rand_int_range (soak->rand, 5, 60));
      if (c % 4 == 3)
        {
          haul_queue_cancel (soak->queue, d);
          haul_test_spin (10);
          haul_queue_retry (soak->queue, d);
          soak->cancels++;
        }
      else
        {
          haul_queue_resume (soak->queue, d);
        }
    }
}

/* Until every download of the batch ended; failures retried. */
static void
finish_batch (Soak      *soak,
              GPtrArray *batch,
              guint      b)
{
  Batch wait = { soak->queue, batch };

  for (;;)
    {
      guint failed = 0;

      if (!haul_test_wait_until (batch_finished, &wait, 600 * 1000))
        g_error ("batch %u did not finish in 10 minutes", b);
      for (guint i = 0; i < batch->len; i++)
        {
          HaulDownload *d = g_ptr_array_index (batch, i);

          if (haul_download_get_state (d) != HAUL_DOWNLOAD_STATE_COMPLETED)
            {
              printf ("# retrying %s: %s\n", haul_download_get_uri (d),
                      haul_download_get_error (d) ? haul_download_get_error (d) : "cancelled");
              haul_queue_retry (soak->queue, d);
              failed++;
            }
        }
      soak->retried_failures += failed;
      if (failed == 0)
        break;
    }
}

/* Every file byte for byte, under its own name. */
static void
check_batch (Soak      *soak,
             GPtrArray *batch,
             guint      first)
{
  for (guint i = 0; i < batch->len; i++)
    {
      HaulDownload *d = g_ptr_array_index (batch, i);
      guint index = first + i;
      g_autofree char *expected_name = g_strdup_printf ("f-%u.bin", index);
      g_autofree char *path = g_build_filename (soak->dir, expected_name, NULL);
      g_autoptr(GBytes) expected = haul_test_content (file_size (index), index);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_strcmp0 (haul_download_get_filename (d), expected_name) != 0)
        {
          printf ("not ok: %s saved as %s\n", expected_name, haul_download_get_filename (d));
          soak->ok = FALSE;
        }
      if (!g_file_get_contents (path, &data, &len, NULL) ||
          len != g_bytes_get_size (expected) ||
          memcmp (data, g_bytes_get_data (expected, NULL), len) != 0)
        {
          printf ("not ok: %s differs (%" G_GSIZE_FORMAT " bytes)\n", expected_name, len);
          soak->ok = FALSE;
        }
      soak->checked++;
    }
}

static void
record_usage (Soak  *soak,
              guint  b)
{
  soak->rss_last = haul_test_proc_status_kib ("VmRSS");
  open_fds (&soak->fds_last, &soak->sockets_last);
  soak->sockets_max = MAX (soak->sockets_max, soak->sockets_last);
  if (b == 0)
    {
      soak->rss_first = soak->rss_last;
      soak->fds_first = soak->fds_last;
    }
  printf ("batch %2u: %5u files checked, RSS %" G_GINT64_FORMAT " KiB, %u fds + %u sockets, %u cycles, %.0f s\n",
          b + 1, soak->checked, soak->rss_last, soak->fds_last, soak->sockets_last, soak->cycles_done,
          (g_get_monotonic_time () - soak->t0) / 1e6);
  fflush (stdout);
}

static void
run_batch (Soak  *soak,
           guint  b,
           guint  n_batches)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  guint first = b * BATCH, last = MIN (soak->n, first + BATCH);
  guint batch_cycles = soak->cycles * (b + 1) / n_batches - soak->cycles * b / n_batches;

  add_batch (soak, batch, first, last);
  shake_batch (soak, batch, batch_cycles);
  finish_batch (soak, batch, b);
  check_batch (soak, batch, first);
  haul_queue_clear_finished (soak->queue);
  haul_test_spin (200); /* let the last progress idles and frees run */
  record_usage (soak, b);
}

/* Exactly N files, no partial file, no "(1)" copies. */
static void
check_folder (Soak *soak)
{
  g_autoptr(GDir) d = g_dir_open (soak->dir, 0, NULL);
  const char *name;
  guint files = 0, parts = 0, other = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_suffix (name, ".part"))
        parts++;
      else if (g_str_has_prefix (name, "f-") && strchr (name, ' ') == NULL)
        files++;
      else
        other++;
    }
  printf ("folder: %u files, %u .part, %u others (expected %u, 0, 0)\n", files, parts, other, soak->n);
  if (files != soak->n || parts != 0 || other != 0)
    soak->ok = FALSE;
}

static void
report (Soak *soak)
{
  printf ("cycles: %u pause/resume (%u of them cancel/retry); %u failed attempts retried by hand\n",
          soak->cycles_done, soak->cancels, soak->retried_failures);
  printf ("RSS after batch 1: %" G_GINT64_FORMAT " KiB, at the end: %" G_GINT64_FORMAT " KiB (%+.1f %%)\n",
          soak->rss_first, soak->rss_last, 100.0 * (soak->rss_last - soak->rss_first) / soak->rss_first);
  printf ("open descriptors (not sockets) after batch 1: %u, at the end: %u; "
          "idle keep-alive sockets at most %u (16 workers × 4 connections allowed)\n",
          soak->fds_first, soak->fds_last, soak->sockets_max);
  printf ("time: %.0f s\n", (g_get_monotonic_time () - soak->t0) / 1e6);
  if (soak->rss_last > soak->rss_first * 1.10 || soak->fds_last > soak->fds_first * 1.10 + 0.5 ||
      soak->sockets_max > 16 * 4)
    soak->ok = FALSE;
}

int
main (int   argc,
      char *argv[])
{
  Soak soak = {
    .n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 20000,
    .cycles = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 200,
    .seed = argc > 3 ? (guint) g_ascii_strtoull (argv[3], NULL, 10) : 20261202,
    .ok = TRUE,
  };
  guint n_batches = (soak.n + BATCH - 1) / BATCH;
  int life_fd;
  pid_t child;

  child = start_server (&soak, &life_fd);
  if (child < 0)
    return 2;

  g_unsetenv ("http_proxy");
  g_unsetenv ("all_proxy");
  soak.dir = g_dir_make_tmp ("haul-soak-XXXXXX", NULL);
  soak.rand = g_rand_new_with_seed (soak.seed + 1);
  soak.queue = haul_queue_new ();
  g_object_set (soak.queue, "max-active", 16, "stall-timeout", 1, "connect-timeout", 10,
                "retry-base-delay", 50, "max-retries", 5, NULL);
  printf ("# soak: %u files in %u batches of %u, %u pause/resume/cancel cycles, seed %u, into %s\n",
          soak.n, n_batches, BATCH, soak.cycles, soak.seed, soak.dir);
  soak.t0 = g_get_monotonic_time ();

  for (guint b = 0; b < n_batches; b++)
    run_batch (&soak, b, n_batches);

  check_folder (&soak);
  report (&soak);

  haul_test_rm_rf (soak.dir);
  close (life_fd);
  waitpid (child, NULL, 0);
  printf ("%s\n", soak.ok ? "soak passed" : "soak FAILED");
  g_clear_object (&soak.queue);
  g_rand_free (soak.rand);
  g_free (soak.dir);
  return soak.ok ? 0 : 1;
}

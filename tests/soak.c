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

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  guint cycles = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 200;
  guint seed = argc > 3 ? (guint) g_ascii_strtoull (argv[3], NULL, 10) : 20261202;
  int port_pipe[2], life_pipe[2];
  guint16 port;
  pid_t child;
  g_autoptr(HaulQueue) queue = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autofree char *dir = NULL;
  guint n_batches = (n + BATCH - 1) / BATCH;
  guint cycles_done = 0, cancels = 0, retried_failures = 0, checked = 0;
  gint64 rss_first = 0, rss_last = 0, t0;
  guint fds_first = 0, fds_last = 0, sockets_last = 0, sockets_max = 0;
  gboolean ok = TRUE;

  /* Fork before any thread exists. */
  if (pipe (port_pipe) != 0 || pipe (life_pipe) != 0)
    return 2;
  child = fork ();
  if (child == 0)
    {
      close (port_pipe[0]);
      close (life_pipe[1]);
      serve (n, seed, port_pipe[1], life_pipe[0]);
    }
  close (port_pipe[1]);
  close (life_pipe[0]);
  if (read (port_pipe[0], &port, sizeof port) != sizeof port)
    {
      fprintf (stderr, "the server did not start\n");
      return 2;
    }
  close (port_pipe[0]);

  g_unsetenv ("http_proxy");
  g_unsetenv ("all_proxy");
  dir = g_dir_make_tmp ("haul-soak-XXXXXX", NULL);
  rand = g_rand_new_with_seed (seed + 1);
  queue = haul_queue_new ();
  g_object_set (queue, "max-active", 16, "stall-timeout", 1, "connect-timeout", 10,
                "retry-base-delay", 50, "max-retries", 5, NULL);
  printf ("# soak: %u files in %u batches of %u, %u pause/resume/cancel cycles, seed %u, into %s\n",
          n, n_batches, BATCH, cycles, seed, dir);
  t0 = g_get_monotonic_time ();

  for (guint b = 0; b < n_batches; b++)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      Batch wait = { queue, batch };
      guint first = b * BATCH, last = MIN (n, first + BATCH);
      guint batch_cycles = cycles * (b + 1) / n_batches - cycles * b / n_batches;

      for (guint i = first; i < last; i++)
        {
          g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/f-%u.bin", port, i);
          g_autoptr(GError) error = NULL;
          HaulDownload *d = haul_queue_add (queue, uri, dir, &error);

          g_assert_no_error (error);
          g_ptr_array_add (batch, d);
        }

      /* Pause/resume (and every fourth time cancel/retry) downloads that run. */
      for (guint c = 0; c < batch_cycles; c++)
        {
          HaulDownload *d = NULL;

          haul_test_spin (g_rand_int_range (rand, 20, 120));
          for (guint tries = 0; tries < 200 && d == NULL; tries++)
            {
              HaulDownload *cand = g_ptr_array_index (batch, g_rand_int_range (rand, 0, batch->len));

              if (haul_download_can_pause (cand))
                d = cand;
            }
          if (d == NULL)
            continue;
          cycles_done++;
          haul_queue_pause (queue, d);
          haul_test_spin (g_rand_int_range (rand, 5, 60));
          if (c % 4 == 3)
            {
              haul_queue_cancel (queue, d);
              haul_test_spin (10);
              haul_queue_retry (queue, d);
              cancels++;
            }
          else
            {
              haul_queue_resume (queue, d);
            }
        }

      /* Until every download of the batch ended; failures retried. */
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
                  haul_queue_retry (queue, d);
                  failed++;
                }
            }
          retried_failures += failed;
          if (failed == 0)
            break;
        }

      /* Every file byte for byte, under its own name. */
      for (guint i = 0; i < batch->len; i++)
        {
          HaulDownload *d = g_ptr_array_index (batch, i);
          guint index = first + i;
          g_autofree char *expected_name = g_strdup_printf ("f-%u.bin", index);
          g_autofree char *path = g_build_filename (dir, expected_name, NULL);
          g_autoptr(GBytes) expected = haul_test_content (file_size (index), index);
          g_autofree char *data = NULL;
          gsize len = 0;

          if (g_strcmp0 (haul_download_get_filename (d), expected_name) != 0)
            {
              printf ("not ok: %s saved as %s\n", expected_name, haul_download_get_filename (d));
              ok = FALSE;
            }
          if (!g_file_get_contents (path, &data, &len, NULL) ||
              len != g_bytes_get_size (expected) ||
              memcmp (data, g_bytes_get_data (expected, NULL), len) != 0)
            {
              printf ("not ok: %s differs (%" G_GSIZE_FORMAT " bytes)\n", expected_name, len);
              ok = FALSE;
            }
          checked++;
        }
      haul_queue_clear_finished (queue);
      haul_test_spin (200); /* let the last progress idles and frees run */

      rss_last = haul_test_proc_status_kib ("VmRSS");
      open_fds (&fds_last, &sockets_last);
      sockets_max = MAX (sockets_max, sockets_last);
      if (b == 0)
        {
          rss_first = rss_last;
          fds_first = fds_last;
        }
      printf ("batch %2u: %5u files checked, RSS %" G_GINT64_FORMAT " KiB, %u fds + %u sockets, %u cycles, %.0f s\n",
              b + 1, checked, rss_last, fds_last, sockets_last, cycles_done,
              (g_get_monotonic_time () - t0) / 1e6);
      fflush (stdout);
    }

  /* Exactly N files, no partial file, no "(1)" copies. */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
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
    printf ("folder: %u files, %u .part, %u others (expected %u, 0, 0)\n", files, parts, other, n);
    if (files != n || parts != 0 || other != 0)
      ok = FALSE;
  }

  printf ("cycles: %u pause/resume (%u of them cancel/retry); %u failed attempts retried by hand\n",
          cycles_done, cancels, retried_failures);
  printf ("RSS after batch 1: %" G_GINT64_FORMAT " KiB, at the end: %" G_GINT64_FORMAT " KiB (%+.1f %%)\n",
          rss_first, rss_last, 100.0 * (rss_last - rss_first) / rss_first);
  printf ("open descriptors (not sockets) after batch 1: %u, at the end: %u; "
          "idle keep-alive sockets at most %u (16 workers × 4 connections allowed)\n",
          fds_first, fds_last, sockets_max);
  printf ("time: %.0f s\n", (g_get_monotonic_time () - t0) / 1e6);
  if (rss_last > rss_first * 1.10 || fds_last > fds_first * 1.10 + 0.5 || sockets_max > 16 * 4)
    ok = FALSE;

  haul_test_rm_rf (dir);
  close (life_pipe[1]);
  waitpid (child, NULL, 0);
  printf ("%s\n", ok ? "soak passed" : "soak FAILED");
  return ok ? 0 : 1;
}

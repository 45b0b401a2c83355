/* haul-headless.c — `haul --headless`: the engine in a terminal
 *
 * The same HaulQueue as the window, driven by a GMainLoop on the main
 * thread: one updating line per active download and a total line on a
 * terminal, plain log lines otherwise, only errors with --quiet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-headless"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "haul-checksum.h"
#include "haul-format.h"
#include "haul-headless.h"
#include "haul-queue.h"
#include "haul-store.h"
#include "haul-uri-list.h"
#include "haul-worker-pool.h"

#define REDRAW_MS 250

typedef struct
{
  GMainLoop *loop;
  HaulQueue *queue;
  gboolean   tty;
  gboolean   quiet;
  guint      drawn_lines;
  int        interrupted;   /* the signal, once */
  guint      n_completed;
  guint      n_failed;
  guint      n_rejected;
  gint64     bytes_completed;
  gint64     started_us;
} Headless;

static void
usage_error (const char *fmt,
             ...) G_GNUC_PRINTF (1, 2);

static void
usage_error (const char *fmt,
             ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_printerr ("haul: %s\n", msg);
  g_printerr (_("Try “haul --headless --help” for more information.\n"));
}

static void
clear_block (Headless *h)
{
  if (!h->tty || h->drawn_lines == 0)
    return;
  printf ("\033[%uA", h->drawn_lines);
  for (guint i = 0; i < h->drawn_lines; i++)
    printf ("\033[2K\n");
  printf ("\033[%uA", h->drawn_lines);
  h->drawn_lines = 0;
  fflush (stdout); /* before anything goes to stderr */
}

static char *
shorten_name (const char *name,
              guint       max)
{
  if (name == NULL)
    return g_strdup ("…");
  if (g_utf8_strlen (name, -1) <= max)
    return g_strdup (name);
  {
    g_autofree char *head = g_utf8_substring (name, 0, max - 1);

    return g_strconcat (head, "…", NULL);
  }
}

static void
draw_block (Headless *h)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (h->queue));
  guint n_done = 0, n_waiting = 0, n_active = 0;
  gint64 received = 0, total = 0;
  gboolean total_known = TRUE;
  g_autofree char *speed = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  clear_block (h);

  for (guint i = 0; i < n; i++)
    {
      HaulDownload *d = haul_queue_get_download (h->queue, i);
      HaulDownloadState state = haul_download_get_state (d);

      if (state == HAUL_DOWNLOAD_STATE_QUEUED)
        n_waiting++;
      else if (haul_download_is_finished (d))
        n_done++;

      if (!haul_download_is_active (d))
        continue;

      n_active++;
      received += haul_download_get_received (d);
      if (haul_download_get_total (d) > 0)
        total += haul_download_get_total (d);
      else
        total_known = FALSE;

      if (n_active <= 20)
        {
          g_autofree char *name = shorten_name (haul_download_get_filename (d) ?: haul_download_get_uri (d), 32);
          g_autofree char *progress = haul_format_progress (haul_download_get_received (d),
                                                            haul_download_get_total (d),
                                                            haul_download_get_speed (d),
                                                            haul_download_get_eta (d));

          if (state == HAUL_DOWNLOAD_STATE_DOWNLOADING && haul_download_get_total (d) > 0)
            g_string_append_printf (out, "%-33s %3d%%  %s\n", name,
                                    (int) (haul_download_get_fraction (d) * 100), progress);
          else
            g_string_append_printf (out, "%-33s %s  %s\n", name, haul_download_state_to_string (state),
                                    haul_download_get_error (d) ? haul_download_get_error (d) : progress);
          h->drawn_lines++;
        }
    }

  speed = haul_format_speed (haul_queue_get_speed (h->queue));
  g_string_append_printf (out, _("Total: %u active, %u waiting, %u of %u finished — %s"),
                          n_active, n_waiting, n_done, n, speed);
  if (total_known && total > received && haul_queue_get_speed (h->queue) > 0)
    {
      g_autofree char *eta = haul_format_eta ((gint64) ((total - received) / haul_queue_get_speed (h->queue)));

      g_string_append_printf (out, " — %s", eta);
    }
  g_string_append_c (out, '\n');
  h->drawn_lines++;

  fputs (out->str, stdout);
  fflush (stdout);
}

static gboolean
redraw_cb (gpointer data)
{
  draw_block (data);
  return G_SOURCE_CONTINUE;
}

static void
on_download_finished (HaulQueue    *queue,
                      HaulDownload *d,
                      Headless     *h)
{
  HaulDownloadState state = haul_download_get_state (d);
  g_autofree char *path = haul_download_dup_path (d);

  if (state == HAUL_DOWNLOAD_STATE_COMPLETED)
    {
      h->n_completed++;
      h->bytes_completed += haul_download_get_received (d);
    }
  else if (state == HAUL_DOWNLOAD_STATE_FAILED)
    h->n_failed++;

  clear_block (h);
  if (state == HAUL_DOWNLOAD_STATE_FAILED)
    {
      g_printerr (_("haul: failed: %s: %s\n"), haul_download_get_uri (d),
                  haul_download_get_error (d) ? haul_download_get_error (d) : "?");
    }
  else if (!h->quiet && state == HAUL_DOWNLOAD_STATE_COMPLETED)
    {
      g_autofree char *size = haul_format_size (haul_download_get_received (d));

      printf (_("Saved %s (%s)\n"), path ? path : haul_download_get_uri (d), size);
      fflush (stdout);
    }
}

static void
on_idle (HaulQueue *queue,
         Headless  *h)
{
  g_main_loop_quit (h->loop);
}

static gboolean
on_signal (gpointer data)
{
  Headless *h = data;

  if (h->interrupted)
    {
      /* Second Ctrl-C: leave now. The .part files stay as they are. */
      _exit (HAUL_EXIT_INTERRUPTED);
    }

  h->interrupted = TRUE;
  clear_block (h);
  if (!h->quiet)
    g_printerr (_("haul: stopping; partial files are kept and the same command resumes them\n"));
  haul_queue_stop_for_exit (h->queue);
  if (haul_queue_get_n_active (h->queue) == 0)
    g_main_loop_quit (h->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
read_list (const char   *path,
           HaulUriList  *list,
           GError      **error)
{
  g_autoptr(GInputStream) stream = NULL;

  if (g_strcmp0 (path, "-") == 0)
    stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      stream = G_INPUT_STREAM (g_file_read (file, NULL, error));
      if (stream == NULL)
        return FALSE;
    }

  return haul_uri_list_parse_stream (list, stream, NULL, error);
}

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  w->done = TRUE;
}

/* The terminal front may wait for its session file before it starts:
 * there is no window to keep responsive. */
static GAsyncResult *
wait_for_result (Wait *w)
{
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
  return w->result;
}

static void
restore_chunk (HaulStore *store,
               GPtrArray *records,
               gpointer   user_data)
{
  haul_queue_restore (HAUL_QUEUE (user_data), records, TRUE);
}

/* Opens @path and restores its downloads into @queue: those that were
 * running, waiting, paused by Ctrl-C or failed start again. */
static HaulStore *
open_session (const char  *path,
              HaulQueue   *queue,
              GError     **error)
{
  g_autoptr(HaulStore) store = haul_store_new (path);
  g_autofree char *moved_aside = NULL;
  Wait open_wait = { 0 }, load_wait = { 0 };
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) loaded = NULL;
  guint n = 0, n_skipped = 0;

  haul_store_open_async (store, NULL, wait_cb, &open_wait);
  opened = wait_for_result (&open_wait);
  if (!haul_store_open_finish (store, opened, &moved_aside, error))
    return NULL;
  if (moved_aside != NULL)
    g_printerr (_("haul: the session file was damaged; it was moved to “%s” and a new one started\n"),
                moved_aside);

  haul_store_load_async (store, restore_chunk, queue, NULL, wait_cb, &load_wait);
  loaded = wait_for_result (&load_wait);
  if (!haul_store_load_finish (store, loaded, &n, &n_skipped, error))
    return NULL;
  if (n_skipped > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "haul: %u damaged entry of the session was skipped\n",
                             "haul: %u damaged entries of the session were skipped\n", n_skipped),
                n_skipped);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
    {
      HaulDownload *d = haul_queue_get_download (queue, i);

      if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_FAILED)
        haul_queue_retry (queue, d);
      else if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_PAUSED)
        haul_queue_resume (queue, d);
    }

  haul_queue_set_store (queue, store);
  return g_steal_pointer (&store);
}

static gboolean
wait_flush (HaulStore  *store,
            GError    **error)
{
  Wait w = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  haul_store_flush_async (store, NULL, wait_cb, &w);
  result = wait_for_result (&w);
  return haul_store_flush_finish (store, result, error);
}

int
haul_headless_run (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *input = NULL;
  g_autofree char *limit_rate = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *session = NULL;
  g_autoptr(HaulStore) store = NULL;
  g_auto(GStrv) uris = NULL;
  g_autoptr(GPtrArray) split_args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char **split_argv = NULL;
  g_autoptr(HaulUriList) list = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(HaulQueue) queue = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  gboolean headless = FALSE;
  gboolean quiet = FALSE;
  int jobs = HAUL_QUEUE_DEFAULT_MAX_ACTIVE;
  int retries = 5;
  int timeout = 60;
  int connect_timeout = 30;
  gint64 rate = 0;
  guint n_dups = 0, redraw = 0;
  Headless h = { 0 };
  const GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &headless,
      N_("Run in the terminal, without a window"), NULL },
    { "directory", 'd', 0, G_OPTION_ARG_FILENAME, &directory,
      N_("Save files in DIR (default: the current directory; created if missing)"), N_("DIR") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
      N_("Download N files at a time, 1 to 32 (default: 4)"), N_("N") },
    { "input-file", 'i', 0, G_OPTION_ARG_FILENAME, &input,
      N_("Read links from FILE, or from standard input if FILE is “-”: any whitespace "
         "separates links, “#” starts a comment"), N_("FILE") },
    { "limit-rate", 0, 0, G_OPTION_ARG_STRING, &limit_rate,
      N_("Limit the total speed to RATE bytes per second; k, M and G suffixes "
         "multiply by 1024 (default: no limit)"), N_("RATE") },
    { "checksum", 0, 0, G_OPTION_ARG_STRING, &checksum,
      N_("Verify the single download against ALGO:HEX (sha256, sha512, sha1 or md5) "
         "before keeping it"), N_("ALGO:HEX") },
    { "retries", 0, 0, G_OPTION_ARG_INT, &retries,
      N_("Retry a download up to N times after a network or server error (default: 5)"), N_("N") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      N_("Retry when no data arrived for SECONDS (default: 60)"), N_("SECONDS") },
    { "connect-timeout", 0, 0, G_OPTION_ARG_INT, &connect_timeout,
      N_("Retry when no answer came within SECONDS (default: 30)"), N_("SECONDS") },
    { "session", 0, 0, G_OPTION_ARG_FILENAME, &session,
      N_("Remember the downloads in FILE (a database, created if missing): running the "
         "same command again after Ctrl-C, a crash or a reboot resumes them; without it "
         "nothing is remembered"), N_("FILE") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("Print only errors"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &uris, NULL, N_("[URL…]") },
    { NULL }
  };

  context = g_option_context_new (_("— download files without a window"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Downloads every URL given and every link in the input file, resuming partial "
      "files left by an earlier run.\n"
      "Ctrl-C stops cleanly: partial files (NAME.part) are kept and running the same "
      "command again resumes them."));
  g_option_context_set_description (context,
    _("Exit status: 0 when every download completed, 1 when any failed or any link "
      "was not valid, 2 for a usage error, 130 when interrupted."));

  /* GOption takes "-j 16" but not "-j16", which curl, wget and aria2c
   * users type: split a value glued to a short option that takes one. */
  {
    GPtrArray *args = split_args;

    for (int i = 0; i < argc; i++)
      {
        if (g_strcmp0 (argv[i], "--") == 0)
          {
            for (; i < argc; i++)
              g_ptr_array_add (args, g_strdup (argv[i]));
            break;
          }
        if (argv[i][0] == '-' && strchr ("dji", argv[i][1]) != NULL && argv[i][1] != '\0' &&
            argv[i][2] != '\0')
          {
            g_ptr_array_add (args, g_strndup (argv[i], 2));
            g_ptr_array_add (args, g_strdup (argv[i] + 2));
          }
        else
          g_ptr_array_add (args, g_strdup (argv[i]));
      }
    /* GOption rearranges the array it parses: give it a shallow copy and
     * keep the strings owned here. */
    argc = args->len;
    split_argv = g_new0 (char *, args->len + 1);
    memcpy (split_argv, args->pdata, args->len * sizeof (char *));
    argv = split_argv;
  }

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      usage_error ("%s", error->message);
      return HAUL_EXIT_USAGE;
    }

  if (jobs < 1 || jobs > HAUL_MAX_CONCURRENCY)
    {
      usage_error (_("-j/--jobs must be between 1 and %d, not %d"), HAUL_MAX_CONCURRENCY, jobs);
      return HAUL_EXIT_USAGE;
    }
  if (retries < 0 || retries > 100)
    {
      usage_error (_("--retries must be between 0 and 100, not %d"), retries);
      return HAUL_EXIT_USAGE;
    }
  if (timeout < 1 || timeout > 3600 || connect_timeout < 1 || connect_timeout > 3600)
    {
      usage_error (_("--timeout and --connect-timeout must be between 1 and 3600 seconds"));
      return HAUL_EXIT_USAGE;
    }
  if (limit_rate != NULL && !haul_parse_rate (limit_rate, &rate))
    {
      usage_error (_("--limit-rate: “%s” is not a rate (try 500k or 2M)"), limit_rate);
      return HAUL_EXIT_USAGE;
    }
  if (checksum != NULL && !haul_checksum_parse (checksum, NULL, NULL, &error))
    {
      usage_error ("--checksum: %s", error->message);
      return HAUL_EXIT_USAGE;
    }

  list = haul_uri_list_new ();
  for (guint i = 0; uris != NULL && uris[i] != NULL; i++)
    {
      g_autofree char *normalized = haul_uri_normalize (uris[i], &error);

      if (normalized == NULL)
        {
          usage_error (_("“%s” is not a download link: %s"), uris[i], error->message);
          return HAUL_EXIT_USAGE;
        }
      if (!haul_uri_list_feed (list, normalized, strlen (normalized), NULL) ||
          !haul_uri_list_feed (list, "\n", 1, NULL))
        g_assert_not_reached ();
    }

  if (input != NULL && !read_list (input, list, &error))
    {
      usage_error (_("cannot read links from “%s”: %s"), input, error->message);
      return HAUL_EXIT_USAGE;
    }
  haul_uri_list_finish (list);

  for (guint i = 0; i < haul_uri_list_get_rejections (list)->len; i++)
    {
      const HaulUriListRejection *r = g_ptr_array_index (haul_uri_list_get_rejections (list), i);

      g_printerr (_("haul: %s:%u: skipped “%s”: %s\n"), input ? input : "-", r->line, r->text, r->reason);
    }
  if (haul_uri_list_get_n_rejected (list) > haul_uri_list_get_rejections (list)->len)
    {
      guint more = haul_uri_list_get_n_rejected (list) - haul_uri_list_get_rejections (list)->len;

      g_printerr (g_dngettext (GETTEXT_PACKAGE, "haul: … and %u more entry that is not a valid link\n",
                               "haul: … and %u more entries that are not valid links\n", more),
                  more);
    }
  h.n_rejected = haul_uri_list_get_n_rejected (list);
  if (haul_uri_list_is_full (list))
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "haul: only the first %u link was read: haul takes at most that many at a time\n",
                               "haul: only the first %u links were read: haul takes at most that many at a time\n",
                               HAUL_URI_LIST_MAX_URIS),
                  HAUL_URI_LIST_MAX_URIS);
      h.n_rejected++;
    }

  accepted = haul_uri_list_steal_uris (list);
  if (accepted->len == 0 && session == NULL)
    {
      if (h.n_rejected > 0)
        return HAUL_EXIT_FAILED;
      usage_error (_("no links to download: give URLs or -i FILE"));
      return HAUL_EXIT_USAGE;
    }
  if (checksum != NULL && accepted->len != 1)
    {
      usage_error (_("--checksum needs exactly one link, not %u"), accepted->len);
      return HAUL_EXIT_USAGE;
    }

  if (directory == NULL)
    directory = g_get_current_dir ();
  if (g_mkdir_with_parents (directory, 0755) != 0)
    {
      int errsv = errno;

      usage_error (_("-d: cannot create the folder “%s”: %s"), directory, g_strerror (errsv));
      return HAUL_EXIT_USAGE;
    }
  {
    /* Relative folders are resolved now, while the working directory is known. */
    g_autoptr(GFile) dir = g_file_new_for_commandline_arg (directory);

    g_free (directory);
    directory = g_file_get_path (dir);
  }

  loop = g_main_loop_new (NULL, FALSE);
  queue = g_object_new (HAUL_TYPE_QUEUE,
                        "max-active", (guint) jobs,
                        "rate-limit", rate,
                        "max-retries", (guint) retries,
                        "stall-timeout", (guint) timeout,
                        "connect-timeout", (guint) connect_timeout,
                        NULL);

  h.loop = loop;
  h.queue = queue;
  h.quiet = quiet;
  h.tty = !quiet && isatty (STDOUT_FILENO);
  h.started_us = g_get_monotonic_time ();

  g_signal_connect (queue, "download-finished", G_CALLBACK (on_download_finished), &h);
  g_signal_connect (queue, "idle", G_CALLBACK (on_idle), &h);
  g_unix_signal_add (SIGINT, on_signal, &h);
  g_unix_signal_add (SIGTERM, on_signal, &h);

  if (session != NULL)
    {
      store = open_session (session, queue, &error);
      if (store == NULL)
        {
          usage_error (_("--session: %s"), error->message);
          return HAUL_EXIT_USAGE;
        }
      if (accepted->len == 0 && g_list_model_get_n_items (G_LIST_MODEL (queue)) == 0)
        {
          usage_error (_("no links to download: give URLs or -i FILE"));
          return HAUL_EXIT_USAGE;
        }
    }

  if (checksum != NULL)
    {
      /* Checked above: only a duplicate (already in the session) fails. */
      if (haul_queue_add_with_checksum (queue, g_ptr_array_index (accepted, 0), directory, checksum, NULL) == NULL)
        n_dups++;
    }
  else
    haul_queue_add_uris (queue, accepted, directory, &n_dups);
  n_dups += haul_uri_list_get_n_duplicates (list);
  if (n_dups > 0 && !quiet)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "haul: skipped %u duplicate link\n",
                             "haul: skipped %u duplicate links\n", n_dups), n_dups);

  if (h.tty)
    redraw = g_timeout_add (REDRAW_MS, redraw_cb, &h);

  if (!haul_queue_is_idle (queue))
    g_main_loop_run (loop);

  g_clear_handle_id (&redraw, g_source_remove);
  clear_block (&h);

  if (store != NULL)
    {
      g_autoptr(GError) flush_error = NULL;

      haul_queue_save_now (queue);
      if (!wait_flush (store, &flush_error))
        g_printerr (_("haul: could not save the session: %s\n"), flush_error->message);
      haul_queue_set_store (queue, NULL);
      haul_store_close (store);
    }

  if (!quiet)
    {
      gdouble secs = (g_get_monotonic_time () - h.started_us) / (gdouble) G_USEC_PER_SEC;
      g_autofree char *size = haul_format_size (h.bytes_completed);
      g_autofree char *speed = haul_format_speed (secs > 0 ? h.bytes_completed / secs : 0);

      printf (g_dngettext (GETTEXT_PACKAGE,
                           "Downloaded %u file (%s) in %.1f s (%s)",
                           "Downloaded %u files (%s) in %.1f s (%s)", h.n_completed),
              h.n_completed, size, secs, speed);
      if (h.n_failed > 0)
        printf (g_dngettext (GETTEXT_PACKAGE, "; %u failed", "; %u failed", h.n_failed), h.n_failed);
      if (h.interrupted)
        {
          guint n_stopped = g_list_model_get_n_items (G_LIST_MODEL (queue)) - h.n_completed - h.n_failed;

          printf (g_dngettext (GETTEXT_PACKAGE, "; %u stopped", "; %u stopped", n_stopped), n_stopped);
        }
      printf ("\n");
      fflush (stdout);
    }

  if (h.interrupted)
    return HAUL_EXIT_INTERRUPTED;
  if (h.n_failed > 0 || h.n_rejected > 0)
    return HAUL_EXIT_FAILED;
  return HAUL_EXIT_OK;
}

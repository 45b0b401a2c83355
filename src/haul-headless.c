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

#include "haul-auth.h"
#include "haul-checksum.h"
#include "haul-connections.h"
#include "haul-format.h"
#include "haul-headless.h"
#include "haul-headless-auth.h"
#include "haul-network-policy.h"
#include "haul-proxy.h"
#include "haul-queue.h"
#include "haul-store.h"
#include "haul-terminal-text.h"
#include "haul-uri-list.h"
#include "haul-worker-pool.h"

#define REDRAW_MS 250

typedef struct
{
  GMainLoop *loop;
  HaulQueue *queue;
  HaulNetworkPolicy *policy; /* offline waiting and power saving; never paused on metered */
  gboolean   said_offline;  /* "Waiting for network…" printed for this outage */
  gboolean   tty;
  gboolean   quiet;
  guint      columns;       /* the terminal's, read again at each redraw */
  GArray    *drawn_widths;  /* guint: the columns of each line drawn last time */
  guint      max_retries;
  int        interrupted;   /* the signal, once */
  guint      n_completed;
  guint      n_failed;
  guint      n_rejected;
  gint64     bytes_completed;
  gint64     started_us;
  /* Sources that point at this struct: removed when the run ends. */
  guint      sigint_source;
  guint      sigterm_source;
  guint      redraw_source;
  guint      resize_source;
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

/* Writes @text at once, after what stdio holds: a redrawn block reaches
 * the terminal in one write, never half of it. */
static void
emit (const char *text)
{
  gsize len = strlen (text);

  fflush (stdout);
  while (len > 0)
    {
      gssize n = write (STDOUT_FILENO, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      text += n;
      len -= n;
    }
}

/* How many rows the block drawn last time takes now: one per line, unless
 * the terminal became narrower than a line and wrapped it again (most
 * terminals re-wrap their contents when resized). */
static guint
drawn_rows (Headless *h)
{
  guint columns = MAX (h->columns, 1);
  guint rows = 0;

  for (guint i = 0; i < h->drawn_widths->len; i++)
    {
      guint width = g_array_index (h->drawn_widths, guint, i);

      rows += MAX (1, (width + columns - 1) / columns);
    }
  return rows;
}

/* Moves to the first row of the block drawn last time: from there, the
 * next block overwrites it line by line. */
static void
home_block (Headless *h,
            GString  *out)
{
  guint rows = drawn_rows (h);

  if (rows > 0)
    g_string_append_printf (out, "\r\033[%uA", rows);
  g_array_set_size (h->drawn_widths, 0);
}

static void
clear_block (Headless *h)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (!h->tty || h->drawn_widths->len == 0)
    return;
  h->columns = haul_terminal_columns (STDOUT_FILENO);
  home_block (h, out);
  g_string_append (out, "\033[J");
  emit (out->str); /* before anything goes to stderr */
}

static char *
fit_first (guint       columns,
           const char *first,
           ...) G_GNUC_NULL_TERMINATED;

/* The first of the texts (NULL-terminated) that takes at most @columns;
 * the last one shortened at its end when none does. */
static char *
fit_first (guint       columns,
           const char *first,
           ...)
{
  const char *text = first, *last = first;
  va_list args;

  va_start (args, first);
  for (; text != NULL; text = va_arg (args, const char *))
    {
      last = text;
      if (haul_text_columns (text) <= columns)
        break;
    }
  va_end (args);
  return haul_text_shorten_end (last, columns);
}

/* "Waiting to retry (2 of 5) in 4 s — The server refused the connection";
 * the reason shortened in its middle to fit, then "Retry 2 of 5 in 4 s — The
 * ser…e connection" on a narrow terminal, or without the reason. */
static char *
retry_status (Headless     *h,
              HaulDownload *d,
              guint         columns)
{
  gint64 left_us = haul_download_get_retry_at (d) - g_get_monotonic_time ();
  int secs = (int) MAX ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 0);
  guint n = haul_download_get_retries (d);
  const char *reason = haul_download_get_retry_reason (d) ?: "";
  g_autofree char *waiting = NULL, *brief = NULL, *full = NULL;
  g_autofree char *full_short = NULL, *brief_short = NULL;
  guint used;

  /* Translators: a download waits before its next attempt: "Waiting to
   * retry (2 of 5) in 4 s" */
  waiting = g_strdup_printf (_("Waiting to retry (%u of %u) in %d s"), n, h->max_retries, secs);
  /* Translators: the same, short, for a narrow terminal: "Retry 2 of 5 in 4 s" */
  brief = g_strdup_printf (_("Retry %u of %u in %d s"), n, h->max_retries, secs);
  full = g_strdup_printf ("%s — %s", waiting, reason);
  used = haul_text_columns (waiting) + 3;
  if (columns >= used + 20)
    {
      g_autofree char *why = haul_text_shorten_middle (reason, columns - used);

      full_short = g_strdup_printf ("%s — %s", waiting, why);
    }
  used = haul_text_columns (brief) + 3;
  if (columns >= used + 12)
    {
      g_autofree char *why = haul_text_shorten_middle (reason, columns - used);

      brief_short = g_strdup_printf ("%s — %s", brief, why);
    }
  return fit_first (columns, full, full_short ? full_short : full, brief_short ? brief_short : waiting,
                    waiting, brief, NULL);
}

/* What @d is doing, in at most @columns: one state, with what matters
 * most kept when the terminal is narrow. */
static char *
download_status (Headless     *h,
                 HaulDownload *d,
                 guint         columns)
{
  HaulDownloadState state = haul_download_get_state (d);
  gint64 total = haul_download_get_total (d);
  gdouble speed = haul_download_get_speed (d);
  gint64 eta = haul_download_get_eta (d);
  g_autofree char *progress = NULL, *percent = NULL, *full = NULL;
  g_autofree char *speed_eta = NULL, *pct_eta = NULL;

  if (state == HAUL_DOWNLOAD_STATE_CONNECTING && haul_download_get_retry_at (d) > 0)
    return retry_status (h, d, columns);
  if (state == HAUL_DOWNLOAD_STATE_CONNECTING && haul_download_get_retries (d) > 0)
    {
      /* Translators: a download connects again: "Connecting (retry 2 of 5)" */
      g_autofree char *retrying = g_strdup_printf (_("Connecting (retry %u of %u)"),
                                                   haul_download_get_retries (d), h->max_retries);

      return fit_first (columns, retrying, haul_download_state_to_string (state), NULL);
    }
  if (state != HAUL_DOWNLOAD_STATE_DOWNLOADING)
    return fit_first (columns, haul_download_state_to_string (state), NULL);

  progress = haul_format_progress (haul_download_get_received (d), total, speed, eta);
  if (total <= 0)
    return fit_first (columns, progress, NULL);

  percent = g_strdup_printf ("%3d%%", (int) (haul_download_get_fraction (d) * 100));
  full = g_strdup_printf ("%s  %s", percent, progress);
  if (speed > 0 && eta >= 0)
    {
      g_autofree char *sp = haul_format_speed (speed);
      g_autofree char *left = haul_format_eta (eta);

      speed_eta = g_strdup_printf ("%s  %s — %s", percent, sp, left);
      pct_eta = g_strdup_printf ("%s  %s", percent, left);
    }
  return fit_first (columns, full, speed_eta ? speed_eta : full, pct_eta ? pct_eta : full,
                    percent, NULL);
}

/* "name-shortened…ddle.iso   42%  12 MB of 40 MB — 2 MB/s — 14 seconds left",
 * in at most @columns. */
/* What names @d on its line: its file name, or before the server gave one
 * the last part of its link (control characters shown as "?": a link's
 * %1B must not reach the terminal as an escape), or the link. */
static char *
download_label (HaulDownload *d)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *base = NULL, *name = NULL;

  if (haul_download_get_filename (d) != NULL)
    return g_strdup (haul_download_get_filename (d));
  parsed = g_uri_parse (haul_download_get_uri (d), G_URI_FLAGS_ENCODED, NULL);
  if (parsed != NULL)
    base = g_path_get_basename (g_uri_get_path (parsed));
  if (base != NULL && !g_str_equal (base, "/") && !g_str_equal (base, "."))
    name = g_uri_unescape_string (base, NULL);
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return g_strdup (haul_download_get_uri (d));
  for (char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      memset (p, '?', g_utf8_next_char (p) - p);
  return g_steal_pointer (&name);
}

static char *
download_line (Headless     *h,
               HaulDownload *d,
               guint         name_columns,
               guint         columns)
{
  g_autofree char *label = download_label (d);
  g_autofree char *name = haul_text_shorten_middle (label, name_columns);
  guint pad = name_columns - haul_text_columns (name);
  g_autofree char *status = NULL;

  if (columns < name_columns + 2 + 4)
    return g_steal_pointer (&name);
  status = download_status (h, d, columns - name_columns - 2);
  return g_strdup_printf ("%s%*s  %s", name, (int) pad, "", status);
}

/* The total line: counts, speed and time left of the whole queue, in at
 * most @columns. The time left is the queue's (haul_queue_get_progress())
 * but never less than that of a file shown above it (@longest_eta). */
static char *
total_line (Headless *h,
            guint     n_active,
            guint     n_waiting,
            guint     n_done,
            gint64    longest_eta,
            guint     columns)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (h->queue));
  gdouble speed = haul_queue_get_speed (h->queue);
  gint64 received, total, eta;
  g_autofree char *counts = NULL, *brief = NULL, *sp = haul_format_speed (speed);
  g_autofree char *tail = NULL, *left = NULL;
  g_autofree char *c1 = NULL, *c2 = NULL, *c3 = NULL;

  haul_queue_get_progress (h->queue, &received, &total, &eta);
  counts = g_strdup_printf (_("Total: %u active, %u waiting, %u of %u finished — %s"),
                            n_active, n_waiting, n_done, n, sp);
  if (n_waiting > 0)
    /* Translators: the total line of a narrow terminal: "2 active · 3 waiting · 1/6 done" */
    brief = g_strdup_printf (_("%u active · %u waiting · %u/%u done"), n_active, n_waiting, n_done, n);
  else
    /* Translators: the total line of a narrow terminal: "2 active · 1/6 done" */
    brief = g_strdup_printf (_("%u active · %u/%u done"), n_active, n_done, n);
  if (eta >= 0 && speed > 0)
    left = haul_format_eta (MAX (eta, longest_eta));
  tail = left ? g_strdup_printf ("%s — %s", sp, left) : g_strdup (sp);
  c1 = left ? g_strdup_printf ("%s — %s", counts, left) : g_strdup (counts);
  c2 = g_strdup_printf ("%s — %s", brief, tail);
  c3 = left ? g_strdup_printf ("%s — %s", brief, left) : g_strdup (brief);
  return fit_first (columns, c1, c2, c3, brief, NULL);
}

/* Appends @line, fitted already, to the block being drawn in @out. */
static void
add_line (Headless *h,
          GString  *out,
          char     *line)
{
  guint width = haul_text_columns (line);

  g_string_append (out, line);
  g_string_append (out, "\033[K\n");
  g_array_append_val (h->drawn_widths, width);
  g_free (line);
}

/* Redraws the block over the one drawn last time: a line per active
 * download (as many as the terminal's rows allow) and the total line,
 * each shorter than the terminal is wide, so that none wraps. */
static void
draw_block (Headless *h)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (h->queue));
  guint n_done = 0, n_waiting = 0, n_active = 0, max_shown, name_columns = 1;
  gint64 longest_eta = -1;
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  g_autoptr(GString) out = g_string_new (NULL);

  h->columns = MAX (haul_terminal_columns (STDOUT_FILENO), 2);
  home_block (h, out);
  max_shown = MIN (20, MAX (haul_terminal_rows (STDOUT_FILENO), 4) - 3);

  for (guint i = 0; i < n; i++)
    {
      HaulDownload *d = haul_queue_get_download (h->queue, i);

      if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_QUEUED)
        n_waiting++;
      else if (haul_download_is_finished (d))
        n_done++;
      if (!haul_download_is_active (d))
        continue;
      n_active++;
      longest_eta = MAX (longest_eta, haul_download_get_eta (d));
      if (shown->len < max_shown)
        {
          g_autofree char *label = download_label (d);

          g_ptr_array_add (shown, d);
          name_columns = MAX (name_columns, haul_text_columns (label));
        }
    }

  /* The names as one column: as wide as the widest, up to a third of the
   * line (at 80 columns, the rest holds a whole progress text). */
  name_columns = MIN (name_columns, CLAMP ((h->columns - 1) / 3, 1, 40));
  for (guint i = 0; i < shown->len; i++)
    add_line (h, out, download_line (h, g_ptr_array_index (shown, i), name_columns, h->columns - 1));
  if (n_active > shown->len)
    {
      guint more = n_active - shown->len;
      /* Translators: below the lines of the downloads shown, how many more run */
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "… and %u more",
                                                            "… and %u more", more), more);

      add_line (h, out, haul_text_shorten_end (text, h->columns - 1));
    }

  add_line (h, out, total_line (h, n_active, n_waiting, n_done, longest_eta, h->columns - 1));
  g_string_append (out, "\033[J");
  emit (out->str);
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

      /* Not wrapped at spaces: a path the terminal wrapped copies whole. */
      printf (_("Saved %s (%s)\n"), path ? path : haul_download_get_uri (d), size);
      fflush (stdout);
    }
}

/* One line per outage, not one per download. */
static void
on_hold (HaulQueue  *queue,
         GParamSpec *pspec,
         Headless   *h)
{
  gboolean offline = (haul_queue_get_hold (queue) & HAUL_QUEUE_HOLD_OFFLINE) != 0;

  if (offline && !h->said_offline && !h->quiet)
    {
      clear_block (h);
      printf ("%s\n", _("Waiting for network…"));
      fflush (stdout);
    }
  h->said_offline = offline;
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

/* ------------------------------------------------------------------ */
/* Options */

typedef struct
{
  char      *directory;
  char      *input;
  char      *limit_rate;
  char      *checksum;
  char      *session;
  char      *connections;      /* -x/--connections, as typed */
  char      *per_server;       /* --max-connections-per-server, as typed */
  char     **uris;
  char      *user;             /* --user */
  char      *password;         /* --password: a secret, never printed */
  gboolean   quiet;
  int        jobs;
  int        retries;
  int        timeout;
  int        connect_timeout;
  gint64     rate;             /* --limit-rate, parsed */
  guint      max_connections;  /* -x/--connections, parsed */
  guint      max_per_server;   /* --max-connections-per-server, parsed */
  char     **headers;          /* --header, each "Name: value" */
  char      *referer;
  char      *user_agent;
  char      *load_cookies;
  HaulRequestContext *context; /* built from the four above; NULL: none */
  char      *proxy;            /* --proxy, as typed: may hold a password */
  gboolean   no_proxy;
  HaulProxyUrl *proxy_url;     /* --proxy, parsed */
} HeadlessOptions;

static void
headless_options_clear (HeadlessOptions *o)
{
  g_clear_pointer (&o->directory, g_free);
  g_clear_pointer (&o->input, g_free);
  g_clear_pointer (&o->limit_rate, g_free);
  g_clear_pointer (&o->checksum, g_free);
  g_clear_pointer (&o->session, g_free);
  g_clear_pointer (&o->connections, g_free);
  g_clear_pointer (&o->per_server, g_free);
  g_clear_pointer (&o->uris, g_strfreev);
  g_clear_pointer (&o->user, g_free);
  haul_auth_wipe (&o->password);
  g_clear_pointer (&o->headers, g_strfreev);
  g_clear_pointer (&o->referer, g_free);
  g_clear_pointer (&o->user_agent, g_free);
  g_clear_pointer (&o->load_cookies, g_free);
  g_clear_pointer (&o->context, haul_request_context_unref);
  haul_auth_wipe (&o->proxy);
  g_clear_pointer (&o->proxy_url, haul_proxy_url_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HeadlessOptions, headless_options_clear)

static GOptionContext *
headless_option_context_new (HeadlessOptions *o,
                             gboolean        *headless)
{
  GOptionContext *context;
  const GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, headless,
      N_("Run in the terminal, without a window"), NULL },
    { "directory", 'd', 0, G_OPTION_ARG_FILENAME, &o->directory,
      N_("Save files in DIR (default: the current directory; created if missing)"), N_("DIR") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &o->jobs,
      N_("Download N files at a time, 1 to 32 (default: 4)"), N_("N") },
    { "connections", 'x', 0, G_OPTION_ARG_STRING, &o->connections,
      N_("Fetch each file over up to N connections at once, 1 to 16 (default: 8; "
         "1 fetches it in one stream)"), N_("N") },
    { "max-connections-per-server", 0, 0, G_OPTION_ARG_STRING, &o->per_server,
      N_("Open a further connection to a server only while fewer than N are open "
         "to it, 1 to 16 (default: 8)"), N_("N") },
    { "input-file", 'i', 0, G_OPTION_ARG_FILENAME, &o->input,
      N_("Read links from FILE, or from standard input if FILE is “-”: any whitespace "
         "separates links, “#” starts a comment"), N_("FILE") },
    { "limit-rate", 0, 0, G_OPTION_ARG_STRING, &o->limit_rate,
      N_("Limit the total speed to RATE bytes per second; k, M and G multiply by "
         "1000, Ki, Mi and Gi by 1024 (default: no limit)"), N_("RATE") },
    { "checksum", 0, 0, G_OPTION_ARG_STRING, &o->checksum,
      N_("Verify the single download against ALGO:HEX (sha256, sha512, sha1 or md5) "
         "before keeping it"), N_("ALGO:HEX") },
    { "retries", 0, 0, G_OPTION_ARG_INT, &o->retries,
      N_("Retry a download up to N times after a network or server error (default: 5)"), N_("N") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout,
      N_("Retry when no data arrived for SECONDS (default: 60)"), N_("SECONDS") },
    { "connect-timeout", 0, 0, G_OPTION_ARG_INT, &o->connect_timeout,
      N_("Retry when no answer came within SECONDS (default: 30)"), N_("SECONDS") },
    { "session", 0, 0, G_OPTION_ARG_FILENAME, &o->session,
      N_("Remember the downloads in FILE (a database, created if missing): running the "
         "same command again after Ctrl-C, a crash or a reboot resumes them; without it "
         "nothing is remembered"), N_("FILE") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &o->user,
      N_("Sign in to the servers as USER when they ask (HTTP Basic or Digest); without "
         "it, the user and password come from ~/.netrc"), N_("USER") },
    { "password", 0, 0, G_OPTION_ARG_STRING, &o->password,
      N_("The password for --user (other users can see a command line: ~/.netrc, "
         "readable only by you, is safer)"), N_("PASSWORD") },
    { "header", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->headers,
      N_("Send the header “Name: value” with every request of every download; may be "
         "given more than once"), N_("HEADER") },
    { "referer", 0, 0, G_OPTION_ARG_STRING, &o->referer,
      N_("Send URL as the referring page"), N_("URL") },
    { "user-agent", 0, 0, G_OPTION_ARG_STRING, &o->user_agent,
      N_("Introduce Haul to servers as AGENT (a browser's, for a site that wants one)"), N_("AGENT") },
    { "load-cookies", 0, 0, G_OPTION_ARG_FILENAME, &o->load_cookies,
      N_("Send the cookies of FILE (the cookies.txt format of curl, wget and browser "
         "add-ons), each only to its own site; they are kept with their download in "
         "the session until it is removed"), N_("FILE") },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &o->proxy,
      N_("Connect through the proxy URL: http://HOST:PORT (https links through CONNECT), "
         "https://HOST:PORT (the proxy spoken to over TLS), socks5://HOST:PORT or "
         "socks5h://HOST:PORT (the proxy looks up the names); USER:PASSWORD@ may come "
         "before HOST (default: the system's proxy settings)"), N_("URL") },
    { "no-proxy", 0, 0, G_OPTION_ARG_NONE, &o->no_proxy,
      N_("Connect directly, whatever the system's proxy settings and http_proxy say"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
      N_("Print only errors"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->uris, NULL, N_("[URL…]") },
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
  return context;
}

/* Whether the command line asks for help (before any "--"). */
static gboolean
wants_help (int    argc,
            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_strcmp0 (argv[i], "--") == 0)
        return FALSE;
      if (g_strcmp0 (argv[i], "-h") == 0 || g_strcmp0 (argv[i], "--help") == 0 ||
          g_strcmp0 (argv[i], "-?") == 0 || g_strcmp0 (argv[i], "--help-all") == 0)
        return TRUE;
    }
  return FALSE;
}

/* GOption's help, wrapped at spaces to the terminal (GOption would print
 * each description on one line, which the terminal breaks inside words). */
static int
print_help (void)
{
  g_auto(HeadlessOptions) o = { 0 };
  gboolean headless = FALSE;
  g_autoptr(GOptionContext) context = headless_option_context_new (&o, &headless);
  g_autofree char *help = NULL;

  if (g_get_prgname () == NULL)
    g_set_prgname ("haul");
  help = g_option_context_get_help (context, TRUE, NULL);
  haul_terminal_print_help (help);
  return HAUL_EXIT_OK;
}

/* GOption takes "-j 16" but not "-j16", which curl, wget and aria2c
 * users type: a copy of @argv with a value glued to a short option that
 * takes one split off. */
static GPtrArray *
split_glued_values (int    argc,
                    char **argv)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; i < argc; i++)
    {
      if (g_strcmp0 (argv[i], "--") == 0)
        {
          for (; i < argc; i++)
            g_ptr_array_add (args, g_strdup (argv[i]));
          break;
        }
      if (argv[i][0] == '-' && strchr ("djix", argv[i][1]) != NULL && argv[i][1] != '\0' &&
          argv[i][2] != '\0')
        {
          g_ptr_array_add (args, g_strndup (argv[i], 2));
          g_ptr_array_add (args, g_strdup (argv[i] + 2));
        }
      else
        g_ptr_array_add (args, g_strdup (argv[i]));
    }
  return args;
}

/* @text as a number of connections into @value (left as it is when
 * @text is NULL); FALSE after a usage error naming @option was printed. */
static gboolean
parse_connections (const char *option,
                   const char *text,
                   guint      *value)
{
  guint64 n;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, HAUL_MAX_CONNECTIONS, &n, NULL))
    {
      /* Translators: the first %s is an option (“-x/--connections”),
       * the last what was typed after it. */
      usage_error (_("%s must be a whole number between 1 and %d, not “%s”"),
                   option, HAUL_MAX_CONNECTIONS, text);
      return FALSE;
    }
  *value = (guint) n;
  return TRUE;
}

/* --header, --referer, --user-agent and --load-cookies into one context;
 * a bad value is a usage error naming its option (never the value: it
 * may be a secret). */
static gboolean
build_context (HeadlessOptions *o)
{
  g_autoptr(HaulRequestContext) ctx = haul_request_context_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; o->headers != NULL && o->headers[i] != NULL; i++)
    if (!haul_request_context_add_header_line (ctx, o->headers[i], &error))
      {
        usage_error ("--header: %s", error->message);
        return FALSE;
      }
  if (o->referer != NULL && !haul_request_context_set_referrer (ctx, o->referer, &error))
    {
      usage_error ("--referer: %s", error->message);
      return FALSE;
    }
  if (o->user_agent != NULL && !haul_request_context_set_user_agent (ctx, o->user_agent, &error))
    {
      usage_error ("--user-agent: %s", error->message);
      return FALSE;
    }
  if (o->load_cookies != NULL && !haul_request_context_load_cookies_file (ctx, o->load_cookies, &error))
    {
      usage_error ("--load-cookies: %s", error->message);
      return FALSE;
    }
  if (!haul_request_context_is_empty (ctx))
    o->context = g_steal_pointer (&ctx);
  return TRUE;
}

/* The values out of range, each with its own message. */
static gboolean
check_options (HeadlessOptions *o)
{
  g_autoptr(GError) error = NULL;

  if (!parse_connections ("-x/--connections", o->connections, &o->max_connections) ||
      !parse_connections ("--max-connections-per-server", o->per_server, &o->max_per_server))
    return FALSE;

  if (o->jobs < 1 || o->jobs > HAUL_MAX_CONCURRENCY)
    {
      usage_error (_("-j/--jobs must be between 1 and %d, not %d"), HAUL_MAX_CONCURRENCY, o->jobs);
      return FALSE;
    }
  if (o->retries < 0 || o->retries > 100)
    {
      usage_error (_("--retries must be between 0 and 100, not %d"), o->retries);
      return FALSE;
    }
  if (o->timeout < 1 || o->timeout > 3600 || o->connect_timeout < 1 || o->connect_timeout > 3600)
    {
      usage_error (_("--timeout and --connect-timeout must be between 1 and 3600 seconds"));
      return FALSE;
    }
  if (o->limit_rate != NULL && !haul_parse_rate (o->limit_rate, &o->rate))
    {
      usage_error (_("--limit-rate: “%s” is not a rate (try 500k or 2M)"), o->limit_rate);
      return FALSE;
    }
  if ((o->user == NULL) != (o->password == NULL))
    {
      usage_error (_("--user and --password go together"));
      return FALSE;
    }
  if (o->checksum != NULL && !haul_checksum_parse (o->checksum, NULL, NULL, &error))
    {
      usage_error ("--checksum: %s", error->message);
      return FALSE;
    }
  if (o->proxy != NULL && o->no_proxy)
    {
      usage_error (_("--proxy and --no-proxy cannot go together"));
      return FALSE;
    }
  if (o->proxy != NULL && (o->proxy_url = haul_proxy_url_parse ("--proxy", o->proxy, &error)) == NULL)
    {
      usage_error ("%s", error->message);
      return FALSE;
    }
  return build_context (o);
}

/* Fills @o from the command line; FALSE after a usage error was printed. */
static gboolean
parse_options (HeadlessOptions  *o,
               int               argc,
               char            **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) args = split_glued_values (argc, argv);
  g_autofree char **shallow = NULL;
  g_autoptr(GError) error = NULL;
  gboolean headless = FALSE;

  o->jobs = HAUL_QUEUE_DEFAULT_MAX_ACTIVE;
  o->retries = 5;
  o->timeout = 60;
  o->connect_timeout = 30;
  o->max_connections = HAUL_DEFAULT_CONNECTIONS;
  o->max_per_server = HAUL_DEFAULT_CONNECTIONS;
  context = headless_option_context_new (o, &headless);

  /* GOption rearranges the array it parses: give it a shallow copy and
   * keep the strings owned by @args. */
  argc = args->len;
  shallow = g_new0 (char *, args->len + 1);
  memcpy (shallow, args->pdata, args->len * sizeof (char *));
  argv = shallow;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      usage_error ("%s", error->message);
      return FALSE;
    }
  return check_options (o);
}

/* Makes the folder and resolves it, while the working directory is known. */
static gboolean
resolve_directory (HeadlessOptions *o)
{
  g_autoptr(GFile) dir = NULL;

  if (o->directory == NULL)
    o->directory = g_get_current_dir ();
  if (g_mkdir_with_parents (o->directory, 0755) != 0)
    {
      int errsv = errno;

      usage_error (_("-d: cannot create the folder “%s”: %s"), o->directory, g_strerror (errsv));
      return FALSE;
    }
  dir = g_file_new_for_commandline_arg (o->directory);
  g_free (o->directory);
  o->directory = g_file_get_path (dir);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Links */

static void
report_rejections (const HeadlessOptions *o,
                   HaulUriList           *list)
{
  const GPtrArray *rejections = haul_uri_list_get_rejections (list);

  for (guint i = 0; i < rejections->len; i++)
    {
      const HaulUriListRejection *r = g_ptr_array_index (rejections, i);

      g_printerr (_("haul: %s:%u: skipped “%s”: %s\n"), o->input ? o->input : "-", r->line, r->text, r->reason);
    }
  if (haul_uri_list_get_n_rejected (list) > rejections->len)
    {
      guint more = haul_uri_list_get_n_rejected (list) - rejections->len;

      g_printerr (g_dngettext (GETTEXT_PACKAGE, "haul: … and %u more entry that is not a valid link\n",
                               "haul: … and %u more entries that are not valid links\n", more),
                  more);
    }
  if (haul_uri_list_is_full (list))
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "haul: only the first %u link was read: haul takes at most that many at a time\n",
                             "haul: only the first %u links were read: haul takes at most that many at a time\n",
                             HAUL_URI_LIST_MAX_URIS),
                HAUL_URI_LIST_MAX_URIS);
}

/* The links of the command line, then those of --input-file, with the
 * rejected ones reported; NULL after a usage error was printed. */
static HaulUriList *
gather_links (const HeadlessOptions *o)
{
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; o->uris != NULL && o->uris[i] != NULL; i++)
    {
      g_autofree char *normalized = haul_uri_normalize (o->uris[i], &error);

      if (normalized == NULL)
        {
          usage_error (_("“%s” is not a download link: %s"), o->uris[i], error->message);
          return NULL;
        }
      if (!haul_uri_list_feed (list, normalized, strlen (normalized), NULL) ||
          !haul_uri_list_feed (list, "\n", 1, NULL))
        g_assert_not_reached ();
    }

  if (o->input != NULL && !read_list (o->input, list, &error))
    {
      usage_error (_("cannot read links from “%s”: %s"), o->input, error->message);
      return NULL;
    }
  haul_uri_list_finish (list);
  report_rejections (o, list);
  return g_steal_pointer (&list);
}

/* Entries that were not links, and those past the limit, make the run fail. */
static guint
count_rejected (HaulUriList *list)
{
  return haul_uri_list_get_n_rejected (list) + (haul_uri_list_is_full (list) ? 1 : 0);
}

/* ------------------------------------------------------------------ */
/* The run */

/* Everything the run's handlers point at; cleared (handlers and sources
 * removed) however the run ends. */
static void
headless_clear (Headless *h)
{
  g_clear_handle_id (&h->sigint_source, g_source_remove);
  g_clear_handle_id (&h->sigterm_source, g_source_remove);
  g_clear_handle_id (&h->redraw_source, g_source_remove);
  g_clear_handle_id (&h->resize_source, g_source_remove);
  g_clear_pointer (&h->drawn_widths, g_array_unref);
  if (h->queue != NULL)
    g_signal_handlers_disconnect_by_data (h->queue, h);
  g_clear_object (&h->policy);
  g_clear_object (&h->queue);
  g_clear_pointer (&h->loop, g_main_loop_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Headless, headless_clear)

static void
headless_start (Headless              *h,
                const HeadlessOptions *o,
                guint                  n_rejected)
{
  h->loop = g_main_loop_new (NULL, FALSE);
  h->queue = g_object_new (HAUL_TYPE_QUEUE,
                           "max-active", (guint) o->jobs,
                           "rate-limit", o->rate,
                           "max-retries", (guint) o->retries,
                           "stall-timeout", (guint) o->timeout,
                           "connect-timeout", (guint) o->connect_timeout,
                           NULL);
  haul_queue_set_max_connections (h->queue, o->max_connections);
  haul_queue_set_max_connections_per_server (h->queue, o->max_per_server);
  h->quiet = o->quiet;
  h->tty = !o->quiet && isatty (STDOUT_FILENO);
  h->drawn_widths = g_array_new (FALSE, FALSE, sizeof (guint));
  h->max_retries = (guint) o->retries;
  h->started_us = g_get_monotonic_time ();
  h->n_rejected = n_rejected;

  g_signal_connect (h->queue, "download-finished", G_CALLBACK (on_download_finished), h);
  g_signal_connect (h->queue, "idle", G_CALLBACK (on_idle), h);
  g_signal_connect (h->queue, "notify::hold", G_CALLBACK (on_hold), h);
  /* A terminal run does not pause on metered connections. */
  h->policy = haul_network_policy_new (h->queue, NULL, NULL);
  haul_network_policy_set_pause_on_metered (h->policy, FALSE);
  on_hold (h->queue, NULL, h);
  h->sigint_source = g_unix_signal_add (SIGINT, on_signal, h);
  h->sigterm_source = g_unix_signal_add (SIGTERM, on_signal, h);
}

static void
add_links (Headless              *h,
           const HeadlessOptions *o,
           HaulUriList           *list,
           GPtrArray             *accepted)
{
  guint n_dups = 0;

  if (o->checksum != NULL)
    {
      /* Checked before: only a duplicate (already in the session) fails. */
      if (haul_queue_add_full (h->queue, g_ptr_array_index (accepted, 0), o->directory,
                               o->checksum, o->context, NULL) == NULL)
        n_dups++;
    }
  else
    haul_queue_add_uris_with_context (h->queue, accepted, o->directory, o->context, &n_dups);
  n_dups += haul_uri_list_get_n_duplicates (list);
  if (n_dups > 0 && !o->quiet)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "haul: skipped %u duplicate link\n",
                             "haul: skipped %u duplicate links\n", n_dups), n_dups);
}

static void
close_session (Headless  *h,
               HaulStore *store)
{
  g_autoptr(GError) flush_error = NULL;

  haul_queue_save_now (h->queue);
  if (!wait_flush (store, &flush_error))
    g_printerr (_("haul: could not save the session: %s\n"), flush_error->message);
  haul_queue_set_store (h->queue, NULL);
  haul_store_close (store);
}

/* Prints @text as a line of its own, wrapped at spaces on a terminal. */
static void
print_paragraph (Headless   *h,
                 const char *text)
{
  guint columns = h->tty ? haul_terminal_columns (STDOUT_FILENO) : 0;
  g_autofree char *wrapped = columns > 1 ? haul_text_wrap (text, columns - 1, 0) : g_strdup (text);

  printf ("%s\n", wrapped);
}

/* After Ctrl-C: what stopped and what of it is kept for the next run. */
static char *
describe_stopped (Headless *h)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (h->queue));
  guint n_stopped = 0, n_kept = 0;
  gint64 kept = 0;
  g_autofree char *size = NULL, *stopped = NULL, *kept_text = NULL;

  for (guint i = 0; i < n; i++)
    {
      HaulDownload *d = haul_queue_get_download (h->queue, i);

      if (haul_download_is_finished (d))
        continue;
      n_stopped++;
      if (haul_download_get_received (d) > 0)
        {
          n_kept++;
          kept += haul_download_get_received (d);
        }
    }
  stopped = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u download stopped",
                                          "%u downloads stopped", n_stopped), n_stopped);
  if (n_kept == 0)
    /* Translators: "3 downloads stopped before any data arrived." */
    return g_strdup_printf (_("%s before any data arrived."), stopped);
  size = haul_format_size (kept);
  /* Translators: "3.2 MB kept in 3 .part files" */
  kept_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s kept in %u .part file",
                                            "%s kept in %u .part files", n_kept), size, n_kept);
  /* Translators: after Ctrl-C: "3 downloads stopped: 3.2 MB kept in 3 .part
   * files; run the same command again to resume." */
  return g_strdup_printf (_("%s: %s; run the same command again to resume."), stopped, kept_text);
}

static void
print_summary (Headless *h)
{
  gdouble secs = (g_get_monotonic_time () - h->started_us) / (gdouble) G_USEC_PER_SEC;
  g_autofree char *size = haul_format_size (h->bytes_completed);
  g_autofree char *speed = haul_format_speed (secs > 0 ? h->bytes_completed / secs : 0);
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_printf (line, g_dngettext (GETTEXT_PACKAGE,
                                      "Downloaded %u file (%s) in %.1f s (%s)",
                                      "Downloaded %u files (%s) in %.1f s (%s)", h->n_completed),
                   h->n_completed, size, secs, speed);
  if (h->n_failed > 0)
    g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "; %u failed", "; %u failed", h->n_failed),
                            h->n_failed);
  g_string_append_c (line, '.');
  print_paragraph (h, line->str);
  if (h->interrupted)
    {
      g_autofree char *stopped = describe_stopped (h);

      print_paragraph (h, stopped);
    }
  fflush (stdout);
}

static int
exit_status (const Headless *h)
{
  if (h->interrupted)
    return HAUL_EXIT_INTERRUPTED;
  if (h->n_failed > 0 || h->n_rejected > 0)
    return HAUL_EXIT_FAILED;
  return HAUL_EXIT_OK;
}

/* --proxy or --no-proxy; without either, GLib's default resolver. */
static void
apply_proxy (const HeadlessOptions *o,
             HaulQueue             *queue)
{
  g_autoptr(GProxyResolver) resolver = NULL;

  if (o->no_proxy)
    resolver = haul_proxy_resolver_new_none ();
  else if (o->proxy_url != NULL)
    {
      resolver = haul_proxy_resolver_new_for_url (o->proxy_url);
      if (g_strcmp0 (o->proxy_url->scheme, "socks5") != 0)
        haul_queue_set_proxy_credentials (queue, o->proxy_url->user, o->proxy_url->password);
    }
  if (resolver != NULL)
    haul_queue_set_proxy_resolver (queue, resolver);
}

/* Downloads @accepted (and what @o's session remembers) until every
 * download has finished or a signal stopped them. */
static int
run_downloads (const HeadlessOptions *o,
               HaulUriList           *list,
               GPtrArray             *accepted)
{
  g_auto(Headless) h = { 0 };
  g_autoptr(HaulStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulHeadlessAuth) auth = haul_headless_auth_new (o->user, o->password);

  headless_start (&h, o, count_rejected (list));
  haul_headless_auth_watch (auth, h.queue);
  apply_proxy (o, h.queue);

  if (o->session != NULL)
    {
      store = open_session (o->session, h.queue, &error);
      if (store == NULL)
        {
          usage_error (_("--session: %s"), error->message);
          return HAUL_EXIT_USAGE;
        }
      if (accepted->len == 0 && g_list_model_get_n_items (G_LIST_MODEL (h.queue)) == 0)
        {
          usage_error (_("no links to download: give URLs or -i FILE"));
          return HAUL_EXIT_USAGE;
        }
    }

  add_links (&h, o, list, accepted);

  if (h.tty)
    {
      h.redraw_source = g_timeout_add (REDRAW_MS, redraw_cb, &h);
      h.resize_source = g_unix_signal_add (SIGWINCH, redraw_cb, &h);
    }
  if (!haul_queue_is_idle (h.queue))
    g_main_loop_run (h.loop);
  g_clear_handle_id (&h.redraw_source, g_source_remove);
  g_clear_handle_id (&h.resize_source, g_source_remove);
  clear_block (&h);
  if (!h.interrupted)
    h.n_failed += haul_headless_auth_report (auth, h.queue);

  if (store != NULL)
    close_session (&h, store);
  if (!o->quiet)
    print_summary (&h);
  return exit_status (&h);
}

int
haul_headless_run (int    argc,
                   char **argv)
{
  g_auto(HeadlessOptions) o = { 0 };
  g_autoptr(HaulUriList) list = NULL;
  g_autoptr(GPtrArray) accepted = NULL;

  if (wants_help (argc, argv))
    return print_help ();
  if (!parse_options (&o, argc, argv))
    return HAUL_EXIT_USAGE;

  list = gather_links (&o);
  if (list == NULL)
    return HAUL_EXIT_USAGE;

  accepted = haul_uri_list_steal_uris (list);
  if (accepted->len == 0 && o.session == NULL)
    {
      if (count_rejected (list) > 0)
        return HAUL_EXIT_FAILED;
      usage_error (_("no links to download: give URLs or -i FILE"));
      return HAUL_EXIT_USAGE;
    }
  if (o.checksum != NULL && accepted->len != 1)
    {
      usage_error (_("--checksum needs exactly one link, not %u"), accepted->len);
      return HAUL_EXIT_USAGE;
    }
  if (!resolve_directory (&o))
    return HAUL_EXIT_USAGE;

  return run_downloads (&o, list, accepted);
}

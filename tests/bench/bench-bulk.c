/* bench-bulk.c — one bulk action on a long list, in the real window
 *
 * `bench-bulk -a ACTION [-n 10000] [--cap 120]` runs the real
 * HaulApplication (the `haul` GUI, linked in) with its real window and a
 * real store (SQLite under $XDG_DATA_HOME: run it with a throwaway one).
 * Once the window has painted and settled, it fills the queue with N
 * downloads (haul_queue_restore(), in the state the action needs, links to
 * 127.0.0.1:9 so that nothing is ever fetched), lets the window settle
 * again, then does ACTION as a person would (the window's action, the
 * list's "select all", the toast's Undo button, the state drop-down, the
 * search entry) and measures until what the action asked for is true
 * (the condition below) and 300 ms more:
 *
 *   - total: from the action to its condition being true;
 *   - the longest main-loop iteration: the time between two polls of the
 *     main context (measured by a poll function around GLib's own, so
 *     every dispatch is counted, whichever source it belongs to), and how
 *     many iterations took more than 16.7 ms and 50 ms.
 *
 * An action that keeps one iteration busy for longer than --cap seconds is
 * reported as "> CAP s" by a watchdog thread, which then ends the process.
 *
 * Actions and their conditions:
 *   select-all       list.select-all on N paused rows; the bar says "N selected"
 *   remove-selected  all N paused rows selected, win.remove-selected; the list is empty
 *   pause-selected   all N queued rows selected, win.pause-selected; none can pause
 *   resume-selected  all N paused, win.resume-selected; none paused
 *   cancel-selected  all N paused, win.cancel-selected; all cancelled
 *   retry-selected   all N failed, win.retry-selected; none failed
 *   pause-all        N queued, win.pause-all; none can pause
 *   resume-all       N paused, win.resume-all; none paused
 *   clear-finished   N completed, win.clear-finished; the list is empty
 *   undo-remove      N paused removed (selected, win.remove-selected; not
 *                    timed), then the toast's Undo; N rows again
 *   undo-add         N links dropped (not timed), then the toast's Undo;
 *                    the list is empty
 *   filter           N/2 completed and N/2 paused, the state drop-down set
 *                    to "Finished"; N/2 shown
 *   search           N paused, "file-0001" typed in the search entry
 *                    (after GtkSearchEntry's own 150 ms delay); the matching
 *                    rows shown
 *
 * The queue's holds (issue 18; "the rows say why" means: every mapped row
 * of a queued download shows what haul_wait_text_reason() says for it):
 *   offline          N queued, haul_queue_set_offline (TRUE) as the network
 *                    policy would; the hold bar revealed, the rows say
 *                    "Waiting for network"
 *   online           N queued while offline (not timed), then
 *                    haul_queue_set_offline (FALSE); max-active downloads
 *                    have started (the retry reset walks the list once)
 *   metered-hold     N queued, max-active of them running (links to a
 *                    local server that accepts and never answers, so that
 *                    they stay connected), haul_queue_set_metered_hold
 *                    (TRUE); none running, the bar with Download Anyway
 *                    revealed, the rows say "Paused on a metered connection"
 *   metered          the same, held (not timed), then the bar's Download
 *                    Anyway clicked; max-active downloads have started
 *   schedule         N queued, haul_queue_set_schedule() with hours that
 *                    exclude now (the real clock: from 2 h to 3 h ahead);
 *                    the bar revealed, the rows say when they start
 *   unschedule       N queued under those hours (not timed), then
 *                    haul_queue_set_schedule (NULL); max-active downloads
 *                    have started
 *
 * Prints one tab-separated line: action, N, total ms, longest iteration
 * ms, iterations over 16.7 ms, over 50 ms, iterations. Needs a display:
 * run-bulk.sh runs it under Xvfb with GSK_RENDERER=cairo.
 *
 * Not a test: built with the project, run by hand (see README.md here).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "haul-application.h"
#include "haul-download-row.h"
#include "haul-status-lines.h"
#include "haul-store.h"
#include "haul-wait-text.h"
#include "haul-window-private.h"

typedef struct Bench Bench;
typedef gboolean (*DoneFunc) (Bench *b);

struct Bench
{
  HaulApplication *app;
  HaulWindow      *window;
  HaulQueue       *queue;
  const char      *action;
  guint            n;
  guint            cap_s;
  DoneFunc         done_func;
  guint            expected;

  GPollFunc        poll;
  gint64           last_poll_return;
  gint64           t_action;      /* 0 until the action */
  gint64           t_done;
  gint64           longest;
  guint            n_iterations;
  guint            n_over_16;
  guint            n_over_50;
  gint64           top[5];        /* the longest iterations */
  gint64           top_at[5];     /* when they ended, from the action */
  gboolean         reported;

  gboolean         started;       /* max-active running again, after the action */
  guint16          silent_port;   /* metered: the server that never answers */
  GPtrArray       *silent_conns;
};

static Bench bench;

static double
ms (gint64 us)
{
  return us / 1000.0;
}

/* ------------------------------------------------------------------ */
/* Measuring main-loop iterations */

static gint
poll_cb (GPollFD *fds,
         guint    nfds,
         gint     timeout)
{
  Bench *b = &bench;
  gint64 now = g_get_monotonic_time ();
  gint ret;

  if (b->t_action != 0 && b->last_poll_return != 0 && !b->reported)
    {
      gint64 busy = now - b->last_poll_return;

      b->n_iterations++;
      b->longest = MAX (b->longest, busy);
      for (guint i = 0; i < G_N_ELEMENTS (b->top); i++)
        if (busy > b->top[i])
          {
            memmove (&b->top[i + 1], &b->top[i], (G_N_ELEMENTS (b->top) - i - 1) * sizeof (gint64));
            memmove (&b->top_at[i + 1], &b->top_at[i], (G_N_ELEMENTS (b->top) - i - 1) * sizeof (gint64));
            b->top[i] = busy;
            b->top_at[i] = now - b->t_action;
            break;
          }
      if (busy > 16700)
        b->n_over_16++;
      if (busy > 50000)
        b->n_over_50++;
      /* Checked here, outside the measured time. */
      if (b->t_done == 0 && b->done_func (b))
        b->t_done = now;
    }
  ret = b->poll (fds, nfds, timeout);
  b->last_poll_return = g_get_monotonic_time ();
  return ret;
}

static gpointer
watchdog_thread (gpointer data)
{
  Bench *b = data;

  g_usleep ((gulong) b->cap_s * G_USEC_PER_SEC);
  printf ("%s\t%u\t> %u s (never done)\t\t\t\t\n", b->action, b->n, b->cap_s);
  fflush (stdout);
  _exit (3);
  return NULL;
}

static gboolean
report_cb (gpointer data)
{
  Bench *b = data;

  if (b->t_done == 0 || g_get_monotonic_time () - b->t_done < 300000)
    return G_SOURCE_CONTINUE;
  b->reported = TRUE;
  printf ("%s\t%u\t%.0f\t%.1f\t%u\t%u\t%u\n", b->action, b->n, ms (b->t_done - b->t_action),
          ms (b->longest), b->n_over_16, b->n_over_50, b->n_iterations);
  fflush (stdout);
  /* Where the time went: the longest iterations, when they ended. */
  g_printerr ("%s %u: longest iterations", b->action, b->n);
  for (guint i = 0; i < G_N_ELEMENTS (b->top) && b->top[i] > 0; i++)
    g_printerr (" %.1f ms (ending +%.0f ms)", ms (b->top[i]), ms (b->top_at[i]));
  g_printerr ("\n");
  g_application_quit (G_APPLICATION (b->app));
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Conditions */

static guint
count_where (Bench *b,
             gboolean (*pred) (HaulDownload *))
{
  guint n = 0, len = g_list_model_get_n_items (G_LIST_MODEL (b->queue));

  for (guint i = 0; i < len; i++)
    if (pred (haul_queue_get_download (b->queue, i)))
      n++;
  return n;
}

static gboolean
is_paused (HaulDownload *d)
{
  return haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_PAUSED;
}

static gboolean
is_failed (HaulDownload *d)
{
  return haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_FAILED;
}

static gboolean
is_cancelled (HaulDownload *d)
{
  return haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_CANCELLED;
}

static gboolean
done_selected (Bench *b)
{
  g_autofree char *text = g_strdup_printf ("%u selected", b->n);

  return gtk_revealer_get_reveal_child (b->window->selection_revealer) &&
         g_strcmp0 (gtk_label_get_label (b->window->selection_label), text) == 0;
}

static gboolean
done_empty (Bench *b)
{
  return g_list_model_get_n_items (G_LIST_MODEL (b->queue)) == 0 &&
         g_list_model_get_n_items (G_LIST_MODEL (b->window->shown)) == 0;
}

static gboolean
done_none_can_pause (Bench *b)
{
  return count_where (b, haul_download_can_pause) == 0;
}

static gboolean
done_none_paused (Bench *b)
{
  return count_where (b, is_paused) == 0;
}

static gboolean
done_all_cancelled (Bench *b)
{
  return count_where (b, is_cancelled) == b->n;
}

static gboolean
done_none_failed (Bench *b)
{
  return count_where (b, is_failed) == 0;
}

static gboolean
done_all_back (Bench *b)
{
  return g_list_model_get_n_items (G_LIST_MODEL (b->queue)) == b->n &&
         g_list_model_get_n_items (G_LIST_MODEL (b->window->shown)) == b->n;
}

/* The queue's holds: the bar and the rows. */

static gboolean
status_says (GtkWidget  *widget,
             const char *text)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (HAUL_IS_STATUS_LINES (c))
        {
          GtkWidget *first = gtk_widget_get_first_child (c);

          return GTK_IS_INSCRIPTION (first) &&
                 g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (first)), text) == 0;
        }
      if (status_says (c, text))
        return TRUE;
    }
  return FALSE;
}

/* Mapped rows of queued downloads that say why they wait, or -1 if one
 * does not. */
static int
rows_say_why (Bench     *b,
              GtkWidget *widget)
{
  int n = 0;

  if (HAUL_IS_DOWNLOAD_ROW (widget))
    {
      HaulDownload *d = haul_download_row_get_download (HAUL_DOWNLOAD_ROW (widget));
      HaulDownloadWait wait;
      g_autoptr(GDateTime) until = NULL;
      g_autoptr(GDateTime) now = NULL;
      g_autofree char *text = NULL;

      if (d == NULL || !gtk_widget_get_mapped (widget) ||
          haul_download_get_state (d) != HAUL_DOWNLOAD_STATE_QUEUED)
        return 0;
      wait = haul_queue_get_wait_reason (b->queue, d);
      if (wait == HAUL_DOWNLOAD_WAIT_NONE)
        return -1;
      until = haul_queue_dup_wait_until (b->queue, d);
      now = haul_clock_now (haul_queue_get_clock (b->queue));
      text = haul_wait_text_reason (wait, until, now);
      return status_says (widget, text) ? 1 : -1;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      int k = rows_say_why (b, c);

      if (k < 0)
        return -1;
      n += k;
    }
  return n;
}

static gboolean
done_held (Bench *b)
{
  gboolean metered = g_str_equal (b->action, "metered-hold");

  return gtk_revealer_get_reveal_child (b->window->hold_revealer) &&
         gtk_widget_get_visible (b->window->hold_button) == metered &&
         (!metered || haul_queue_get_n_active (b->queue) == 0) &&
         rows_say_why (b, GTK_WIDGET (b->window->list_view)) > 0;
}

static gboolean
done_started (Bench *b)
{
  return b->started;
}

static gboolean
done_shown (Bench *b)
{
  return gtk_filter_list_model_get_pending (b->window->filtered) == 0 &&
         !haul_reveal_model_get_revealing (b->window->shown) &&
         g_list_model_get_n_items (G_LIST_MODEL (b->window->shown)) == b->expected;
}

/* ------------------------------------------------------------------ */
/* Setting up */

static void
fill (Bench            *b,
      HaulDownloadState (*state_of) (guint i))
{
  g_autofree char *host = b->silent_port != 0 ? g_strdup_printf ("127.0.0.1:%u", b->silent_port)
                                              : g_strdup ("127.0.0.1:9");
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) haul_store_record_free);
  const char *folder = g_get_tmp_dir ();

  for (guint i = 0; i < b->n; i++)
    {
      HaulStoreRecord *r = haul_store_record_new ();

      r->id = i + 1;
      r->uri = g_strdup_printf ("http://%s/bulk/file-%06u.bin", host, i);
      r->directory = g_strdup (folder);
      r->state = state_of (i);
      r->position = i;
      if (r->state == HAUL_DOWNLOAD_STATE_COMPLETED)
        {
          r->filename = g_strdup_printf ("file-%06u.bin", i);
          r->total = r->received = 1000;
        }
      if (r->state == HAUL_DOWNLOAD_STATE_FAILED)
        r->error = g_strdup ("The server “127.0.0.1” refused the connection");
      g_ptr_array_add (records, r);
    }
  haul_queue_restore (b->queue, records, TRUE);
}

static HaulDownloadState state_paused (guint i) { return HAUL_DOWNLOAD_STATE_PAUSED; }
static HaulDownloadState state_queued (guint i) { return HAUL_DOWNLOAD_STATE_QUEUED; }
static HaulDownloadState state_failed (guint i) { return HAUL_DOWNLOAD_STATE_FAILED; }
static HaulDownloadState state_completed (guint i) { return HAUL_DOWNLOAD_STATE_COMPLETED; }
static HaulDownloadState
state_half (guint i)
{
  return i % 2 ? HAUL_DOWNLOAD_STATE_COMPLETED : HAUL_DOWNLOAD_STATE_PAUSED;
}

/* Hours that exclude now: from 2 h to 3 h ahead, every day. */
static HaulSchedule *
schedule_not_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  guint minute = (guint) (g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now));

  return haul_schedule_new (HAUL_SCHEDULE_ALL_DAYS, (minute + 120) % HAUL_SCHEDULE_MINUTES_PER_DAY,
                            (minute + 180) % HAUL_SCHEDULE_MINUTES_PER_DAY);
}

/* After the action: max-active downloads have started. */
static void
n_active_cb (HaulQueue  *queue,
             GParamSpec *pspec,
             Bench      *b)
{
  if (b->t_action != 0 && haul_queue_get_n_active (queue) >= haul_queue_get_max_active (queue))
    b->started = TRUE;
}

/* metered: a server that accepts and never answers, in a thread of its
 * own, so that the downloads it takes stay running. */
static gpointer
silent_thread (gpointer data)
{
  GSocket *listener = data;

  for (;;)
    {
      GSocket *conn = g_socket_accept (listener, NULL, NULL);

      if (conn == NULL)
        break;
      g_ptr_array_add (bench.silent_conns, conn); /* kept open, only this thread adds */
    }
  return NULL;
}

static void
silent_server_start (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GSocket *listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  if (listener == NULL || !g_socket_bind (listener, any, TRUE, &error) || !g_socket_listen (listener, &error) ||
      (bound = g_socket_get_local_address (listener, &error)) == NULL)
    g_error ("silent server: %s", error->message);
  b->silent_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  b->silent_conns = g_ptr_array_new ();
  g_thread_unref (g_thread_new ("bench-silent", silent_thread, listener));
}

static void
select_all (Bench *b)
{
  gtk_widget_activate_action (GTK_WIDGET (b->window->list_view), "list.select-all", NULL);
}

static void
win_action (Bench      *b,
            const char *name)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (b->window), name, NULL))
    g_error ("no action %s", name);
}

static GtkWidget *
find_undo (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), "_Undo") == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_undo (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean wait_for_undo_cb (gpointer data);
static void     remove_for_undo  (gpointer data);

/* Starts the measurement and does the action. */
static void
act (Bench *b)
{
  const char *a = b->action;

  b->t_action = g_get_monotonic_time ();
  b->last_poll_return = b->t_action;
  if (g_str_equal (a, "select-all"))
    select_all (b);
  else if (g_str_equal (a, "remove-selected"))
    win_action (b, "win.remove-selected");
  else if (g_str_equal (a, "pause-selected"))
    win_action (b, "win.pause-selected");
  else if (g_str_equal (a, "resume-selected"))
    win_action (b, "win.resume-selected");
  else if (g_str_equal (a, "cancel-selected"))
    win_action (b, "win.cancel-selected");
  else if (g_str_equal (a, "retry-selected"))
    win_action (b, "win.retry-selected");
  else if (g_str_equal (a, "pause-all"))
    win_action (b, "win.pause-all");
  else if (g_str_equal (a, "resume-all"))
    win_action (b, "win.resume-all");
  else if (g_str_equal (a, "clear-finished"))
    win_action (b, "win.clear-finished");
  else if (g_str_equal (a, "undo-remove") || g_str_equal (a, "undo-add"))
    g_signal_emit_by_name (find_undo (GTK_WIDGET (b->window)), "clicked");
  else if (g_str_equal (a, "filter"))
    gtk_drop_down_set_selected (b->window->state_filter, FILTER_FINISHED);
  else if (g_str_equal (a, "search"))
    gtk_editable_set_text (b->window->search_entry, "file-0001");
  else if (g_str_equal (a, "offline"))
    haul_queue_set_offline (b->queue, TRUE);
  else if (g_str_equal (a, "online"))
    haul_queue_set_offline (b->queue, FALSE);
  else if (g_str_equal (a, "metered-hold"))
    haul_queue_set_metered_hold (b->queue, TRUE);
  else if (g_str_equal (a, "metered"))
    g_signal_emit_by_name (b->window->hold_button, "clicked");
  else if (g_str_equal (a, "schedule"))
    {
      g_autoptr(HaulSchedule) schedule = schedule_not_now ();

      haul_queue_set_schedule (b->queue, schedule);
    }
  else if (g_str_equal (a, "unschedule"))
    haul_queue_set_schedule (b->queue, NULL);
  g_timeout_add (20, report_cb, b);
}

static void
act_once (gpointer data)
{
  act (data);
}

/* Undo actions: once the toast's button is there (and has slid in). */
static gboolean
wait_for_undo_cb (gpointer data)
{
  Bench *b = data;

  if (g_list_model_get_n_items (G_LIST_MODEL (b->queue)) != (g_str_equal (b->action, "undo-add") ? b->n : 0) ||
      find_undo (GTK_WIDGET (b->window)) == NULL)
    return G_SOURCE_CONTINUE;
  g_timeout_add_once (1000, act_once, b);
  return G_SOURCE_REMOVE;
}

/* metered: once max-active run, the hold (not timed); the click once none
 * runs and the button is there. */
static gboolean
wait_for_held_cb (gpointer data)
{
  Bench *b = data;

  if (haul_queue_get_n_active (b->queue) != 0 || !gtk_widget_get_mapped (b->window->hold_button))
    return G_SOURCE_CONTINUE;
  g_timeout_add_once (1000, act_once, b);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_for_running_cb (gpointer data)
{
  Bench *b = data;

  if (haul_queue_get_n_active (b->queue) < haul_queue_get_max_active (b->queue))
    return G_SOURCE_CONTINUE;
  if (g_str_equal (b->action, "metered-hold"))
    {
      g_timeout_add_once (500, act_once, b);
      return G_SOURCE_REMOVE;
    }
  haul_queue_set_metered_hold (b->queue, TRUE);
  g_timeout_add (100, wait_for_held_cb, b);
  return G_SOURCE_REMOVE;
}

static void
setup_cb (gpointer data)
{
  Bench *b = data;
  const char *a = b->action;
  guint settle = 1500;

  if (g_str_equal (a, "select-all") || g_str_equal (a, "resume-all") ||
      g_str_equal (a, "search"))
    fill (b, state_paused);
  else if (g_str_equal (a, "remove-selected") || g_str_equal (a, "resume-selected") ||
           g_str_equal (a, "cancel-selected") || g_str_equal (a, "undo-remove"))
    {
      fill (b, state_paused);
      select_all (b);
    }
  else if (g_str_equal (a, "pause-selected"))
    {
      fill (b, state_queued);
      select_all (b);
    }
  else if (g_str_equal (a, "retry-selected"))
    {
      fill (b, state_failed);
      select_all (b);
    }
  else if (g_str_equal (a, "pause-all"))
    fill (b, state_queued);
  else if (g_str_equal (a, "clear-finished"))
    fill (b, state_completed);
  else if (g_str_equal (a, "filter"))
    fill (b, state_half);
  else if (g_str_equal (a, "offline") || g_str_equal (a, "schedule"))
    fill (b, state_queued);
  else if (g_str_equal (a, "online"))
    {
      haul_queue_set_offline (b->queue, TRUE);
      fill (b, state_queued);
    }
  else if (g_str_equal (a, "unschedule"))
    {
      g_autoptr(HaulSchedule) schedule = schedule_not_now ();

      haul_queue_set_schedule (b->queue, schedule);
      fill (b, state_queued);
    }
  else if (g_str_equal (a, "metered") || g_str_equal (a, "metered-hold"))
    {
      fill (b, state_queued);
      /* After the settling: max-active running. */
      g_timeout_add (settle, wait_for_running_cb, b);
      return;
    }
  else if (g_str_equal (a, "undo-add"))
    {
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < b->n; i++)
        g_string_append_printf (text, "http://127.0.0.1:9/bulk/add-%06u.bin\n", i);
      haul_window_import (b->window, text->str, NULL, NULL, NULL);
    }
  else
    g_error ("unknown action %s", a);

  if (g_str_equal (a, "undo-remove"))
    {
      /* Not timed: the removal that Undo takes back. */
      g_timeout_add_once (settle, remove_for_undo, b);
    }
  if (g_str_equal (a, "undo-remove") || g_str_equal (a, "undo-add"))
    {
      g_timeout_add (100, wait_for_undo_cb, b);
      return;
    }
  g_timeout_add_once (settle, act_once, b);
}

static void
remove_for_undo (gpointer data)
{
  win_action (data, "win.remove-selected");
}

static void
window_mapped_cb (GtkWidget *window,
                  Bench     *b)
{
  b->window = HAUL_WINDOW (window);
  g_timeout_add_once (500, setup_cb, b);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Bench          *b)
{
  if (b->window != NULL || !HAUL_IS_WINDOW (window))
    return;
  g_signal_connect (window, "map", G_CALLBACK (window_mapped_cb), b);
}

static void
startup_cb (GApplication *app,
            Bench        *b)
{
  b->queue = haul_application_get_queue (b->app);
  haul_queue_set_max_active (b->queue, 1);
  g_signal_connect (b->queue, "notify::n-active", G_CALLBACK (n_active_cb), b);
}

static struct
{
  const char *name;
  DoneFunc    done;
} actions[] = {
  { "select-all", done_selected },
  { "remove-selected", done_empty },
  { "pause-selected", done_none_can_pause },
  { "resume-selected", done_none_paused },
  { "cancel-selected", done_all_cancelled },
  { "retry-selected", done_none_failed },
  { "pause-all", done_none_can_pause },
  { "resume-all", done_none_paused },
  { "clear-finished", done_empty },
  { "undo-remove", done_all_back },
  { "undo-add", done_empty },
  { "filter", done_shown },
  { "search", done_shown },
  { "offline", done_held },
  { "online", done_started },
  { "metered-hold", done_held },
  { "metered", done_started },
  { "schedule", done_held },
  { "unschedule", done_started },
};

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- one bulk action on a long list");
  g_autoptr(GError) error = NULL;
  g_autofree char *action = NULL;
  char *args[] = { (char *) "haul", NULL };
  int n = 10000, cap = 120;
  GOptionEntry entries[] = {
    { "action", 'a', 0, G_OPTION_ARG_STRING, &action, "The action (see the source)", "NAME" },
    { "rows", 'n', 0, G_OPTION_ARG_INT, &n, "Rows in the list (10000)", "N" },
    { "cap", 0, 0, G_OPTION_ARG_INT, &cap, "Give up after this long (120)", "S" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || action == NULL || n < 2)
    {
      g_printerr ("%s\n", error ? error->message : "usage: bench-bulk -a ACTION [-n N]");
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("bench-bulk: no display (run it under xvfb-run)\n");
      return 2;
    }

  bench.action = action;
  bench.n = (guint) n;
  bench.cap_s = (guint) cap;
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (actions[i].name, action))
      bench.done_func = actions[i].done;
  if (bench.done_func == NULL)
    {
      g_printerr ("bench-bulk: unknown action %s\n", action);
      return 2;
    }
  if (g_str_equal (action, "filter"))
    bench.expected = bench.n / 2;
  else if (g_str_equal (action, "search"))
    for (guint i = 0; i < bench.n; i++)
      {
        g_autofree char *name = g_strdup_printf ("file-%06u", i);

        if (strstr (name, "file-0001") != NULL)
          bench.expected++;
      }

  if (g_str_equal (action, "metered") || g_str_equal (action, "metered-hold"))
    silent_server_start (&bench);

  bench.poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, poll_cb);
  g_thread_unref (g_thread_new ("bench-watchdog", watchdog_thread, &bench));

  bench.app = haul_application_new ();
  g_application_set_flags (G_APPLICATION (bench.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (bench.app, "startup", G_CALLBACK (startup_cb), &bench);
  g_signal_connect (bench.app, "window-added", G_CALLBACK (window_added_cb), &bench);
  g_application_run (G_APPLICATION (bench.app), 1, args);
  g_object_unref (bench.app);
  return bench.reported ? 0 : 1;
}

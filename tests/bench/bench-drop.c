/* bench-drop.c — the window receiving a drop of 10 000 links
 *
 * `bench-drop -i LINKS.txt [-n 10000] [-d FOLDER] [-w 2000] [-s 500]` runs
 * the real HaulApplication (the `haul` GUI, linked in) with its real
 * window. Once the window has painted its first frame and then settled for
 * -s ms, it builds a text of N distinct links — the lines of LINKS.txt in
 * turn, each with "?copy=K" appended so that no two are the same — and
 * hands it to haul_window_drop_value() as a G_TYPE_STRING GValue, as a drop
 * of text would. Downloads go to -d FOLDER (through the "download-folder"
 * setting) with the default number at once, so the first links really
 * download while the rest wait, as a person dropping them would see.
 *
 * Measured, from the call to haul_window_drop_value():
 *
 *   - queued: when the queue (the window's model) holds all N items. The
 *     window adds a long list in slices, a few frames apart (HEAD c1c60d0:
 *     32, 32, 64, 64, then the rest), so this is when the last slice has
 *     gone in, not when the first items-changed came;
 *   - painted: the first frame painted after that in which the list view
 *     has mapped row widgets (the rows are on screen);
 *   - (details) the first frame after the drop with any row on screen,
 *     whether or not the queue was full by then;
 *   - for -w ms after the drop: the main-loop probe lateness of a
 *     HaulLatencyMeter (reset just before the drop; p50, p99, max), its
 *     frames and frame gaps, and — from a second probe of our own, same
 *     10 ms period and priority — when the worst lateness happened, so a
 *     stall can be put next to the events above;
 *   - how many downloads had completed by then.
 *
 * If the rows are not painted by the end of the watch, it waits for them
 * (up to 30 s) to report when they were; the lateness figures still cover
 * the watch only.
 *
 * Prints one line (and a few details) and exits; 0 if the list was
 * painted full. Needs a display: run it under
 * `dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24"` with
 * GSETTINGS_BACKEND=memory, GSETTINGS_SCHEMA_DIR=<build>/data and
 * HAUL_NO_STORE=1 (run-gui.sh does).
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

#include "haul-application.h"
#include "haul-latency-meter.h"
#include "haul-test-server.h"
#include "haul-window.h"

#define PROBE_MS 10

typedef struct
{
  HaulApplication  *app;
  GtkWindow        *window;
  GdkFrameClock    *clock;
  HaulLatencyMeter *meter;

  char             *text;        /* what is dropped */
  char             *file;        /* or this file, as a GdkFileList (--file) */
  guint             n;
  guint             watch_ms;
  guint             settle_ms;
  const char       *folder;

  gint64            t_start;
  gint64            t_first_frame;
  gint64            t_drop;
  gint64            t_first_items;   /* first items-changed after the drop */
  gint64            t_full;
  gint64            t_painted;
  gint64            t_first_rows;    /* first frame with rows on screen, full or not */
  guint             first_rows;
  guint             n_items_first_rows;
  guint             rows_at_paint;
  guint             row_widgets;
  gint64            drop_call_us;    /* how long haul_window_drop_value() took */

  /* Our own probe: when the worst lateness happened. */
  gint64            probe_last;
  gint64            worst_late;
  gint64            worst_at;        /* end of the worst wait, from the drop */
  guint             n_over_16;
  guint             n_over_50;

  /* Frame gaps after the drop, the longest and when. */
  gint64            last_frame;
  gint64            worst_gap;
  gint64            worst_gap_at;

  gboolean          done;
} Bench;

static double
ms (gint64 us)
{
  return us / 1000.0;
}

/* ------------------------------------------------------------------ */

/* Rows on screen: children of a mapped GtkListView that are mapped and
 * have a size. (The window has more than one list view: the state
 * filter's drop-down has one in its popover, unmapped while closed.) */
static guint
count_mapped_rows_in (GtkWidget *widget,
                      guint     *n_children)
{
  guint n = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_LIST_VIEW (widget))
    {
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          (*n_children)++;
          if (gtk_widget_get_mapped (child) && gtk_widget_get_height (child) > 0)
            n++;
        }
      return n;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_mapped_rows_in (child, n_children);
  return n;
}

/* Also: how many row widgets the list view holds (mapped or not). */
static guint
count_mapped_rows (Bench   *b,
                   guint   *n_children)
{
  *n_children = 0;
  return count_mapped_rows_in (GTK_WIDGET (b->window), n_children);
}

static gboolean
probe_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = MAX (0, now - (b->probe_last + PROBE_MS * 1000));

  if (b->t_drop != 0 && !b->done)
    {
      if (late > b->worst_late)
        {
          b->worst_late = late;
          b->worst_at = now - b->t_drop;
        }
      if (late > 16000)
        b->n_over_16++;
      if (late > 50000)
        b->n_over_50++;
    }
  b->probe_last = now;
  return G_SOURCE_CONTINUE;
}

/* At the end of the watch: stop measuring lateness, then report once the
 * list has been painted (it may take longer than the watch). */
static gboolean
finish_cb (gpointer data)
{
  Bench *b = data;
  HaulQueue *queue = haul_application_get_queue (b->app);
  guint completed = 0, n_items = g_list_model_get_n_items (G_LIST_MODEL (queue));

  if (!b->done)
    {
      haul_latency_meter_stop (b->meter);
      b->done = TRUE;
    }
  if (b->t_painted == 0 && g_get_monotonic_time () - b->t_drop < 30 * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;
  for (guint i = 0; i < n_items; i++)
    if (haul_download_get_state (haul_queue_get_download (queue, i)) == HAUL_DOWNLOAD_STATE_COMPLETED)
      completed++;

  printf ("drop of %u links: queued %.0f ms, painted with %u rows %.0f ms; first %.0f ms of the drop: "
          "probe p50 %.2f p99 %.2f max %.1f ms (%" G_GUINT64_FORMAT " samples, %u over 16 ms, %u over 50 ms, "
          "worst ending at +%.0f ms); frames %" G_GUINT64_FORMAT ", longest gap %.1f ms (ending at +%.0f ms), "
          "%" G_GUINT64_FORMAT " gaps > 33 ms; %u completed\n",
          b->n,
          b->t_full ? ms (b->t_full - b->t_drop) : -1.0,
          b->rows_at_paint,
          b->t_painted ? ms (b->t_painted - b->t_drop) : -1.0,
          (double) b->watch_ms,
          haul_latency_meter_get_percentile (b->meter, 50),
          haul_latency_meter_get_percentile (b->meter, 99),
          haul_latency_meter_get_max (b->meter),
          haul_latency_meter_get_n_samples (b->meter),
          b->n_over_16, b->n_over_50, ms (b->worst_at),
          haul_latency_meter_get_n_frames (b->meter),
          ms (b->worst_gap), ms (b->worst_gap_at),
          haul_latency_meter_get_n_long_frame_gaps (b->meter),
          completed);
  printf ("  details: window first frame %.0f ms after start; drop call %.1f ms; "
          "first items-changed +%.0f ms; first rows on screen +%.0f ms (%u rows, %u items in the queue); "
          "%u row widgets in the list view when painted; %u items at the end\n",
          ms (b->t_first_frame - b->t_start), ms (b->drop_call_us),
          b->t_first_items ? ms (b->t_first_items - b->t_drop) : -1.0,
          b->t_first_rows ? ms (b->t_first_rows - b->t_drop) : -1.0, b->first_rows, b->n_items_first_rows,
          b->row_widgets, n_items);
  fflush (stdout);
  g_application_quit (G_APPLICATION (b->app));
  return G_SOURCE_REMOVE;
}

static void
first_finish_cb (gpointer data)
{
  if (finish_cb (data) == G_SOURCE_CONTINUE)
    g_timeout_add (20, finish_cb, data);
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *b)
{
  gint64 now = g_get_monotonic_time ();

  if (b->t_first_frame == 0)
    b->t_first_frame = now;

  if (b->t_drop != 0 && !b->done)
    {
      if (b->last_frame != 0 && now - b->last_frame > b->worst_gap)
        {
          b->worst_gap = now - b->last_frame;
          b->worst_gap_at = now - b->t_drop;
        }
      b->last_frame = now;
    }

  if (b->t_drop != 0 && b->t_first_rows == 0)
    {
      guint children;
      guint rows = count_mapped_rows (b, &children);

      if (rows > 0)
        {
          b->t_first_rows = now;
          b->first_rows = rows;
          b->n_items_first_rows =
            g_list_model_get_n_items (G_LIST_MODEL (haul_application_get_queue (b->app)));
        }
    }

  if (b->t_full != 0 && b->t_painted == 0)
    {
      guint children;
      guint rows = count_mapped_rows (b, &children);

      if (rows > 0)
        {
          b->t_painted = now;
          b->rows_at_paint = rows;
          b->row_widgets = children;
        }
      else
        gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
    }
}

static void
drop_cb (gpointer data)
{
  Bench *b = data;
  GValue value = G_VALUE_INIT;
  gint64 t;

  if (b->file != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (b->file);
      GSList *files = g_slist_prepend (NULL, file);

      g_value_init (&value, GDK_TYPE_FILE_LIST);
      g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
      g_slist_free (files);
    }
  else
    {
      g_value_init (&value, G_TYPE_STRING);
      g_value_take_string (&value, g_steal_pointer (&b->text));
    }

  haul_latency_meter_reset (b->meter);
  b->last_frame = 0;
  b->t_drop = t = g_get_monotonic_time ();
  if (!haul_window_drop_value (HAUL_WINDOW (b->window), &value))
    g_error ("the window refused the drop");
  b->drop_call_us = g_get_monotonic_time () - t;
  g_value_unset (&value);

  g_timeout_add_once (b->watch_ms, first_finish_cb, b);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Bench      *b)
{
  if (b->t_drop == 0)
    return;
  if (b->t_first_items == 0)
    b->t_first_items = g_get_monotonic_time ();
  if (b->t_full == 0 && g_list_model_get_n_items (model) >= b->n)
    {
      b->t_full = g_get_monotonic_time ();
      if (b->clock != NULL)
        gdk_frame_clock_request_phase (b->clock, GDK_FRAME_CLOCK_PHASE_PAINT);
    }
}

static void
first_frame_cb (GdkFrameClock *clock,
                Bench         *b)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, b);
  g_timeout_add_once (b->settle_ms, drop_cb, b);
}

static void
window_realize_cb (GtkWidget *window,
                   Bench     *b)
{
  b->clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (b->clock, "after-paint", G_CALLBACK (after_paint_cb), b);
  g_signal_connect (b->clock, "after-paint", G_CALLBACK (first_frame_cb), b);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Bench          *b)
{
  if (b->window != NULL)
    return;
  b->window = window;
  haul_latency_meter_watch_widget (b->meter, GTK_WIDGET (window));
  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    window_realize_cb (GTK_WIDGET (window), b);
  else
    g_signal_connect (window, "realize", G_CALLBACK (window_realize_cb), b);
}

static void
startup_cb (GApplication *app,
            Bench        *b)
{
  GSettings *settings = haul_application_get_settings (b->app);

  if (settings == NULL)
    g_error ("no GSettings schema: set GSETTINGS_SCHEMA_DIR=<build>/data");
  g_settings_set_string (settings, "download-folder", b->folder);
  g_signal_connect (haul_application_get_queue (b->app), "items-changed", G_CALLBACK (items_changed_cb), b);
}

static gboolean
give_up_cb (gpointer data)
{
  g_printerr ("bench-drop: gave up after %u s (peak RSS %" G_GINT64_FORMAT " KiB)\n",
              GPOINTER_TO_UINT (data), haul_test_proc_status_kib ("VmHWM"));
  exit (1);
}

static char *
build_text (const char *path,
            guint       n)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = g_ptr_array_new ();
  GString *text;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      g_ptr_array_add (links, lines[i]);
  if (links->len == 0)
    g_error ("%s has no links", path);

  text = g_string_sized_new ((gsize) n * 64);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s?copy=%u\n", (char *) g_ptr_array_index (links, i % links->len),
                            i / links->len);
  return g_string_free (text, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- a drop of many links on the window");
  g_autoptr(GError) error = NULL;
  g_autofree char *links = NULL, *folder = NULL, *tmp = NULL;
  char *args[] = { (char *) "haul", NULL };
  int n = 10000, watch = 2000, settle = 500, give_up = 60;
  g_autofree char *drop_file = NULL;
  Bench b = { 0 };
  GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &links, "Links to cycle through, one a line", "FILE" },
    { "links", 'n', 0, G_OPTION_ARG_INT, &n, "Links to drop (10000)", "N" },
    { "folder", 'd', 0, G_OPTION_ARG_FILENAME, &folder, "Download folder (default: a new temporary one)", "DIR" },
    { "watch", 'w', 0, G_OPTION_ARG_INT, &watch, "Measure this long after the drop (2000)", "MS" },
    { "settle", 's', 0, G_OPTION_ARG_INT, &settle, "Wait after the first frame before dropping (500)", "MS" },
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &drop_file,
      "Drop this file (a list of links) instead of text; -n is then how many links should arrive", "FILE" },
    { "give-up", 0, 0, G_OPTION_ARG_INT, &give_up, "Give up after this long (60)", "S" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || (links == NULL && drop_file == NULL) ||
      n < 1 || watch < 100)
    {
      g_printerr ("%s\n", error ? error->message : "usage: bench-drop -i LINKS.txt [-n N] [-d DIR] [-w MS]");
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("bench-drop: no display (run it under xvfb-run)\n");
      return 2;
    }
  if (folder == NULL)
    {
      tmp = g_dir_make_tmp ("haul-bench-drop-XXXXXX", &error);
      g_assert_no_error (error);
    }

  if (drop_file != NULL)
    b.file = drop_file;
  else
    b.text = build_text (links, (guint) n);
  b.n = (guint) n;
  b.watch_ms = (guint) watch;
  b.settle_ms = (guint) settle;
  b.folder = folder != NULL ? folder : tmp;
  b.meter = haul_latency_meter_new ();
  b.t_start = g_get_monotonic_time ();
  b.probe_last = b.t_start;
  g_timeout_add (PROBE_MS, probe_cb, &b);
  g_timeout_add_seconds (give_up, give_up_cb, GUINT_TO_POINTER (give_up));

  b.app = haul_application_new ();
  g_signal_connect_after (b.app, "startup", G_CALLBACK (startup_cb), &b);
  g_signal_connect (b.app, "window-added", G_CALLBACK (window_added_cb), &b);
  g_application_run (G_APPLICATION (b.app), 1, args);

  g_clear_object (&b.meter);
  g_object_unref (b.app);
  printf ("peak RSS %" G_GINT64_FORMAT " KiB\n", haul_test_proc_status_kib ("VmHWM"));
  if (tmp != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
      if (system (cmd) != 0)
        g_printerr ("bench-drop: could not remove %s\n", tmp);
    }
  return b.t_painted != 0 ? 0 : 1;
}

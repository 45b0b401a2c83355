/* test-dnd.c — real drag and drop onto the window, under Xvfb
 *
 * The dnd-source helper (tests/dnd-source.c) shows a small window that
 * offers links as text/uri-list; xdotool presses the mouse on it and drags
 * onto Haul's window (an in-process HaulApplication) with XTEST events, so
 * the links travel through XDND and GTK's own drop machinery; then the
 * links are in the queue, downloaded, and a toast says so. Dropped on the
 * empty desktop instead, nothing is added.
 *
 * No window manager runs under Xvfb: every window starts at 0,0, so the
 * test moves both windows apart with `xdotool windowmove` first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <stdlib.h>
#include <string.h>

#include "haul-application.h"
#include "haul-test-server.h"

/* Where the windows go on the 1280×800 screen: Haul's at the top left, the
 * source's at the right, and nothing below the source. */
#define HAUL_X       40
#define HAUL_Y       40
#define SOURCE_X     940
#define SOURCE_Y     80
#define DESKTOP_X    1100
#define DESKTOP_Y    700

typedef struct
{
  HaulApplication  *app;
  GtkWidget        *window;
  gboolean          over_window;  /* drop on Haul's window, or on the desktop */
  char             *uris[3];
  GBytes           *contents[2];

  GSubprocess      *source;
  GDataInputStream *source_out;
  GString          *source_log;   /* every line the helper printed */
  char             *source_xid;
  gboolean          source_eof;
  int               source_action;    /* the last "ACTION n" */
  gint64            source_action_us; /* when it came */

  char             *drop_formats; /* what the drop offered, as GTK saw it */
  char             *drop_type;    /* what the window's drop target got */
} Ctx;

static gboolean
label_with_text (GtkWidget  *widget,
                 const char *needle)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (label_with_text (child, needle))
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Watching the window's own GtkDropTarget, for the log. */

static void
drop_target_current_drop_cb (GtkDropTarget *target,
                             GParamSpec    *pspec,
                             Ctx           *ctx)
{
  GdkDrop *drop = gtk_drop_target_get_current_drop (target);

  if (drop != NULL && ctx->drop_formats == NULL)
    ctx->drop_formats = gdk_content_formats_to_string (gdk_drop_get_formats (drop));
}

static void
drop_target_value_cb (GtkDropTarget *target,
                      GParamSpec    *pspec,
                      Ctx           *ctx)
{
  const GValue *value = gtk_drop_target_get_value (target);

  if (value != NULL && ctx->drop_type == NULL)
    ctx->drop_type = g_strdup (G_VALUE_TYPE_NAME (value));
}

static guint
watch_drop_targets (GtkWidget *widget,
                    Ctx       *ctx)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        {
          g_signal_connect (controller, "notify::current-drop", G_CALLBACK (drop_target_current_drop_cb), ctx);
          g_signal_connect (controller, "notify::value", G_CALLBACK (drop_target_value_cb), ctx);
          n++;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += watch_drop_targets (child, ctx);
  return n;
}

/* ------------------------------------------------------------------ */
/* The helper and xdotool, while the main context keeps running. */

static void
source_line_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Ctx *ctx = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                                     result, NULL, &error);

  if (line == NULL)
    {
      ctx->source_eof = TRUE;
      return;
    }
  g_test_message ("dnd-source: %s", line);
  g_string_append_printf (ctx->source_log, "%s\n", line);
  if (g_str_has_prefix (line, "ACTION "))
    {
      ctx->source_action = atoi (line + strlen ("ACTION "));
      ctx->source_action_us = g_get_monotonic_time ();
    }
  if (g_str_has_prefix (line, "READY ") && ctx->source_xid == NULL)
    ctx->source_xid = g_strdup (line + strlen ("READY "));
  g_data_input_stream_read_line_async (ctx->source_out, G_PRIORITY_DEFAULT, NULL, source_line_cb, ctx);
}

static gboolean
source_ready (gpointer data)
{
  Ctx *ctx = data;

  return ctx->source_xid != NULL || ctx->source_eof;
}

static gboolean
source_said (Ctx        *ctx,
             const char *prefix)
{
  g_autofree char *needle = g_strconcat ("\n", prefix, NULL);
  g_autofree char *log = g_strconcat ("\n", ctx->source_log->str, NULL);

  return strstr (log, needle) != NULL;
}

static gboolean
source_drag_ended (gpointer data)
{
  return source_said (data, "END ") || ((Ctx *) data)->source_eof;
}

static gboolean
source_gone (gpointer data)
{
  return ((Ctx *) data)->source_eof;
}

/* What the helper said, on one line (for TAP). */
static char *
source_log_line (Ctx *ctx)
{
  g_autofree char *text = g_strchomp (g_strdup (ctx->source_log->str));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  return *text != '\0' ? g_strjoinv (" | ", lines) : g_strdup ("nothing");
}

static void
start_source (Ctx *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT, "dnd-source", NULL);
  const char *argv[] = { helper, ctx->uris[0], ctx->uris[1], NULL };

  /* The helper exits when its standard input closes: when this process
   * ends, even by a failed assertion. */
  ctx->source = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  ctx->source_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (ctx->source));
  g_data_input_stream_read_line_async (ctx->source_out, G_PRIORITY_DEFAULT, NULL, source_line_cb, ctx);

  if (!haul_test_wait_until (source_ready, ctx, 20000) || ctx->source_xid == NULL)
    g_error ("the dnd-source helper (%s) did not show its window; it said: %s",
             helper, source_log_line (ctx));
}

static void
stop_source (Ctx *ctx)
{
  g_subprocess_force_exit (ctx->source);
  /* The reader stops at the end of the pipe; the stream goes after it. */
  g_assert_true (haul_test_wait_until (source_gone, ctx, 10000));
  g_assert_true (g_subprocess_wait (ctx->source, NULL, NULL));
  g_clear_object (&ctx->source_out);
  g_clear_object (&ctx->source);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  char     *err;
} Run;

static void
xdotool_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  run->ok = g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, NULL, &run->err, &error) &&
            g_subprocess_get_successful (G_SUBPROCESS (object));
  if (error != NULL)
    run->err = g_strdup (error->message);
  run->done = TRUE;
}

static gboolean
run_done (gpointer data)
{
  return ((Run *) data)->done;
}

/* Lets go of the mouse button, so that a failed test does not leave it
 * pressed for the next ones in the same X server. */
static void
release_button (void)
{
  const char *argv[] = { "xdotool", "mouseup", "1", NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Runs `xdotool ARGS…` with the main context running, so that this
 * process's window answers the X events it causes. Takes @owned_args. */
static void
xdotool (GPtrArray *owned_args)
{
  g_autoptr(GPtrArray) args = owned_args;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *command = NULL;
  Run run = { 0 };

  g_ptr_array_insert (args, 0, g_strdup ("xdotool"));
  g_ptr_array_add (args, NULL);
  command = g_strjoinv (" ", (char **) args->pdata);
  g_test_message ("%s", command);

  proc = g_subprocess_newv ((const char * const *) args->pdata, G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, xdotool_done_cb, &run);
  if (!haul_test_wait_until (run_done, &run, 15000))
    {
      g_subprocess_force_exit (proc);
      haul_test_wait_until (run_done, &run, 5000);
      release_button ();
      g_error ("`%s` did not finish in 15 s", command);
    }
  if (!run.ok)
    {
      release_button ();
      g_error ("`%s` failed: %s", command, run.err != NULL ? g_strdelimit (run.err, "\r\n", ' ') : "");
    }
  g_free (run.err);
}

static GPtrArray *args_new (const char *first,
                            ...) G_GNUC_NULL_TERMINATED;

static GPtrArray *
args_new (const char *first,
          ...)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (a));
  va_end (ap);
  return args;
}

static void
args_add_move (GPtrArray *args,
               int        x,
               int        y)
{
  g_ptr_array_add (args, g_strdup ("mousemove"));
  g_ptr_array_add (args, g_strdup ("--sync"));
  g_ptr_array_add (args, g_strdup_printf ("%d", x));
  g_ptr_array_add (args, g_strdup_printf ("%d", y));
  g_ptr_array_add (args, g_strdup ("sleep"));
  g_ptr_array_add (args, g_strdup ("0.05"));
}

static void
args_add_sleep (GPtrArray  *args,
                const char *seconds)
{
  g_ptr_array_add (args, g_strdup ("sleep"));
  g_ptr_array_add (args, g_strdup (seconds));
}

/* While the pointer moves over Haul's window, the source's action flips
 * between 0 and COPY (the window sends a refusing XdndStatus as well as an
 * accepting one per XdndPosition, accepting last): wait until it has
 * settled on COPY. */
static gboolean
source_accepted (gpointer data)
{
  Ctx *ctx = data;

  return ctx->source_action == GDK_ACTION_COPY &&
         g_get_monotonic_time () - ctx->source_action_us > 300 * G_TIME_SPAN_MILLISECOND;
}

/* Presses on the source window and drags to (@x, @y) through XDND. Over
 * Haul's window (@over_window), releases once the source has heard (from
 * XdndStatus) that the window accepts the drop, so that a busy machine
 * cannot make it release too early; elsewhere, after a moment. */
static void
drag_to (Ctx *ctx,
         int  x,
         int  y)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  int start_x = SOURCE_X + 150, start_y = SOURCE_Y + 100;

  /* Away from the start first: `mousemove --sync` to where the pointer
   * already is would wait for a motion that never comes. */
  args_add_move (args, start_x - 40, start_y - 40);
  args_add_move (args, start_x, start_y);
  g_ptr_array_add (args, g_strdup ("mousedown"));
  g_ptr_array_add (args, g_strdup ("1"));
  args_add_sleep (args, "0.1");
  /* Past GTK's drag threshold, still on the source: the drag begins. */
  for (int i = 1; i <= 4; i++)
    args_add_move (args, start_x - 10 * i, start_y + 5 * i);
  args_add_sleep (args, "0.1");
  /* Across to the destination, which hears XdndEnter and XdndPosition. */
  for (int i = 1; i <= 8; i++)
    args_add_move (args,
                   start_x - 40 + (x - start_x + 40) * i / 8,
                   start_y + 20 + (y - start_y - 20) * i / 8);
  args_add_move (args, x + 6, y + 4);
  args_add_move (args, x, y);
  xdotool (g_steal_pointer (&args));

  if (ctx->over_window)
    {
      if (!haul_test_wait_until (source_accepted, ctx, 10000))
        {
          release_button ();
          g_error ("the window did not accept the drag; the drop offered %s; dnd-source said: %s",
                   ctx->drop_formats != NULL ? ctx->drop_formats : "nothing (no XdndEnter)",
                   source_log_line (ctx));
        }
    }
  else
    {
      haul_test_spin (500);
      g_assert_false (source_said (ctx, "ACTION"));
    }

  xdotool (args_new ("mouseup", "1", NULL));
}

static void
move_window (const char *xid,
             int         x,
             int         y)
{
  g_autofree char *sx = g_strdup_printf ("%d", x);
  g_autofree char *sy = g_strdup_printf ("%d", y);

  xdotool (args_new ("windowmove", "--sync", xid, sx, sy, NULL));
}

/* ------------------------------------------------------------------ */

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
queue_has_all (gpointer data)
{
  Ctx *ctx = data;
  HaulQueue *queue = haul_application_get_queue (ctx->app);

  return haul_queue_find_by_uri (queue, ctx->uris[0]) != NULL &&
         haul_queue_find_by_uri (queue, ctx->uris[1]) != NULL;
}

static gboolean
toast_says_added (gpointer data)
{
  Ctx *ctx = data;

  return label_with_text (ctx->window, "Added 2 downloads");
}

static gboolean
all_completed (gpointer data)
{
  Ctx *ctx = data;
  HaulQueue *queue = haul_application_get_queue (ctx->app);

  for (guint i = 0; i < 2; i++)
    {
      HaulDownload *d = haul_queue_find_by_uri (queue, ctx->uris[i]);

      if (d == NULL || haul_download_get_state (d) != HAUL_DOWNLOAD_STATE_COMPLETED)
        return FALSE;
    }
  return TRUE;
}

static void
check_dropped_on_window (Ctx *ctx)
{
  HaulQueue *queue = haul_application_get_queue (ctx->app);

  if (!haul_test_wait_until (queue_has_all, ctx, 20000))
    g_error ("the dropped links did not arrive in the queue (%u downloads there); "
             "the drop offered %s, the window got %s; dnd-source said: %s",
             g_list_model_get_n_items (G_LIST_MODEL (queue)),
             ctx->drop_formats != NULL ? ctx->drop_formats : "nothing (no XdndEnter)",
             ctx->drop_type != NULL ? ctx->drop_type : "no value",
             source_log_line (ctx));
  g_test_message ("the drop offered %s; the window got a %s", ctx->drop_formats, ctx->drop_type);

  /* The toast (AdwToast, up for a few seconds) says what happened. */
  g_assert_true (haul_test_wait_until (toast_says_added, ctx, 5000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 2);

  g_assert_true (haul_test_wait_until (all_completed, ctx, 20000));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = haul_download_dup_path (haul_queue_find_by_uri (queue, ctx->uris[i]));

      g_assert_true (g_str_has_prefix (path, g_get_home_dir ()));
      haul_test_assert_file_is (path, ctx->contents[i]);
    }

  /* The source heard that its drop was taken. */
  g_assert_true (haul_test_wait_until (source_drag_ended, ctx, 5000));
  g_assert_true (source_said (ctx, "BEGIN"));
  g_assert_false (source_said (ctx, "CANCEL"));
}

static void
check_dropped_on_desktop (Ctx *ctx)
{
  HaulQueue *queue = haul_application_get_queue (ctx->app);

  /* The drag did happen (so this test can tell), and was cancelled. */
  if (!haul_test_wait_until (source_drag_ended, ctx, 10000) || !source_said (ctx, "BEGIN"))
    g_error ("the drag did not begin and end; dnd-source said: %s", source_log_line (ctx));
  g_assert_true (source_said (ctx, "CANCEL"));

  haul_test_spin (1500);
  g_assert_null (ctx->drop_formats);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 0);
  g_assert_false (label_with_text (ctx->window, "Added"));
}

static gboolean
run_test_cb (gpointer data)
{
  Ctx *ctx = data;
  GdkSurface *surface;
  g_autofree char *xid = NULL;
  int x, y;

  /* `haul` without arguments has opened the window by now. */
  ctx->window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (ctx->app)));
  g_assert_nonnull (ctx->window);
  g_assert_true (haul_test_wait_until (window_mapped, ctx->window, 10000));
  g_assert_cmpuint (watch_drop_targets (ctx->window, ctx), >=, 1);

  surface = gtk_native_get_surface (GTK_NATIVE (ctx->window));
  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));

  start_source (ctx);
  move_window (xid, HAUL_X, HAUL_Y);
  move_window (ctx->source_xid, SOURCE_X, SOURCE_Y);
  haul_test_spin (200);

  if (ctx->over_window)
    {
      /* The middle of the window: the list, empty. */
      x = HAUL_X + gtk_widget_get_width (ctx->window) / 2;
      y = HAUL_Y + gtk_widget_get_height (ctx->window) / 2;
      g_assert_cmpint (x + 40, <, SOURCE_X);
      drag_to (ctx, x, y);
      check_dropped_on_window (ctx);
    }
  else
    {
      g_assert_cmpint (HAUL_Y + gtk_widget_get_height (ctx->window), <, DESKTOP_Y);
      drag_to (ctx, DESKTOP_X, DESKTOP_Y);
      check_dropped_on_desktop (ctx);
    }

  stop_source (ctx);
  g_application_quit (G_APPLICATION (ctx->app));
  return G_SOURCE_REMOVE;
}

static gboolean
give_up_cb (gpointer data)
{
  g_error ("the drag-and-drop test did not finish in 60 s");
  return G_SOURCE_REMOVE;
}

static void
run_drag (gboolean over_window)
{
  g_autoptr(HaulTestServer) server = NULL;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  Ctx ctx = { 0 };
  guint give_up;
  int status;

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_fail_printf ("the display is not X11: run the ui suite under xvfb-run");
      return;
    }
  if (xdotool_path == NULL)
    {
      g_test_fail_printf ("xdotool is not installed: it drags the mouse (apt-get install xdotool; "
                          "it is in build-aux/debian-packages.txt)");
      return;
    }

  server = haul_test_server_new ();
  ctx.over_window = over_window;
  ctx.source_log = g_string_new (NULL);
  ctx.contents[0] = haul_test_content (120 * 1024, 31);
  ctx.contents[1] = haul_test_content (80 * 1024, 32);
  haul_test_server_add_file (server, "/dropped-one.bin", ctx.contents[0], NULL);
  haul_test_server_add_file (server, "/dropped-two.bin", ctx.contents[1], NULL);
  ctx.uris[0] = haul_test_server_uri (server, "/dropped-one.bin");
  ctx.uris[1] = haul_test_server_uri (server, "/dropped-two.bin");

  ctx.app = haul_application_new ();
  g_application_set_flags (G_APPLICATION (ctx.app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_idle_add (run_test_cb, &ctx);
  give_up = g_timeout_add_seconds (60, give_up_cb, NULL);
  {
    char *argv[] = { (char *) "haul", NULL };

    status = g_application_run (G_APPLICATION (ctx.app), 1, argv);
  }
  g_source_remove (give_up);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (ctx.source);

  g_object_unref (ctx.app);
  for (guint i = 0; i < 2; i++)
    {
      g_bytes_unref (ctx.contents[i]);
      g_free (ctx.uris[i]);
    }
  g_string_free (ctx.source_log, TRUE);
  g_free (ctx.source_xid);
  g_free (ctx.drop_formats);
  g_free (ctx.drop_type);
}

static void
test_dnd_drop_links_on_window (void)
{
  run_drag (TRUE);
}

static void
test_dnd_drop_on_desktop_adds_nothing (void)
{
  run_drag (FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-dnd-home-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);

  /* Like test-window.c: a private home and config folder; no database. */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("HAUL_NO_STORE", "1", TRUE);
  /* XDND is X11's; the helper inherits this too. */
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      /* Not a skip: this test exists to run. */
      g_printerr ("no display: run the ui suite under xvfb-run (see build-aux/test.sh)\n");
      return 1;
    }

  g_test_add_func ("/haul/ui/dnd/drop-links-on-window", test_dnd_drop_links_on_window);
  g_test_add_func ("/haul/ui/dnd/drop-on-desktop-adds-nothing", test_dnd_drop_on_desktop_adds_nothing);

  return g_test_run ();
}

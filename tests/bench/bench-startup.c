/* bench-startup.c — from launch to a populated list with N history items
 *
 * `bench-startup [-n 10000] [-r 5]` writes a database with N completed
 * downloads into a temporary XDG_DATA_HOME (haul/haul.db, where the app
 * looks), then R times spawns itself in --child mode with that
 * XDG_DATA_HOME and the spawn time (CLOCK_MONOTONIC, shared by all
 * processes) in the environment. The child runs the real HaulApplication
 * (the `haul` GUI, linked in) and measures, from the parent's spawn:
 *
 *   - first frame: the first "after-paint" of the window's frame clock,
 *     and how many items the list had then;
 *   - full list: when the queue (the window's model) holds all N items;
 *   - painted: the first frame painted after that.
 *
 * It quits after that and prints one line; the parent prints the median
 * and the worst of each over the R runs. Needs a display: run it under
 * `dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24"`.
 *
 * Not a test: built with the project, run by hand (see README.md here).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>

#include "haul-application.h"
#include "haul-store.h"
#include "haul-test-server.h"

typedef struct
{
  HaulApplication *app;
  guint            n;
  gint64           t0;
  gint64           t_first_frame;
  guint            n_at_first_frame;
  gint64           t_full;
  gint64           t_full_painted;
  GdkFrameClock   *clock;
} Child;

/* ------------------------------------------------------------------ */
/* The child: the app */

static void
after_paint_cb (GdkFrameClock *clock,
                Child         *c)
{
  gint64 now = g_get_monotonic_time ();
  HaulQueue *queue = haul_application_get_queue (c->app);

  if (c->t_first_frame == 0)
    {
      c->t_first_frame = now;
      c->n_at_first_frame = g_list_model_get_n_items (G_LIST_MODEL (queue));
    }
  if (c->t_full != 0 && c->t_full_painted == 0)
    {
      c->t_full_painted = now;
      g_application_quit (G_APPLICATION (c->app));
    }
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Child      *c)
{
  if (c->t_full == 0 && g_list_model_get_n_items (model) >= c->n)
    {
      c->t_full = g_get_monotonic_time ();
      /* Make sure a frame follows even if nothing else asks for one. */
      if (c->clock != NULL)
        gdk_frame_clock_request_phase (c->clock, GDK_FRAME_CLOCK_PHASE_PAINT);
    }
}

static void
window_realize_cb (GtkWidget *window,
                   Child     *c)
{
  c->clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (c->clock, "after-paint", G_CALLBACK (after_paint_cb), c);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Child          *c)
{
  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    window_realize_cb (GTK_WIDGET (window), c);
  else
    g_signal_connect (window, "realize", G_CALLBACK (window_realize_cb), c);
}

static void
startup_cb (GApplication *app,
            Child        *c)
{
  HaulQueue *queue = haul_application_get_queue (c->app);

  g_signal_connect (queue, "items-changed", G_CALLBACK (items_changed_cb), c);
}

static gboolean
give_up_cb (gpointer data)
{
  g_printerr ("bench-startup: gave up after 30 s\n");
  exit (1);
}

static int
run_child (guint n)
{
  Child c = { 0 };
  char *args[] = { (char *) "haul", NULL };
  int status;

  c.n = n;
  c.t0 = g_ascii_strtoll (g_getenv ("HAUL_BENCH_T0"), NULL, 10);
  c.app = haul_application_new ();
  g_signal_connect_after (c.app, "startup", G_CALLBACK (startup_cb), &c);
  g_signal_connect (c.app, "window-added", G_CALLBACK (window_added_cb), &c);
  g_timeout_add_seconds (30, give_up_cb, NULL);
  status = g_application_run (G_APPLICATION (c.app), 1, args);
  if (c.t_full_painted == 0)
    {
      g_printerr ("bench-startup: the list never filled (status %d)\n", status);
      return 1;
    }
  /* One machine-readable line for the parent. */
  printf ("%.1f %u %.1f %.1f\n",
          (c.t_first_frame - c.t0) / 1000.0, c.n_at_first_frame,
          (c.t_full - c.t0) / 1000.0, (c.t_full_painted - c.t0) / 1000.0);
  g_object_unref (c.app);
  return 0;
}

/* ------------------------------------------------------------------ */
/* The parent: the database, then R launches */

static void
write_history (const char *path,
               guint       n,
               const char *directory)
{
  g_autoptr(HaulStore) store = haul_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *aside = NULL;
  HaulTestAsync w = { 0 }, f = { 0 };

  haul_store_open_async (store, NULL, haul_test_async_cb, &w);
  if (!haul_store_open_finish (store, haul_test_async_wait (&w), &aside, &error))
    g_error ("open: %s", error->message);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HaulStoreRecord) r = haul_store_record_new ();

      r->id = i + 1;
      r->uri = g_strdup_printf ("https://downloads.example.org/releases/%u/archive-%05u.tar.xz", i / 100, i);
      r->final_uri = g_strdup_printf ("https://mirror.example.org/pub/%u/archive-%05u.tar.xz", i / 100, i);
      r->directory = g_strdup (directory);
      r->filename = g_strdup_printf ("archive-%05u.tar.xz", i);
      r->state = i % 50 == 7 ? 6 /* failed */ : 4 /* completed */;
      r->position = i;
      r->total = 1000000 + i * 1000;
      r->received = r->state == 4 ? r->total : r->total / 3;
      r->etag = g_strdup_printf ("\"%08x\"", i * 2654435761u);
      r->content_type = g_strdup ("application/x-xz");
      r->error = r->state == 6 ? g_strdup ("The server answered 503 Service Unavailable") : NULL;
      r->created = G_GINT64_CONSTANT (1790000000000000) + i * G_GINT64_CONSTANT (1000000);
      r->started = r->created + 1000;
      r->finished = r->started + 5000000;
      haul_store_save (store, r);
    }
  haul_store_flush_async (store, NULL, haul_test_async_cb, &f);
  if (!haul_store_flush_finish (store, haul_test_async_wait (&f), &error))
    g_error ("flush: %s", error->message);
  g_clear_object (&w.result);
  g_clear_object (&f.result);
  haul_store_close (store);
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- launch to a populated list");
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL, *data_dir = NULL, *db = NULL, *n_str = NULL;
  gboolean child = FALSE;
  int n = 10000, runs = 5;
  double first[64], full[64], painted[64];
  guint at_first[64];
  int ok = 0;
  GOptionEntry entries[] = {
    { "items", 'n', 0, G_OPTION_ARG_INT, &n, "History items (10000)", "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Launches (5)", "R" },
    { "child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &child, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n < 1 || runs < 1 || runs > 64)
    {
      g_printerr ("%s\n", error ? error->message : "bad arguments");
      return 2;
    }
  if (child)
    return run_child ((guint) n);

  tmp = g_dir_make_tmp ("haul-bench-startup-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (tmp, "haul", NULL);
  g_mkdir_with_parents (data_dir, 0700);
  db = g_build_filename (data_dir, "haul.db", NULL);
  write_history (db, (guint) n, tmp);
  n_str = g_strdup_printf ("%d", n);

  for (int r = 0; r < runs; r++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr(GSubprocess) proc = NULL;
      g_autofree char *t0 = NULL, *out = NULL;

      g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", tmp, TRUE);
      g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
      g_subprocess_launcher_unsetenv (launcher, "HAUL_NO_STORE");
      t0 = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());
      g_subprocess_launcher_setenv (launcher, "HAUL_BENCH_T0", t0, TRUE);
      proc = g_subprocess_launcher_spawn (launcher, &error, argv[0], "--child", "-n", n_str, NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0 ||
          sscanf (out, "%lf %u %lf %lf", &first[ok], &at_first[ok], &full[ok], &painted[ok]) != 4)
        {
          g_printerr ("run %d failed: %s\n", r, out);
          continue;
        }
      printf ("run %d: first frame %.1f ms (%u items listed), all %d items in the list %.1f ms, painted %.1f ms\n",
              r + 1, first[ok], at_first[ok], n, full[ok], painted[ok]);
      ok++;
    }

  if (ok > 0)
    {
      qsort (first, ok, sizeof (double), cmp_double);
      qsort (full, ok, sizeof (double), cmp_double);
      qsort (painted, ok, sizeof (double), cmp_double);
      printf ("%d history items, %d launches: first frame median %.1f ms, worst %.1f ms; "
              "full list median %.1f ms, worst %.1f ms; painted median %.1f ms, worst %.1f ms\n",
              n, ok, first[ok / 2], first[ok - 1], full[ok / 2], full[ok - 1],
              painted[ok / 2], painted[ok - 1]);
    }
  haul_test_rm_rf (tmp);
  return ok == runs ? 0 : 1;
}

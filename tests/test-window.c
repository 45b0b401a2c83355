/* test-window.c — the real window under Xvfb: `haul URL…` lists the queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <string.h>

#include "haul-application.h"
#include "haul-test-server.h"

typedef struct
{
  HaulApplication *app;
  HaulTestServer  *server;
  GBytes          *a;
  GBytes          *b;
  char            *dir;
  gboolean         checked;
  guint            timeout;
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

static guint
count_progress_bars (GtkWidget *widget)
{
  guint n = GTK_IS_PROGRESS_BAR (widget) && gtk_widget_get_mapped (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_progress_bars (child);
  return n;
}

static gboolean
check_cb (gpointer data)
{
  Ctx *ctx = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (ctx->app));
  HaulQueue *queue = haul_application_get_queue (ctx->app);

  if (window == NULL || g_list_model_get_n_items (G_LIST_MODEL (queue)) < 2 ||
      !haul_queue_is_idle (queue))
    return G_SOURCE_CONTINUE;

  /* Both rows are shown, by file name, with a progress bar each. */
  if (!label_with_text (GTK_WIDGET (window), "first.bin") ||
      !label_with_text (GTK_WIDGET (window), "second.bin") ||
      !label_with_text (GTK_WIDGET (window), "Completed"))
    return G_SOURCE_CONTINUE;

  g_assert_cmpuint (count_progress_bars (GTK_WIDGET (window)), ==, 2);

  /* "Clear finished" (the header button's action): the list empties, the
   * files stay. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-finished", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (queue)), ==, 0);
  {
    g_autofree char *path = g_build_filename (ctx->dir, "second.bin", NULL);

    g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  }
  ctx->checked = TRUE;
  g_application_quit (G_APPLICATION (ctx->app));
  return G_SOURCE_REMOVE;
}

static gboolean
give_up_cb (gpointer data)
{
  g_error ("the window did not show both completed downloads in time");
  return G_SOURCE_REMOVE;
}

static void
test_window_lists_command_line_urls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ua = NULL, *ub = NULL, *path = NULL, *sum = NULL, *want = NULL;
  Ctx ctx = { 0 };
  int status;

  ctx.server = haul_test_server_new ();
  ctx.a = haul_test_content (200 * 1024, 11);
  ctx.b = haul_test_content (300 * 1024, 12);
  haul_test_server_add_file (ctx.server, "/first.bin", ctx.a,
                             &(HaulTestFileOptions) { .rate = 400 * 1024 });
  haul_test_server_add_file (ctx.server, "/second.bin", ctx.b, NULL);
  ua = haul_test_server_uri (ctx.server, "/first.bin");
  ub = haul_test_server_uri (ctx.server, "/second.bin");

  /* main() pointed HOME and XDG_CONFIG_HOME at a temporary folder. */
  ctx.dir = g_strdup (g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD));
  if (ctx.dir == NULL)
    ctx.dir = g_strdup (g_get_home_dir ());
  g_mkdir_with_parents (ctx.dir, 0755);

  ctx.app = haul_application_new ();
  g_application_set_flags (G_APPLICATION (ctx.app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_timeout_add (50, check_cb, &ctx);
  ctx.timeout = g_timeout_add_seconds (60, give_up_cb, NULL);

  {
    char *argv[] = { (char *) "haul", ua, ub, NULL };

    status = g_application_run (G_APPLICATION (ctx.app), 3, argv);
  }
  g_assert_cmpint (status, ==, 0);
  g_assert_true (ctx.checked);
  g_source_remove (ctx.timeout);
  g_assert_true (g_str_has_prefix (ctx.dir, g_getenv ("HOME")));

  path = g_build_filename (ctx.dir, "first.bin", NULL);
  sum = haul_test_sha256_file (path);
  want = haul_test_sha256_bytes (ctx.a);
  g_assert_cmpstr (sum, ==, want);

  g_object_unref (ctx.app);
  g_bytes_unref (ctx.a);
  g_bytes_unref (ctx.b);
  haul_test_server_free (ctx.server);
  g_free (ctx.dir);
}

static gboolean
file_complete (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

/* `haul URL` while Haul runs hands the link to the running instance (over
 * the session bus) instead of opening a second window. */
static void
test_second_instance_forwards_urls (void)
{
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GBytes) a = haul_test_content (100 * 1024, 21);
  g_autoptr(GBytes) b = haul_test_content (150 * 1024, 22);
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ua = NULL, *ub = NULL, *pa = NULL, *pb = NULL, *sum = NULL, *want = NULL;
  const char *bin = g_getenv ("HAUL_BINARY");

  g_assert_nonnull (bin);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a D-Bus session: run under dbus-run-session");
      return;
    }

  haul_test_server_add_file (server, "/one.bin", a, NULL);
  haul_test_server_add_file (server, "/two.bin", b, NULL);
  ua = haul_test_server_uri (server, "/one.bin");
  ub = haul_test_server_uri (server, "/two.bin");
  pa = g_build_filename (g_get_home_dir (), "one.bin", NULL);
  pb = g_build_filename (g_get_home_dir (), "two.bin", NULL);

  first = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, bin, ua, NULL);
  g_assert_no_error (error);
  g_assert_true (haul_test_wait_until (file_complete, pa, 30000));

  /* The second process returns at once; the first one downloads. */
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, bin, ub, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (second, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (haul_test_wait_until (file_complete, pb, 30000));
  g_assert_nonnull (g_subprocess_get_identifier (first)); /* still running */

  sum = haul_test_sha256_file (pb);
  want = haul_test_sha256_bytes (b);
  g_assert_cmpstr (sum, ==, want);
  g_assert_cmpuint (haul_test_server_get_n_requests (server, "/two.bin"), ==, 1);

  g_subprocess_send_signal (first, SIGTERM);
  g_subprocess_wait (first, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-ui-home-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);

  /* Not G_TEST_OPTION_ISOLATE_DIRS: that hides the system's GSettings
   * schemas GTK needs. Only the home and config folders are private. */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_printerr ("no display: run the ui suite under xvfb-run\n");
      return 77;
    }

  g_test_add_func ("/haul/ui/window/lists-command-line-urls", test_window_lists_command_line_urls);
  g_test_add_func ("/haul/ui/app/second-instance-forwards-urls", test_second_instance_forwards_urls);

  return g_test_run ();
}

/* test-app.c — the application's life: downloads that outlive the window
 *
 * The real HaulApplication in this process (or the real haul binary)
 * under Xvfb and the test's D-Bus session, against the in-process HTTP
 * server, with a fake desktop (haul-test-desktop.c) recording
 * notifications and portal requests:
 *  - closing the window while a download runs keeps Haul running, says so
 *    once in a notification, and Haul quits by itself when the download is
 *    done (the file byte-identical);
 *  - Quit with running downloads asks first, counting them;
 *  - `haul` run again while Haul runs without a window shows a new window;
 *  - the Background portal request (what a Flatpak sends);
 *  - Help opens man:haul, and says so in Haul's words when it cannot;
 *  - `haul --demo` deletes its folder when stopped by SIGTERM;
 *  - `haul --proxy URL` / `--no-proxy` given to the running Haul: its
 *    downloads through the test proxy (signed in) or direct, bad values
 *    refused with status 2 and never the password.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <string.h>

#include "haul-application.h"
#include "haul-background.h"
#include "haul-help.h"
#include "haul-test-desktop.h"
#include "haul-test-proxy.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"
#include "haul-window.h"

#define WAIT_MS 30000

/* ------------------------------------------------------------------ */
/* Running the real application in this process */

typedef struct _Fixture Fixture;
typedef void (*TestBody) (Fixture *f);

struct _Fixture
{
  HaulApplication *app;
  GtkWidget       *window;
  HaulQueue       *queue;
  HaulTestServer  *server;
  char            *dir;
  TestBody         body;
  gboolean         body_done;
  gboolean         timed_out;
  guint            n_completed;  /* downloads seen completing */
};

static void
download_finished_cb (HaulQueue    *queue,
                      HaulDownload *d,
                      Fixture      *f)
{
  if (haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_COMPLETED)
    f->n_completed++;
}

static void
run_body (gpointer data)
{
  Fixture *f = data;

  f->window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_true (HAUL_IS_WINDOW (f->window));
  f->queue = haul_application_get_queue (f->app);
  /* Never said yet (the memory backend keeps keys for the whole process). */
  g_settings_reset (haul_application_get_settings (f->app), "background-notice-shown");
  g_signal_connect (f->queue, "download-finished", G_CALLBACK (download_finished_cb), f);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) gtk_widget_get_mapped, f->window, WAIT_MS));

  f->body (f);
  f->body_done = TRUE;
}

/* Ends a run that would otherwise never end (the test then fails). */
static void
time_out (gpointer data)
{
  Fixture *f = data;

  f->timed_out = TRUE;
  g_application_quit (G_APPLICATION (f->app));
}

/* Runs @body inside the application's main loop; returns once
 * g_application_run() does: when the body quit, or when Haul quit by
 * itself. @unique: registered on the session bus under its id, so that a
 * second haul process talks to it. */
static void
run_app (Fixture  *f,
         TestBody  body,
         gboolean  unique)
{
  g_autoptr(HaulApplication) app = haul_application_new ();
  char *argv[] = { (char *) "haul", NULL };
  guint timeout;
  int status;

  f->app = app;
  f->server = haul_test_server_new ();
  f->body = body;
  f->dir = haul_test_make_tmp_dir ();
  if (!unique)
    g_application_set_flags (G_APPLICATION (app),
                             G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  fake_desktop_clear ();
  g_idle_add_once (run_body, f);
  timeout = g_timeout_add_once (120 * 1000, time_out, f);
  status = g_application_run (G_APPLICATION (app), 1, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_false (f->timed_out);
  g_assert_true (f->body_done);
  g_source_remove (timeout);
  f->app = NULL;
  f->queue = NULL;
}

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->server, haul_test_server_free);
  haul_test_rm_rf (f->dir);
  g_clear_pointer (&f->dir, g_free);
}

static HaulDownload *
add_served (Fixture    *f,
            const char *path,
            GBytes     *content,
            gint64      rate)
{
  g_autofree char *uri = haul_test_server_uri (f->server, path);
  g_autoptr(GError) error = NULL;
  HaulDownload *d;

  haul_test_server_add_file (f->server, path, content, &(HaulTestFileOptions) { .rate = rate });
  d = haul_queue_add (f->queue, uri, f->dir, &error);
  g_assert_no_error (error);
  return d;
}

static gboolean
is_downloading (gpointer d)
{
  return haul_download_get_state (d) == HAUL_DOWNLOAD_STATE_DOWNLOADING &&
         haul_download_get_received (d) > 0;
}

static void
wait_downloading (HaulDownload *d)
{
  haul_test_wait_download (d, is_downloading, "downloading");
}

static gboolean
has_no_window (gpointer app)
{
  return gtk_application_get_windows (app) == NULL;
}

static gboolean
has_mapped_window (gpointer app)
{
  GtkWindow *w = gtk_application_get_active_window (app);

  return w != NULL && HAUL_IS_WINDOW (w) && gtk_widget_get_mapped (GTK_WIDGET (w));
}

static gboolean
message_dialog_shown (gpointer unused)
{
  return ADW_MESSAGE_DIALOG (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL;
}

static gboolean
no_message_dialog (gpointer unused)
{
  return ADW_MESSAGE_DIALOG (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) == NULL;
}

static AdwMessageDialog *
wait_message_dialog (void)
{
  g_assert_true (haul_test_wait_until (message_dialog_shown, NULL, WAIT_MS));
  return ADW_MESSAGE_DIALOG (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

/* Clicks the dialog's button labelled @label, as a person would. */
static void
answer (AdwMessageDialog *dialog,
        const char       *label)
{
  GtkWidget *button = haul_test_find_button (GTK_WIDGET (dialog), label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  gtk_widget_activate (button);
  haul_test_spin (100);
}

/* ------------------------------------------------------------------ */
/* The window closes, the download goes on */

static GBytes *close_content;

static void
body_close_keeps_downloading (Fixture *f)
{
  HaulDownload *d = add_served (f, "/background.bin", close_content, 128 * KIB);

  wait_downloading (d);
  gtk_window_close (GTK_WINDOW (f->window));
  g_assert_true (haul_test_wait_until (has_no_window, f->app, WAIT_MS));
  /* The body ends here, the download running: from now on only Haul's
   * hold keeps the application's main loop running. */
}

/* Closing the window (Ctrl+W) while a download runs: Haul keeps running
 * until it is done, says so once, then quits by itself, no window being
 * open. */
static void
test_close_keeps_downloading (void)
{
  Fixture f = { 0 };
  g_autofree char *listing = NULL;
  g_auto(GStrv) notes = NULL;

  close_content = haul_test_content (4 * MIB, 61);
  run_app (&f, body_close_keeps_downloading, FALSE);
  /* g_application_run() returned by itself, after the download. */
  g_assert_cmpuint (f.n_completed, ==, 1);
  haul_test_assert_file_in (f.dir, "background.bin", close_content);
  listing = haul_test_list_dir (f.dir);
  g_assert_cmpstr (listing, ==, "background.bin");

  /* Said when the window closed; then the usual "Download Finished". */
  notes = fake_desktop_calls ("Notify");
  g_assert_cmpuint (g_strv_length (notes), ==, 2);
  g_assert_cmpstr (notes[0], ==,
                   "Notify\x1f" "Haul Goes On Downloading\x1f"
                   "1 download goes on without the window. Haul quits when it is done.\x1f"
                   "default,,app.activate,Show Window");
  g_assert_true (g_str_has_prefix (notes[1], "Notify\x1f" "Download Finished\x1f" "background.bin"));
  g_clear_pointer (&close_content, g_bytes_unref);
  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Quit asks */

static char *
part_of (Fixture    *f,
         const char *name)
{
  return g_strdup_printf ("%s/%s.part", f->dir, name);
}

static void
body_quit_asks (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (4 * MIB, 62);
  HaulDownload *d[3];
  AdwMessageDialog *dialog;

  d[0] = add_served (f, "/q0.bin", content, 64 * KIB);
  d[1] = add_served (f, "/q1.bin", content, 64 * KIB);
  d[2] = add_served (f, "/q2.bin", content, 64 * KIB);
  for (guint i = 0; i < 3; i++)
    wait_downloading (d[i]);

  /* Cancel: nothing stops. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  dialog = wait_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop 3 Downloads and Quit?");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "They go on from where they stopped the next time Haul starts.");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  answer (dialog, "_Cancel");
  g_assert_true (haul_test_wait_until (no_message_dialog, NULL, WAIT_MS));
  for (guint i = 0; i < 3; i++)
    haul_test_assert_state (d[i], HAUL_DOWNLOAD_STATE_DOWNLOADING);
  g_assert_cmpuint (haul_queue_get_n_active (f->queue), ==, 3);

  /* One left: the singular. Quit: the application ends. */
  haul_queue_pause (f->queue, d[1]);
  haul_queue_pause (f->queue, d[2]);
  haul_test_wait_paused (d[1]);
  haul_test_wait_paused (d[2]);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  dialog = wait_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop 1 Download and Quit?");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "It goes on from where it stopped the next time Haul starts.");
  /* Ctrl+Q again while it is open: the same dialog, not a second one. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  haul_test_spin (100);
  g_assert_true (ADW_MESSAGE_DIALOG (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) == dialog);
  answer (dialog, "_Quit");
}

static void
test_quit_asks (void)
{
  Fixture f = { 0 };
  g_autofree char *p0 = NULL, *p1 = NULL;

  run_app (&f, body_quit_asks, FALSE);
  /* Quitting stopped the download, keeping its .part (as before). */
  p0 = part_of (&f, "q0.bin");
  p1 = part_of (&f, "q1.bin");
  g_assert_true (g_file_test (p0, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (p1, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (f.n_completed, ==, 0);
  fixture_clear (&f);
}

static void
body_quit_idle (Fixture *f)
{
  /* Nothing runs: Quit quits at once. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  haul_test_spin (200);
  g_assert_null (ADW_MESSAGE_DIALOG (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)));
}

static void
test_quit_without_downloads (void)
{
  Fixture f = { 0 };

  run_app (&f, body_quit_idle, FALSE);
  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Launching Haul again */

typedef struct
{
  gboolean done;
  char    *err;
} Second;

static void
communicated_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Second *s = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &s->err, &error));
  g_assert_no_error (error);
  s->done = TRUE;
}

typedef struct
{
  HaulQueue  *queue;
  const char *uri;
} FindDownload;

static gboolean
has_download (gpointer data)
{
  FindDownload *fd = data;

  return haul_queue_find_by_uri (fd->queue, fd->uri) != NULL;
}

static void
second_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Second *s = user_data;

  g_assert_true (g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, NULL));
  s->done = TRUE;
}

static gboolean
second_done (gpointer data)
{
  return ((Second *) data)->done;
}

static void
body_activate_after_close (Fixture *f)
{
  g_autoptr(GBytes) content = haul_test_content (4 * MIB, 63);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_auto(GStrv) notes = NULL;
  HaulDownload *d = add_served (f, "/again.bin", content, 64 * KIB);
  GtkWidget *old = f->window;
  Second s = { 0 };

  g_object_add_weak_pointer (G_OBJECT (old), (gpointer *) &old);
  wait_downloading (d);
  gtk_window_close (GTK_WINDOW (f->window));
  g_assert_true (haul_test_wait_until (has_no_window, f->app, WAIT_MS));
  g_assert_true (haul_test_wait_until (haul_test_pointer_is_null, &old, WAIT_MS));

  /* `haul` again, as from the launcher or a terminal: the running Haul
   * shows a new window; the second process ends at once. */
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, haul_test_haul_binary (), NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (proc, NULL, second_done_cb, &s);
  g_assert_true (haul_test_wait_until (has_mapped_window, f->app, WAIT_MS));
  g_assert_true (haul_test_wait_until (second_done, &s, WAIT_MS));
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_DOWNLOADING);

  /* Closed again: the notice was said once, not twice. */
  gtk_window_close (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_true (haul_test_wait_until (has_no_window, f->app, WAIT_MS));
  haul_test_spin (300);
  notes = fake_desktop_calls ("Notify");
  g_assert_cmpuint (g_strv_length (notes), ==, 1);

  /* And the activation once more, in this process (a notification's
   * default action, app.activate). */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "activate", NULL);
  g_assert_true (haul_test_wait_until (has_mapped_window, f->app, WAIT_MS));
  g_application_quit (G_APPLICATION (f->app));
}

/* `haul HAUL_ARGS…` from another process; returns its exit status and
 * what it printed on stderr. */
static int
run_second (const char * const *args,
            char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Second s = { 0 };

  g_ptr_array_add (argv, (gpointer) haul_test_haul_binary ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, communicated_cb, &s);
  g_assert_true (haul_test_wait_until (second_done, &s, WAIT_MS));
  *err = g_steal_pointer (&s.err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

static void
body_command_line_context (Fixture *f)
{
  static const char * const required[] = {
    "Cookie: sid=APPc00kie", "Referer: http://127.0.0.1/page", "User-Agent: AppAgent/2",
    "X-Token: APPheader", NULL
  };
  g_autoptr(GBytes) content = haul_test_content (200 * KIB, 64);
  g_autofree char *uri = haul_test_server_uri (f->server, "/ctx.bin");
  g_autofree char *bad_uri = haul_test_server_uri (f->server, "/never.bin");
  g_autofree char *cookies = g_build_filename (f->dir, "cookies.txt", NULL);
  g_autofree char *err = NULL;
  g_autofree char *summary = NULL;
  g_auto(GStrv) seen = NULL;
  HaulDownload *d;

  g_assert_true (g_file_set_contents (cookies, "127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tAPPc00kie\n", -1, NULL));
  haul_test_server_add_file (f->server, "/ctx.bin", content,
                             &(HaulTestFileOptions) { .require_headers = required });

  /* Bad values: exit status 2, the option named, nothing added. */
  g_assert_cmpint (run_second ((const char *[]) { "--header", "Host: APPsecret", bad_uri, NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--header: The header “Host” is set by Haul"));
  g_assert_null (strstr (err, "APPsecret"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_second ((const char *[]) { "--load-cookies", f->dir, bad_uri, NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--load-cookies: "));
  g_assert_nonnull (strstr (err, "is a folder"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_second ((const char *[]) { "--referer", NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--referer needs a value"));
  g_clear_pointer (&err, g_free);
  haul_test_spin (200);
  g_assert_null (haul_queue_find_by_uri (f->queue, bad_uri));

  /* The running Haul adds the link with everything given. */
  g_assert_cmpint (run_second ((const char *[]) { "--header=X-Token: APPheader", "--referer",
                                                  "http://127.0.0.1/page", "--user-agent", "AppAgent/2",
                                                  "--load-cookies", cookies, uri, NULL }, &err), ==, 0);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) has_download, &(FindDownload) { f->queue, uri },
                                       WAIT_MS));
  d = haul_queue_find_by_uri (f->queue, uri);
  haul_test_wait_finished (d);
  haul_test_assert_state (d, HAUL_DOWNLOAD_STATE_COMPLETED);
  summary = haul_request_context_describe (haul_download_get_request_context (d));
  g_assert_cmpstr (summary, ==, "1 cookie, referrer 127.0.0.1, own user agent, 1 extra header");
  seen = haul_test_server_get_header_values (f->server, "/ctx.bin", "X-Token");
  g_assert_cmpuint (g_strv_length (seen), >=, 1);
  g_assert_cmpstr (seen[0], ==, "APPheader");
  g_application_quit (G_APPLICATION (f->app));
}

static void
test_command_line_context (void)
{
  Fixture f = { 0 };

  run_app (&f, body_command_line_context, TRUE);
  fixture_clear (&f);
}

/* `haul --proxy URL` / `--no-proxy` handed to the running Haul: its queue
 * goes through that proxy (or none) while it runs; the settings stay. */
static void
body_command_line_proxy (Fixture *f)
{
  g_autoptr(HaulTestProxy) proxy = haul_test_proxy_new ("carol", "APPproxySECRET");
  g_autofree char *proxy_uri = haul_test_proxy_uri (proxy);
  g_autofree char *with_user = g_strdup_printf ("http://carol:APPproxySECRET@%s", proxy_uri + strlen ("http://"));
  g_autoptr(GBytes) content = haul_test_content (100 * KIB, 3);
  g_autofree char *via = haul_test_server_uri (f->server, "/via-proxy.bin");
  g_autofree char *direct = haul_test_server_uri (f->server, "/no-proxy.bin");
  g_autofree char *bad_uri = haul_test_server_uri (f->server, "/never-proxied.bin");
  g_autofree char *mode = NULL;
  g_autofree char *err = NULL;
  HaulProxySettings *ps = haul_application_get_proxy_settings (f->app);
  HaulDownload *d;
  guint forwarded;

  haul_test_server_add_file (f->server, "/via-proxy.bin", content, NULL);
  haul_test_server_add_file (f->server, "/no-proxy.bin", content, NULL);

  /* Bad values: exit status 2, the option named, never the password, nothing added. */
  g_assert_cmpint (run_second ((const char *[]) { "--proxy", "http://carol:APPproxySECRET@127.0.0.1:99999",
                                                  bad_uri, NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "haul: --proxy: “http://127.0.0.1:99999” is not a proxy address: "
                                 "the port must be from 1 to 65535"));
  g_assert_null (strstr (err, "SECRET"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_second ((const char *[]) { "--proxy=ftp://127.0.0.1:21", bad_uri, NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "haul: --proxy: "));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_second ((const char *[]) { "--proxy", NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--proxy needs a value"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_second ((const char *[]) { "--proxy", with_user, "--no-proxy", bad_uri, NULL }, &err), ==, 2);
  g_assert_nonnull (strstr (err, "haul: --proxy and --no-proxy cannot go together"));
  g_assert_null (strstr (err, "SECRET"));
  g_clear_pointer (&err, g_free);
  haul_test_spin (200);
  g_assert_null (haul_queue_find_by_uri (f->queue, bad_uri));
  g_assert_false (haul_proxy_settings_is_overridden (ps));

  /* --proxy with a user and password: through it, signed in. */
  g_assert_cmpint (run_second ((const char *[]) { "--proxy", with_user, via, NULL }, &err), ==, 0);
  g_assert_null (strstr (err, "SECRET"));
  g_clear_pointer (&err, g_free);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) has_download, &(FindDownload) { f->queue, via },
                                       WAIT_MS));
  d = haul_queue_find_by_uri (f->queue, via);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), >=, 1);
  g_assert_true (haul_proxy_settings_is_overridden (ps));
  mode = g_settings_get_string (haul_application_get_settings (f->app), "proxy-mode");
  g_assert_cmpstr (mode, ==, "system");

  /* --no-proxy: direct from now on. */
  forwarded = haul_test_proxy_get_n_forwarded (proxy);
  g_assert_cmpint (run_second ((const char *[]) { "--no-proxy", direct, NULL }, &err), ==, 0);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) has_download, &(FindDownload) { f->queue, direct },
                                       WAIT_MS));
  d = haul_queue_find_by_uri (f->queue, direct);
  haul_test_wait_finished (d);
  haul_test_assert_completed_with (d, content);
  g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), ==, forwarded);
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_NONE);
  g_application_quit (G_APPLICATION (f->app));
}

static void
test_command_line_proxy (void)
{
  Fixture f = { 0 };

  run_app (&f, body_command_line_proxy, TRUE);
  fixture_clear (&f);
}

static void
test_activate_after_close (void)
{
  Fixture f = { 0 };

  run_app (&f, body_activate_after_close, TRUE);
  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* The Background portal */

static void
test_background_portal (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) calls = NULL;
  HaulTestAsync w = { 0 };

  fake_desktop_clear ();
  haul_background_request_async (bus, "Downloads go on", NULL, haul_test_async_cb, &w);
  g_assert_true (haul_background_request_finish (bus, haul_test_async_wait (&w), &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  calls = fake_desktop_calls ("RequestBackground");
  g_assert_cmpuint (g_strv_length (calls), ==, 1);
  g_assert_cmpstr (calls[0], ==, "RequestBackground\x1f" "Downloads go on\x1f" "no-autostart");
}

/* ------------------------------------------------------------------ */
/* Help */

static char *man_handler; /* the fake man: viewer (a script) */
static char *man_opened;  /* where it writes the link it was given */

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
body_help (Fixture *f)
{
  g_autofree char *opened = NULL;
  AdwMessageDialog *dialog;

  /* A viewer of man: links: it gets man:haul. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (f->app), "help"));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "help", NULL);
  g_assert_true (haul_test_wait_until (file_exists, man_opened, WAIT_MS));
  g_assert_true (g_file_get_contents (man_opened, &opened, NULL, NULL));
  g_assert_cmpstr (g_strstrip (opened), ==, HAUL_HELP_MANUAL_URI);
  g_assert_null (ADW_MESSAGE_DIALOG (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)));

  /* No viewer: Haul says so, and offers the guide online. */
  g_assert_cmpint (g_unlink (man_handler), ==, 0);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "help", NULL);
  dialog = wait_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Manual Cannot Be Shown");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "man haul"));
  g_assert_true (adw_message_dialog_has_response (dialog, "online"));
  answer (dialog, "_Close");
  g_application_quit (G_APPLICATION (f->app));
}

static void
test_help (void)
{
  Fixture f = { 0 };

  run_app (&f, body_help, FALSE);
  fixture_clear (&f);
}

/* A desktop file for man: links, the default in mimeapps.list, written
 * before GIO reads either. */
static void
install_man_handler (const char *home)
{
  g_autofree char *apps = g_build_filename (home, ".local", "share", "applications", NULL);
  g_autofree char *desktop = g_build_filename (apps, "haul-test-man.desktop", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  g_autofree char *mimeapps = g_build_filename (config, "mimeapps.list", NULL);
  g_autofree char *entry = NULL, *script = NULL;

  man_handler = g_build_filename (home, "show-man", NULL);
  man_opened = g_build_filename (home, "man-opened", NULL);
  g_mkdir_with_parents (apps, 0755);
  g_mkdir_with_parents (config, 0755);
  script = g_strdup_printf ("#!/bin/sh\necho \"$1\" > '%s'\n", man_opened);
  g_assert_true (g_file_set_contents (man_handler, script, -1, NULL));
  g_assert_cmpint (g_chmod (man_handler, 0755), ==, 0);
  entry = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Man viewer\nExec=%s %%u\n"
                           "MimeType=x-scheme-handler/man;\nNoDisplay=true\n", man_handler);
  g_assert_true (g_file_set_contents (desktop, entry, -1, NULL));
  g_assert_true (g_file_set_contents (mimeapps,
                                      "[Default Applications]\n"
                                      "x-scheme-handler/man=haul-test-man.desktop\n"
                                      "[Removed Associations]\n"
                                      "x-scheme-handler/man=yelp.desktop;\n",
                                      -1, NULL));
}

/* ------------------------------------------------------------------ */
/* `haul --demo` */

static gboolean
demo_downloading (gpointer tmp)
{
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "haul-demo-"))
      {
        g_autofree char *path = g_build_filename (tmp, name, NULL);
        g_autofree char *list = haul_test_list_dir (path);

        return strstr (list, ".part") != NULL;
      }
  return FALSE;
}

/* The demo's folder goes when it quits, SIGTERM included, .part files and
 * all. */
static void
test_demo_sigterm (void)
{
  g_autofree char *tmp = haul_test_make_tmp_dir ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) demo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *left = NULL;

  g_subprocess_launcher_setenv (launcher, "TMPDIR", tmp, TRUE);
  demo = g_subprocess_launcher_spawn (launcher, &error, haul_test_haul_binary (), "--demo", NULL);
  g_assert_no_error (error);
  g_assert_true (haul_test_wait_until (demo_downloading, tmp, WAIT_MS));

  g_subprocess_send_signal (demo, SIGTERM);
  g_assert_true (g_subprocess_wait (demo, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (demo));
  g_assert_cmpint (g_subprocess_get_exit_status (demo), ==, 0);
  left = haul_test_list_dir (tmp);
  g_assert_cmpstr (left, ==, "");
  haul_test_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-app-home-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  g_autofree char *data = g_build_filename (home, ".local", "share", NULL);

  /* As in test-window.c: a private home and config, no saved list. */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("HAUL_NO_STORE", "1", TRUE);
  install_man_handler (home);
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      g_printerr ("no display or no D-Bus session: run the ui suite under "
                  "dbus-run-session -- xvfb-run -a\n");
      return 77;
    }
  fake_desktop_start ();

  g_test_add_func ("/haul/ui/app/close-keeps-downloading", test_close_keeps_downloading);
  g_test_add_func ("/haul/ui/app/quit-asks", test_quit_asks);
  g_test_add_func ("/haul/ui/app/quit-without-downloads", test_quit_without_downloads);
  g_test_add_func ("/haul/ui/app/activate-after-close", test_activate_after_close);
  g_test_add_func ("/haul/ui/app/command-line-context", test_command_line_context);
  g_test_add_func ("/haul/ui/app/command-line-proxy", test_command_line_proxy);
  g_test_add_func ("/haul/ui/app/background-portal", test_background_portal);
  g_test_add_func ("/haul/ui/app/help", test_help);
  g_test_add_func ("/haul/ui/app/demo-sigterm", test_demo_sigterm);

  return g_test_run ();
}

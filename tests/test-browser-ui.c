/* test-browser-ui.c — Preferences → Browser and a handoff, in the real application under Xvfb
 *
 * The real HaulApplication runs in this process (its endpoint on an
 * ephemeral port: HAUL_BROWSER_PORT=0); the test turns the switch on in
 * the real Preferences window, pairs a browser with the code the window
 * shows over real HTTP, hands a download over, and takes it back with the
 * toast's Undo. With HAUL_SCREENSHOT_DIR set it also takes screenshots
 * (import, xdotool) at those moments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>
#include <stdio.h>
#include <string.h>

#include "haul-application.h"
#include "haul-folders.h"
#include "haul-preferences-window.h"
#include "haul-test-desktop.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"
#include "haul-window.h"

#define WAIT_MS 20000

typedef struct
{
  HaulApplication *app;
  GtkWidget       *window;
  HaulQueue       *queue;
  HaulTestServer  *server;
  GBytes          *content;
  gboolean         done;
} Fixture;

/* ------------------------------------------------------------------ */
/* Raw HTTP to the endpoint (blocking: it answers on its own thread) */

typedef struct
{
  guint  status;
  char  *body;
} Response;

static void
response_free (Response *r)
{
  g_free (r->body);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static Response *
http_blocking (guint       port,
               const char *method,
               const char *path,
               const char *token,
               const char *body)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GString) req = g_string_new (NULL);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  GInputStream *in;
  char buf[4096], *end;
  gssize n;
  Response *r;

  g_socket_client_set_timeout (client, 20);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  if (conn == NULL)
    return NULL;
  g_string_append_printf (req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-Haul-Client: 1\r\n"
                          "Origin: moz-extension://test\r\nConnection: close\r\n", method, path, port);
  if (token != NULL)
    g_string_append_printf (req, "Authorization: Bearer %s\r\n", token);
  if (body != NULL)
    g_string_append_printf (req, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                            strlen (body), body);
  else
    g_string_append (req, "\r\n");
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), req->str, req->len,
                             NULL, NULL, NULL);
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    g_byte_array_append (bytes, (guint8 *) buf, n);
  if (bytes->len == 0)
    return NULL;
  g_byte_array_append (bytes, (guint8 *) "", 1);
  r = g_new0 (Response, 1);
  g_assert_cmpint (sscanf ((char *) bytes->data, "HTTP/1.%*d %u", &r->status), ==, 1);
  g_assert_null (strstr ((char *) bytes->data, "Access-Control-"));
  end = strstr ((char *) bytes->data, "\r\n\r\n");
  r->body = g_strdup (end != NULL ? end + 4 : "");
  return r;
}

typedef struct
{
  guint       port;
  const char *method, *path, *token, *body;
  Response   *response;
  gint        done;   /* atomic */
} Exchange;

static gpointer
exchange_thread (gpointer data)
{
  Exchange *x = data;

  x->response = http_blocking (x->port, x->method, x->path, x->token, x->body);
  g_atomic_int_set (&x->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* One request on its own thread while this one keeps the window going: a
 * handoff is answered once the main thread has seen it. */
static Response *
http (guint       port,
      const char *method,
      const char *path,
      const char *token,
      const char *body)
{
  Exchange x = { port, method, path, token, body, NULL, 0 };
  GThread *thread = g_thread_new ("exchange", exchange_thread, &x);

  while (!g_atomic_int_get (&x.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  return x.response;
}

/* ------------------------------------------------------------------ */
/* Widgets */

static gboolean
prefs_shown (gpointer data)
{
  return haul_test_find_toplevel (HAUL_TYPE_PREFERENCES_WINDOW) != NULL;
}

static gboolean
port_known (gpointer data)
{
  return haul_browser_get_port (data) != 0;
}

static gboolean
port_closed (gpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                                       GPOINTER_TO_UINT (data), NULL, NULL);

  return conn == NULL;
}

typedef struct
{
  HaulQueue *queue;
  guint      n;
} QueueCount;

static gboolean
queue_has_n (gpointer data)
{
  QueueCount *c = data;

  return g_list_model_get_n_items (G_LIST_MODEL (c->queue)) == c->n;
}

static void
wait_n_items (Fixture *f,
              guint    n)
{
  QueueCount c = { f->queue, n };

  g_assert_true (haul_test_wait_until (queue_has_n, &c, WAIT_MS));
}

/* With HAUL_SCREENSHOT_DIR: the screen, with the window named @title at
 * @width (xdotool), as DIR/NAME.png. */
static void
screenshot (const char *title,
            guint       width,
            const char *name)
{
  g_autofree char *resize = NULL;

  if (g_getenv ("HAUL_SCREENSHOT_DIR") == NULL)
    return;
  resize = g_strdup_printf ("xdotool search --onlyvisible --name '^%s$' windowsize %u 700", title, width);
  g_spawn_command_line_sync (resize, NULL, NULL, NULL, NULL);
  haul_test_spin (800);
  haul_test_screenshot ("HAUL_SCREENSHOT_DIR", name);
}

typedef struct
{
  HaulDownload      *download;
  HaulDownloadState  state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *w = data;

  return haul_download_get_state (w->download) == w->state;
}

static gboolean
has_received (gpointer data)
{
  return haul_download_get_received (data) > 0;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

/* The browser starts a file again whose download in Haul stopped: the
 * endpoint answers "offered", Haul asks, and Continue checks the new link
 * and continues the .part from where it stopped. @old_path and
 * @fresh_path serve the same file; with @named the browser says the file's
 * name (Firefox), without it Haul goes by the link's last part (Chromium
 * does not know the name yet when it hands over). */
static void
offer_continue (Fixture    *f,
                guint       port,
                const char *token,
                const char *old_path,
                const char *fresh_path,
                gboolean    named)
{
  HaulApplication *app = f->app;
  const char *folder = haul_application_get_download_folder (app);
  g_autofree char *old_link = g_strdup_printf ("http://127.0.0.1:%u%s", haul_test_server_get_port (f->server),
                                               old_path);
  g_autofree char *fresh_link = g_strdup_printf ("http://127.0.0.1:%u%s", haul_test_server_get_port (f->server),
                                                 fresh_path);
  g_autofree char *name_member = NULL;
  g_autofree char *json = NULL;
  g_autofree char *heading = NULL;
  g_autoptr(Response) r = NULL;
  g_auto(GStrv) ranges = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *question;
  HaulDownload *old;
  gint64 kept;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  old = haul_queue_add (f->queue, old_link, folder, &error);
  g_assert_no_error (error);
  g_assert_true (haul_test_wait_until (has_received, old, WAIT_MS));
  haul_queue_pause (f->queue, old);
  g_assert_true (haul_test_wait_until (state_is, &(StateWait) { old, HAUL_DOWNLOAD_STATE_PAUSED }, WAIT_MS));
  kept = haul_download_get_received (old);
  g_assert_cmpint (kept, >, 0);
  g_assert_cmpint (kept, <, haul_download_get_total (old));

  name_member = named ? g_strdup_printf ("\"filename\": \"%s\", ", haul_download_get_filename (old))
                      : g_strdup ("");
  json = g_strdup_printf ("{\"url\": \"%s\", %s\"size\": %" G_GINT64_FORMAT ", "
                          "\"cookies\": [{\"name\": \"sid\", \"value\": \"c00kie\", \"domain\": \"127.0.0.1\"}]}",
                          fresh_link, name_member, haul_download_get_total (old));
  r = http (port, "POST", "/v1/downloads", token, json);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->status, ==, 202);
  g_assert_nonnull (strstr (r->body, "\"status\":\"offered\""));

  g_assert_true (haul_test_wait_until (message_dialog_shown, NULL, WAIT_MS));
  question = ADW_MESSAGE_DIALOG (haul_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  heading = g_strdup_printf ("Continue “%s”?", haul_download_get_filename (old));
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, heading);
  screenshot ("Haul", 1000, "handoff-offer-1000");
  g_signal_emit_by_name (haul_test_find_button (GTK_WIDGET (question), "Continue"), "clicked");

  /* The relink dialog checks the link, then the download goes on. */
  g_assert_true (haul_test_wait_until (state_is, &(StateWait) { old, HAUL_DOWNLOAD_STATE_COMPLETED }, WAIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->queue)), ==, 1);
  g_assert_cmpstr (haul_download_get_uri (old), ==, fresh_link);
  haul_test_assert_file_in (folder, haul_download_get_filename (old), f->content);
  /* From the new link: the probe, then only what was missing. */
  ranges = haul_test_server_get_ranges (f->server, fresh_path);
  g_assert_cmpuint (g_strv_length (ranges), >=, 2);
  g_assert_cmpstr (ranges[0], ==, "bytes=0-0");
  g_assert_true (g_str_has_prefix (ranges[1], "bytes="));
  g_assert_cmpint (g_ascii_strtoll (ranges[1] + 6, NULL, 10), <=, kept);
  g_assert_cmpint (g_ascii_strtoll (ranges[1] + 6, NULL, 10), >, 0);
  /* With the browser's cookie. */
  {
    g_auto(GStrv) cookies = haul_test_server_get_header_values (f->server, fresh_path, "Cookie");

    g_assert_cmpstr (cookies[g_strv_length (cookies) - 1], ==, "sid=c00kie");
  }
  haul_queue_remove (f->queue, old);
  wait_n_items (f, 0);
  g_assert_true (haul_test_wait_until (haul_test_toplevel_gone, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG),
                                       WAIT_MS));
}

/* ------------------------------------------------------------------ */

static char *
pair (guint       port,
      const char *code,
      const char *browser)
{
  g_autofree char *body = g_strdup_printf ("{\"code\": \"%s\", \"browser\": \"%s\"}", code, browser);
  g_autoptr(Response) r = http (port, "POST", "/v1/pair", NULL, body);
  const char *t;

  g_assert_nonnull (r);
  g_assert_cmpuint (r->status, ==, 200);
  t = strstr (r->body, "\"token\":\"");
  g_assert_nonnull (t);
  return g_strndup (t + 9, 43);
}

static void
body (Fixture *f)
{
  HaulBrowser *browser = haul_application_get_browser (f->app);
  GtkWindow *prefs;
  GtkLabel *code_label;
  g_autofree char *code = NULL;
  g_autofree char *token = NULL;
  g_autofree char *status = NULL;
  g_autofree char *link = NULL;
  g_autofree char *json = NULL;
  g_autoptr(Response) hello = NULL;
  g_autoptr(Response) added = NULL;
  g_autoptr(Response) late = NULL;
  g_autoptr(Response) revoked = NULL;
  guint port;

  g_assert_nonnull (browser);
  g_assert_cmpuint (haul_browser_get_port (browser), ==, 0);   /* off by default */

  /* Preferences → Browser: the switch starts the endpoint. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  g_assert_true (haul_test_wait_until (prefs_shown, NULL, WAIT_MS));
  prefs = haul_test_find_toplevel (HAUL_TYPE_PREFERENCES_WINDOW);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs),
                                           haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW,
                                                                     "browser_page"));
  g_assert_false (gtk_widget_get_visible (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "pair_group")));
  g_assert_true (gtk_widget_activate (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "browser_switch")));
  g_assert_true (haul_test_wait_until (port_known, browser, WAIT_MS));
  port = haul_browser_get_port (browser);
  status = g_strdup_printf ("Listening on 127.0.0.1 and ::1, port %u", port);
  haul_test_assert_shows (GTK_WIDGET (prefs), status);
  haul_test_assert_shows (GTK_WIDGET (prefs), "No browser is paired yet");

  /* The code it shows pairs a browser (over HTTP, as the extension does). */
  code_label = haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "code_label");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (code_label)));
  code = g_strdup (gtk_label_get_text (code_label));
  g_assert_cmpuint (strlen (code), ==, HAUL_PAIRING_CODE_LENGTH);
  token = pair (port, code, "Firefox");
  haul_test_assert_shows (GTK_WIDGET (prefs), "Firefox");
  g_assert_false (gtk_widget_get_visible (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "paired_empty_row")));
  /* The used code is gone: a new one is shown. */
  haul_test_spin (100);
  g_assert_cmpstr (gtk_label_get_text (code_label), !=, code);
  hello = http (port, "GET", "/v1/hello", token, NULL);
  g_assert_nonnull (hello);
  g_assert_cmpuint (hello->status, ==, 200);
  g_assert_nonnull (strstr (hello->body, "\"browser\":\"Firefox\""));
  screenshot ("Preferences", 1000, "preferences-browser-1000");
  screenshot ("Preferences", 360, "preferences-browser-360");

  /* Closing Preferences drops the code. */
  g_free (code);
  code = g_strdup (gtk_label_get_text (code_label));
  gtk_window_close (prefs);
  haul_test_spin (200);
  late = http (port, "POST", "/v1/pair", NULL, "{\"code\": \"ABCDEF\", \"browser\": \"Evil\"}");
  g_assert_cmpuint (late->status, ==, 403);
  g_clear_pointer (&late, response_free);
  json = g_strdup_printf ("{\"code\": \"%s\", \"browser\": \"Evil\"}", code);
  late = http (port, "POST", "/v1/pair", NULL, json);
  g_assert_cmpuint (late->status, ==, 403);

  /* A handoff: a row and the toast, like a drop; Undo takes it back. */
  link = g_strdup_printf ("http://127.0.0.1:%u/dl?id=7", haul_test_server_get_port (f->server));
  g_free (json);
  json = g_strdup_printf ("{\"url\": \"%s\", \"filename\": \"file.iso\", \"size\": 4194304}", link);
  added = http (port, "POST", "/v1/downloads", token, json);
  g_assert_cmpuint (added->status, ==, 202);
  wait_n_items (f, 1);
  g_assert_nonnull (haul_queue_find_by_uri (f->queue, link));
  haul_test_assert_shows (f->window, "Added “file.iso” from Firefox");
  screenshot ("Haul", 1000, "handoff-toast-1000");
  haul_test_spin (400);   /* not while the toast slides in (libadwaita 1.2.2) */
  g_signal_emit_by_name (haul_test_find_button (f->window, "Undo"), "clicked");
  wait_n_items (f, 0);

  offer_continue (f, port, token, "/dl", "/fresh", TRUE);
  offer_continue (f, port, token, "/old/report.bin", "/fresh/report.bin", FALSE);

  /* Revoked in Preferences: the token no longer works. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  g_assert_true (haul_test_wait_until (prefs_shown, NULL, WAIT_MS));
  prefs = haul_test_find_toplevel (HAUL_TYPE_PREFERENCES_WINDOW);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs),
                                           haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW,
                                                                     "browser_page"));
  haul_test_assert_shows (GTK_WIDGET (prefs), "Firefox");
  g_signal_emit_by_name (haul_test_find_button (GTK_WIDGET (prefs), "Revoke"), "clicked");
  haul_test_assert_shows (GTK_WIDGET (prefs), "No browser is paired yet");
  revoked = http (port, "GET", "/v1/hello", token, NULL);
  g_assert_cmpuint (revoked->status, ==, 401);

  /* Off: it stops listening. */
  g_assert_true (gtk_widget_activate (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "browser_switch")));
  g_assert_true (haul_test_wait_until (port_closed, GUINT_TO_POINTER (port), WAIT_MS));
  g_assert_cmpuint (haul_browser_get_port (browser), ==, 0);
  g_assert_false (gtk_widget_get_visible (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "pair_group")));

  /* A port another program holds: the subtitle says so, in red; off
   * again, the plain subtitle. */
  {
    g_autoptr(GSocketListener) other = g_socket_listener_new ();
    g_autoptr(GError) error = NULL;
    g_autofree char *taken = NULL;
    g_autofree char *said = NULL;
    guint16 busy = g_socket_listener_add_any_inet_port (other, NULL, &error);

    g_assert_no_error (error);
    taken = g_strdup_printf ("%u", busy);
    g_setenv ("HAUL_BROWSER_PORT", taken, TRUE);
    g_assert_true (gtk_widget_activate (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "browser_switch")));
    said = g_strdup_printf ("Haul cannot listen on port %u", busy);
    haul_test_assert_shows (GTK_WIDGET (prefs), said);
    g_assert_true (gtk_widget_has_css_class (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "browser_row"), "error"));
    g_assert_cmpuint (haul_browser_get_port (browser), ==, 0);
    g_assert_true (gtk_widget_activate (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "browser_switch")));
    haul_test_assert_shows (GTK_WIDGET (prefs), "Paired browsers can hand their downloads over to Haul");
    g_assert_false (gtk_widget_has_css_class (haul_test_template_child (prefs, HAUL_TYPE_PREFERENCES_WINDOW, "browser_row"), "error"));
    g_setenv ("HAUL_BROWSER_PORT", "0", TRUE);
  }
  gtk_window_close (prefs);
}

static void
run_body (gpointer data)
{
  Fixture *f = data;

  f->window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_true (HAUL_IS_WINDOW (f->window));
  f->queue = haul_application_get_queue (f->app);
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) gtk_widget_get_mapped, f->window, WAIT_MS));
  body (f);
  f->done = TRUE;
  g_application_quit (G_APPLICATION (f->app));
}

static void
test_browser (void)
{
  g_autoptr(HaulApplication) app = haul_application_new ();
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autoptr(GBytes) content = haul_test_content (4 * 1024 * 1024, 7);
  Fixture f = { 0 };
  char *argv[] = { (char *) "haul", NULL };

  haul_test_server_add_file (server, "/dl", content, &(HaulTestFileOptions) { .rate = 256 * 1024 });
  haul_test_server_add_file (server, "/fresh", content, NULL);
  haul_test_server_add_file (server, "/old/report.bin", content, &(HaulTestFileOptions) { .rate = 256 * 1024 });
  haul_test_server_add_file (server, "/fresh/report.bin", content, NULL);
  f.app = app;
  f.content = content;
  f.server = server;
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_idle_add_once (run_body, &f);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_true (f.done);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("haul-ui-home-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);

  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("HAUL_NO_STORE", "1", TRUE);
  g_setenv ("HAUL_BROWSER_PORT", "0", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      g_printerr ("no display or no D-Bus session: run the ui suite under dbus-run-session -- xvfb-run -a\n");
      return 77;
    }
  fake_desktop_start ();

  g_test_add_func ("/haul/ui/browser/pair-handoff-revoke", test_browser);

  return g_test_run ();
}

/* test-proxy-group.c — Preferences → Proxy (HaulProxyGroup) and the queue following it, under Xvfb
 *
 * The real application in this process (haul_test_run_in_app()), a
 * throwaway AdwPreferencesWindow holding a HaulProxyGroup, GSettings'
 * memory backend, and a real keyring (tests/haul-test-keyring.c:
 * gnome-keyring-daemon, secrets only, in the test's D-Bus session with a
 * throwaway home), checked with libsecret's own `secret-tool` too.
 *  - the modes: the manual rows only while Manual, proxy-mode written;
 *  - bad text in a row: the error style and the sentence under the group,
 *    the setting unchanged; fixed: the error gone, the value saved;
 *  - the password in the keyring (server "proxy", the user), never in
 *    GSettings;
 *  - the app's queue following it: a download through the test proxy
 *    (with sign-in: the keyring's password) after Manual, direct after
 *    No Proxy, files byte-identical;
 *  - HaulProxySettings alone: a hand-edited invalid value connects
 *    directly with a warning that never quotes a password, and the command
 *    line's override wins over the settings;
 *  - the password in nothing logged (G_MESSAGES_DEBUG=all, captured).
 * HAUL_SHOTS_DIR=DIR: screenshots of the group at 1000 and 360 px.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "haul-application.h"
#include "haul-proxy-group.h"
#include "haul-proxy-settings.h"
#include "haul-test-desktop.h"
#include "haul-test-keyring.h"
#include "haul-test-log.h"
#include "haul-test-proxy.h"
#include "haul-test-queue.h"
#include "haul-test-server.h"
#include "haul-test-widgets.h"

#define WAIT_MS 30000
#define USER "proxyuser"
#define PASSWORD "pr0xy-SECRET-pw"

/* ------------------------------------------------------------------ */

static void
reset_proxy_keys (GSettings *settings)
{
  static const char * const keys[] = { "proxy-mode", "proxy-http", "proxy-https", "proxy-socks",
                                       "proxy-user", "proxy-ignore-hosts" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
}

static void
assert_setting (GSettings  *settings,
                const char *key,
                const char *expected)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_assert_cmpstr (value, ==, expected);
}

/* No key of Haul's settings holds @secret. */
static void
assert_not_in_settings (GSettings  *settings,
                        const char *secret)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, secret));
    }
}

/* The GtkText inside @row: activating it is pressing Enter in the row. */
static GtkWidget *
find_text (GtkWidget *widget)
{
  if (GTK_IS_TEXT (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_text (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
row (HaulProxyGroup *group,
     const char     *name)
{
  return haul_test_template_child (group, HAUL_TYPE_PROXY_GROUP, name);
}

/* Types @text into @name's row and presses Enter. */
static void
enter (HaulProxyGroup *group,
       const char     *name,
       const char     *text)
{
  GtkWidget *r = row (group, name);
  GtkWidget *t = find_text (r);

  g_assert_nonnull (t);
  gtk_editable_set_text (GTK_EDITABLE (r), text);
  g_signal_emit_by_name (t, "activate");  /* what Enter does */
  haul_test_spin (50);
}

static gboolean
proxy_ready (gpointer data)
{
  HaulProxySettings *ps = data;

  return haul_proxy_settings_get_mode (ps) == HAUL_PROXY_MODE_MANUAL && haul_proxy_settings_has_password (ps);
}

static gboolean
proxy_none (gpointer data)
{
  return haul_proxy_settings_get_mode (data) == HAUL_PROXY_MODE_NONE;
}

static HaulDownload *
download (HaulTestApp *f,
          const char  *path,
          GBytes      *content)
{
  g_autofree char *uri = haul_test_server_uri (f->server, path);
  g_autoptr(GError) error = NULL;
  HaulDownload *d;

  haul_test_server_add_file (f->server, path, content, NULL);
  d = haul_queue_add (f->queue, uri, f->dir, &error);
  g_assert_no_error (error);
  haul_test_wait_finished (d);
  return d;
}

static void
body_group (HaulTestApp *f)
{
  GSettings *settings = haul_application_get_settings (f->app);
  HaulProxySettings *ps = haul_application_get_proxy_settings (f->app);
  g_autoptr(HaulTestProxy) proxy = haul_test_proxy_new (USER, PASSWORD);
  g_autofree char *proxy_uri = haul_test_proxy_uri (proxy);
  const char *address = proxy_uri + strlen ("http://");
  g_autoptr(GBytes) one = haul_test_content (64 * KIB, 7);
  g_autoptr(GBytes) two = haul_test_content (48 * KIB, 9);
  g_autofree char *in_keyring = NULL;
  g_autofree char *http = NULL;
  g_auto(GStrv) hosts = NULL;
  AdwPreferencesWindow *window;
  AdwPreferencesPage *page;
  HaulProxyGroup *group;
  HaulDownload *d;

  reset_proxy_keys (settings);
  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0700), ==, 0);
  window = ADW_PREFERENCES_WINDOW (adw_preferences_window_new ());
  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (f->app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  adw_preferences_page_set_title (page, "Network");
  group = HAUL_PROXY_GROUP (haul_proxy_group_new ());
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (group));
  adw_preferences_window_add (window, page);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (haul_test_wait_until ((HaulTestPredicate) gtk_widget_get_mapped, group, WAIT_MS));

  /* System settings: the manual rows are hidden. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row (group, "mode_row"))), ==, 0);
  g_assert_false (gtk_widget_get_visible (row (group, "http_row")));
  g_assert_false (gtk_widget_get_visible (row (group, "password_row")));
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_SYSTEM);

  /* Manual: shown, and saved. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (group, "mode_row")), 2);
  g_assert_true (gtk_widget_get_visible (row (group, "http_row")));
  g_assert_true (gtk_widget_get_visible (row (group, "hosts_row")));
  assert_setting (settings, "proxy-mode", "manual");

  /* Bad text: the error style and the sentence, nothing saved. */
  enter (group, "http_row", "proxy.example:99999");
  g_assert_true (gtk_widget_has_css_class (row (group, "http_row"), "error"));
  g_assert_cmpstr (haul_proxy_group_get_error_text (group), ==,
                   "HTTP Proxy: “proxy.example:99999” is not a proxy address: the port must be from 1 to 65535");
  haul_test_assert_shows (GTK_WIDGET (window), "the port must be from 1 to 65535");
  http = g_settings_get_string (settings, "proxy-http");
  g_assert_cmpstr (http, ==, "");
  enter (group, "socks_row", "socks5://127.0.0.1:1080");
  g_assert_nonnull (strstr (haul_proxy_group_get_error_text (group),
                            "SOCKS5 Proxy: “socks5://127.0.0.1:1080” is not a proxy address: write only the host"));
  enter (group, "hosts_row", "example.org, bad host!");
  g_assert_nonnull (strstr (haul_proxy_group_get_error_text (group), "Hosts Without Proxy: “host!”"));
  enter (group, "password_row", PASSWORD);
  g_assert_nonnull (strstr (haul_proxy_group_get_error_text (group), "Password: type the user name first"));
  haul_test_screenshots (GTK_WINDOW (window), "HAUL_SHOTS_DIR", "proxy-group-errors");

  /* Fixed: the errors go as the text is corrected, the values are saved
   * when applied. Hosts without 127.0.0.1, so the test server goes
   * through the proxy. */
  gtk_editable_set_text (GTK_EDITABLE (row (group, "socks_row")), "");
  g_assert_false (gtk_widget_has_css_class (row (group, "socks_row"), "error"));
  enter (group, "socks_row", "");
  enter (group, "http_row", address);
  g_assert_false (gtk_widget_has_css_class (row (group, "http_row"), "error"));
  g_clear_pointer (&http, g_free);
  http = g_settings_get_string (settings, "proxy-http");
  g_assert_cmpstr (http, ==, address);
  enter (group, "hosts_row", "example.org, .example.net, 10.0.0.0/8");
  hosts = g_settings_get_strv (settings, "proxy-ignore-hosts");
  g_assert_cmpuint (g_strv_length (hosts), ==, 3);
  g_assert_cmpstr (hosts[1], ==, ".example.net");
  enter (group, "user_row", USER);
  assert_setting (settings, "proxy-user", USER);
  enter (group, "password_row", PASSWORD);
  g_assert_cmpstr (haul_proxy_group_get_error_text (group), ==, "");
  g_assert_false (gtk_widget_get_visible (haul_test_template_child (group, HAUL_TYPE_PROXY_GROUP, "error_label")));

  /* The password: in the keyring, never in the settings. */
  in_keyring = haul_test_keyring_wait_for ("proxy", USER, PASSWORD);
  g_assert_cmpstr (in_keyring, ==, PASSWORD);
  assert_not_in_settings (settings, PASSWORD);
  haul_test_screenshot_at (GTK_WINDOW (window), "HAUL_SHOTS_DIR", "proxy-group-manual", 1000);
  haul_test_screenshot_at (GTK_WINDOW (window), "HAUL_SHOTS_DIR", "proxy-group-manual", 360);

  /* The queue follows: through the proxy, signed in with the keyring's password. */
  g_assert_true (haul_test_wait_until (proxy_ready, ps, WAIT_MS));
  d = download (f, "/through.bin", one);
  haul_test_assert_completed_with (d, one);
  g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), >=, 1);
  g_assert_cmpuint (haul_test_server_get_n_requests (f->server, "/through.bin"), >=, 1);

  /* No Proxy: the rows hidden, the next download direct. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (group, "mode_row")), 1);
  g_assert_false (gtk_widget_get_visible (row (group, "http_row")));
  assert_setting (settings, "proxy-mode", "none");
  g_assert_true (haul_test_wait_until (proxy_none, ps, WAIT_MS));
  {
    guint forwarded = haul_test_proxy_get_n_forwarded (proxy);

    d = download (f, "/direct.bin", two);
    haul_test_assert_completed_with (d, two);
    g_assert_cmpuint (haul_test_proxy_get_n_forwarded (proxy), ==, forwarded);
  }
  haul_test_screenshot_at (GTK_WINDOW (window), "HAUL_SHOTS_DIR", "proxy-group-none", 360);

  /* A new group shows what was saved (the password from the keyring). */
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (group, "mode_row")), 2);
  gtk_window_destroy (GTK_WINDOW (window));
  {
    g_autoptr(HaulProxyGroup) again = g_object_ref_sink (HAUL_PROXY_GROUP (haul_proxy_group_new ()));

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (again, "http_row"))), ==, address);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (again, "user_row"))), ==, USER);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row (again, "hosts_row"))), ==,
                     "example.org, .example.net, 10.0.0.0/8");
    g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row (again, "mode_row"))), ==, 2);
    g_assert_true (haul_test_wait_until ((HaulTestPredicate) gtk_editable_get_text, row (again, "password_row"),
                                         WAIT_MS));
  }
  reset_proxy_keys (settings);
  g_assert_true (haul_test_log_captured_any ());
  haul_test_assert_not_logged (PASSWORD);
}

static void
test_group (void)
{
  haul_test_run_in_app (body_group);
}

/* ------------------------------------------------------------------ */
/* HaulProxySettings alone: invalid stored values, the override */

static GPtrArray *warnings;

/* haul-proxy-settings' warnings are recorded, not printed (TAP would
 * read GLib's "Bail out!") and not fatal; any other stays fatal. */
static void
record_warning (const char     *domain,
                GLogLevelFlags  level,
                const char     *message,
                gpointer        data)
{
  g_ptr_array_add (warnings, g_strdup (message));
}

static gboolean
fatal_unless_recorded (const char     *domain,
                       GLogLevelFlags  level,
                       const char     *message,
                       gpointer        data)
{
  return g_strcmp0 (domain, "haul-proxy-settings") != 0;
}

/* A download through @queue fails with @reason in its message and never
 * reaches the server (nothing went around the proxy). */
static void
assert_refused (HaulQueue  *queue,
                const char *reason)
{
  g_autoptr(HaulTestServer) server = haul_test_server_new ();
  g_autofree char *dir = haul_test_make_tmp_dir ();
  g_autofree char *uri = haul_test_server_uri (server, "/around.bin");
  g_autoptr(GBytes) content = g_bytes_new_static ("around the proxy", 16);
  g_autoptr(GError) error = NULL;
  HaulDownload *d;

  haul_test_server_add_file (server, "/around.bin", content, NULL);
  g_object_set (queue, "max-retries", 0, NULL);
  d = haul_queue_add (queue, uri, dir, &error);
  g_assert_no_error (error);
  haul_test_wait_finished (d);
  g_assert_cmpint (haul_download_get_state (d), ==, HAUL_DOWNLOAD_STATE_FAILED);
  g_assert_nonnull (strstr (haul_download_get_error (d), reason));
  g_assert_null (strstr (haul_download_get_error (d), PASSWORD));
  g_assert_cmpuint (haul_test_server_get_n_requests (server, "/around.bin"), ==, 0);
  haul_queue_remove (queue, d);
  haul_test_rm_rf (dir);
}

static void
test_settings_fallback (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.haulapp.Haul");
  g_autoptr(HaulQueue) queue = haul_queue_new ();
  g_autoptr(HaulProxySettings) ps = NULL;
  g_autoptr(HaulProxyUrl) url = NULL;
  g_autoptr(GError) error = NULL;
  guint handler;

  warnings = g_ptr_array_new_with_free_func (g_free);
  handler = g_log_set_handler ("haul-proxy-settings", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                               record_warning, NULL);
  g_test_log_set_fatal_handler (fatal_unless_recorded, NULL);
  reset_proxy_keys (settings);
  ps = haul_proxy_settings_new (settings, queue);
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_SYSTEM);

  /* A hand-edited address with a password in it: nothing connects (never
   * directly, around the proxy), the reason never quotes it. */
  g_settings_set_string (settings, "proxy-http", "bob:" PASSWORD "@127.0.0.1:3128");
  g_settings_set_string (settings, "proxy-mode", "manual");
  haul_test_spin (50);
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_MANUAL);
  g_assert_cmpuint (warnings->len, >=, 1);
  for (guint i = 0; i < warnings->len; i++)
    {
      g_assert_null (strstr (g_ptr_array_index (warnings, i), PASSWORD));
      g_assert_nonnull (strstr (g_ptr_array_index (warnings, i), "nothing connects"));
    }
  assert_refused (queue, "write only host:port");

  /* A bad port: nothing connects, the reason said, in the download too. */
  g_ptr_array_set_size (warnings, 0);
  g_settings_set_string (settings, "proxy-http", "127.0.0.1:99999");
  haul_test_spin (50);
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_MANUAL);
  g_assert_cmpuint (warnings->len, >=, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, warnings->len - 1),
                            "the port must be from 1 to 65535"));
  assert_refused (queue, "the port must be from 1 to 65535");

  /* Valid: manual. */
  g_ptr_array_set_size (warnings, 0);
  g_settings_set_string (settings, "proxy-http", "127.0.0.1:3128");
  haul_test_spin (50);
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_MANUAL);
  g_assert_cmpuint (warnings->len, ==, 0);

  /* --no-proxy wins over the settings, which stay as they are. */
  haul_proxy_settings_override (ps, NULL);
  g_assert_true (haul_proxy_settings_is_overridden (ps));
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_NONE);
  g_settings_set_string (settings, "proxy-socks", "127.0.0.1:1080");
  haul_test_spin (50);
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_NONE);
  assert_setting (settings, "proxy-mode", "manual");
  /* --proxy URL too. */
  url = haul_proxy_url_parse ("--proxy", "socks5://127.0.0.1:1080", &error);
  g_assert_no_error (error);
  haul_proxy_settings_override (ps, url);
  g_assert_cmpint (haul_proxy_settings_get_mode (ps), ==, HAUL_PROXY_MODE_MANUAL);

  reset_proxy_keys (settings);
  g_test_log_set_fatal_handler (NULL, NULL);
  g_log_remove_handler ("haul-proxy-settings", handler);
  g_clear_pointer (&warnings, g_ptr_array_unref);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = haul_test_keyring_make_home ("haul-proxy-group-XXXXXX");
  int status;

  g_setenv ("HAUL_NO_STORE", "1", TRUE);
  haul_test_log_capture_start ();
  g_test_init (&argc, &argv, NULL);
  haul_test_ignore_proxies ();

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      g_printerr ("no display or no D-Bus session: run the ui suite under dbus-run-session -- xvfb-run -a\n");
      return 77;
    }
  fake_desktop_start ();
  haul_test_keyring_start ();

  g_test_add_func ("/haul/ui/proxy-group/settings-fallback", test_settings_fallback);
  g_test_add_func ("/haul/ui/proxy-group/group", test_group);
  status = g_test_run ();

  haul_test_keyring_stop ();
  haul_test_rm_rf (home);
  return status;
}

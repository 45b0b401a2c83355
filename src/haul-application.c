/* haul-application.c — the GTK application
 *
 * One instance per session: `haul URL…` run again hands its links to the
 * running instance through GApplication's command-line forwarding, and
 * `haul` alone shows its window (a new one if it was closed).
 *
 * Downloads go on when the window closes: while any runs, the application
 * holds itself (g_application_hold()), so closing the last window does not
 * end it; it quits by itself once nothing runs and no window is open.
 * Quitting while downloads run asks first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-application"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "haul-application.h"
#include "haul-background.h"
#include "haul-connections.h"
#include "haul-demo.h"
#include "haul-file-actions.h"
#include "haul-folders.h"
#include "haul-help.h"
#include "haul-keyring.h"
#include "haul-latency-meter.h"
#include "haul-network-settings.h"
#include "haul-preferences-window.h"
#include "haul-proxy.h"
#include "haul-resources.h"
#include "haul-store.h"
#include "haul-uri-list.h"
#include "haul-window.h"

#define NOTIFY_BATCH_MS 500

struct _HaulApplication
{
  AdwApplication  parent_instance;

  HaulQueue      *queue;
  HaulStore      *store;
  const char     *store_notice_heading;
  gboolean        resume_on_start;
  gboolean        loading;       /* the saved list is still being read */
  char           *store_notice;  /* said once, in the window */
  char           *download_folder;
  GSettings      *settings;      /* NULL when the schema is not installed */
  guint           inhibit_cookie;
  gboolean        held;          /* g_application_hold() while downloads run */
  guint           release_source;
  GtkWidget      *quit_dialog;   /* weak */

  /* Downloads that finished while nobody looked, told in one notification. */
  GPtrArray      *finished;
  GPtrArray      *failed;
  guint           notify_source;

  gboolean        demo;
  HaulDemo       *demo_server;
  char           *demo_folder;

  HaulLatencyMeter *latency_meter; /* HAUL_LATENCY_REPORT=FILE */
  HaulBrowser    *browser;       /* browser integration; NULL without settings */
  HaulNetworkSettings *network;  /* network, power, schedule, when done; NULL without settings */
  HaulProxySettings *proxy_settings; /* the queue's proxy; --proxy/--no-proxy override it */
  guint           signal_sources[2];
};

G_DEFINE_FINAL_TYPE (HaulApplication, haul_application, ADW_TYPE_APPLICATION)

enum { LOADED, N_SIGNALS };
static guint signals[N_SIGNALS];

HaulApplication *
haul_application_new (void)
{
  return g_object_new (HAUL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       /* Command lines for `haul URL… FILE…`; opens for the
                        * launcher, which starts Haul through D-Bus activation
                        * (DBusActivatable) and hands it the links and files
                        * dropped on it or opened with it. */
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_HANDLES_OPEN,
                       /* The same resources (shortcuts, style.css) for the Devel id. */
                       "resource-base-path", "/io/github/haulapp/Haul",
                       NULL);
}

HaulQueue *
haul_application_get_queue (HaulApplication *self)
{
  g_return_val_if_fail (HAUL_IS_APPLICATION (self), NULL);
  return self->queue;
}

/**
 * haul_application_get_download_folder:
 *
 * Returns: where new downloads go: the preference, or the Downloads folder
 */
const char *
haul_application_get_download_folder (HaulApplication *self)
{
  return self->demo_folder != NULL ? self->demo_folder : self->download_folder;
}

/**
 * haul_application_set_demo:
 *
 * `haul --demo`: an instance of its own (not the running one), with no
 * saved list, downloading from an embedded server into a temporary folder.
 * Call before g_application_run().
 */
void
haul_application_set_demo (HaulApplication *self,
                           gboolean         demo)
{
  GApplicationFlags flags = g_application_get_flags (G_APPLICATION (self));

  self->demo = demo;
  if (demo)
    g_application_set_flags (G_APPLICATION (self), flags | G_APPLICATION_NON_UNIQUE);
}

GSettings *
haul_application_get_settings (HaulApplication *self)
{
  return self->settings;
}

static void
show_store_notice (HaulApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *dialog;

  if (self->store_notice == NULL || window == NULL)
    return;

  dialog = adw_message_dialog_new (window, self->store_notice_heading, self->store_notice);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_OK"));
  gtk_window_present (GTK_WINDOW (dialog));
  g_clear_pointer (&self->store_notice, g_free);
}

static HaulWindow *
ensure_window (HaulApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (haul_window_new (self));
      if (self->latency_meter != NULL)
        haul_latency_meter_watch_widget (self->latency_meter, GTK_WIDGET (window));
      g_application_withdraw_notification (G_APPLICATION (self), "background");
    }
  gtk_window_present (window);
  show_store_notice (self);
  return HAUL_WINDOW (window);
}

/* ------------------------------------------------------------------ */
/* The download list on disk: opened, checked and loaded off the main
 * thread by the store's writer, delivered in chunks. */

/**
 * haul_application_is_loading:
 *
 * Returns: whether the saved list is still being read; ::loaded says when
 *   it is done. Links added meanwhile wait for it, so that they come after
 *   the saved ones, as they would in a running Haul.
 */
gboolean
haul_application_is_loading (HaulApplication *self)
{
  g_return_val_if_fail (HAUL_IS_APPLICATION (self), FALSE);
  return self->loading;
}

static void
loading_done (HaulApplication *self)
{
  self->loading = FALSE;
  g_signal_emit (self, signals[LOADED], 0);
  g_application_release (G_APPLICATION (self));
}

/* ------------------------------------------------------------------ */
/* Preferences: applied to the engine as soon as they change. */

static GSettings *
settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettings *settings;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "io.github.haulapp.Haul", TRUE);
  if (schema == NULL)
    {
      g_warning ("The settings schema io.github.haulapp.Haul is not installed: using defaults");
      return NULL;
    }
  settings = g_settings_new_full (schema, NULL, NULL);
  haul_preferences_migrate (settings);
  return settings;
}

static void
settings_changed_cb (HaulApplication *self,
                     const char      *key,
                     GSettings       *settings)
{
  if (key == NULL || g_str_equal (key, "max-active"))
    haul_queue_set_max_active (self->queue, CLAMP (g_settings_get_int (settings, "max-active"), 1, 32));

  if (key == NULL || g_str_equal (key, "speed-limit-bytes"))
    haul_queue_set_rate_limit (self->queue, MAX (g_settings_get_int64 (settings, "speed-limit-bytes"), 0));

  if (key == NULL || g_str_equal (key, "connections-per-download"))
    haul_queue_set_max_connections (self->queue,
                                    CLAMP (g_settings_get_int (settings, "connections-per-download"),
                                           1, HAUL_MAX_CONNECTIONS));

  if (key == NULL || g_str_equal (key, "connections-per-server"))
    haul_queue_set_max_connections_per_server (self->queue,
                                               CLAMP (g_settings_get_int (settings, "connections-per-server"),
                                                      1, HAUL_MAX_CONNECTIONS));

  /* A folder chosen in Preferences replaces the one last chosen in the Add dialog. */
  if (key != NULL && g_str_equal (key, "download-folder"))
    g_settings_reset (settings, "last-folder");
  if (key == NULL || g_str_equal (key, "download-folder") || g_str_equal (key, "last-folder"))
    {
      g_free (self->download_folder);
      self->download_folder = haul_folders_pick (settings);
    }
}

static gboolean
resume_on_start (HaulApplication *self)
{
  return self->settings == NULL || g_settings_get_boolean (self->settings, "resume-on-start");
}

static void
restore_chunk (HaulStore *store,
               GPtrArray *records,
               gpointer   user_data)
{
  HaulApplication *self = user_data;

  if (self->queue != NULL)
    haul_queue_restore (self->queue, records, self->resume_on_start);
}

static void
store_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HaulApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n = 0, n_skipped = 0;

  if (!haul_store_load_finish (HAUL_STORE (source), result, &n, &n_skipped, &error))
    g_warning ("Could not load the download list: %s", error->message);
  g_debug ("restored %u downloads, skipped %u", n, n_skipped);
  loading_done (self);
}

static void
store_opened_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HaulApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *moved_aside = NULL;

  if (!haul_store_open_finish (HAUL_STORE (source), result, &moved_aside, &error))
    {
      self->store_notice_heading = _("Downloads Will Not Be Remembered");
      self->store_notice = g_strdup_printf (_("Haul cannot keep its list of downloads, so this list "
                                              "will be forgotten when Haul quits: %s"),
                                            error->message);
      g_clear_object (&self->store);
      show_store_notice (self);
      loading_done (self);
      return;
    }

  if (moved_aside != NULL)
    {
      self->store_notice_heading = _("Download List Was Damaged");
      self->store_notice = g_strdup_printf (_("The saved list of downloads was damaged. It was moved "
                                              "to “%s” and Haul starts with an empty list."),
                                            moved_aside);
      show_store_notice (self);
    }

  haul_queue_set_store (self->queue, self->store);
  self->resume_on_start = resume_on_start (self);
  haul_store_load_async (self->store, restore_chunk, self, NULL, store_loaded_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------ */
/* Notifications: finished or failed downloads, while the window is not in
 * front; a burst becomes one notification. */

static gboolean
window_is_active (HaulApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return window != NULL && gtk_window_is_active (window);
}

static void
send_notifications (gpointer user_data)
{
  HaulApplication *self = user_data;

  self->notify_source = 0;

  if (self->finished->len == 1)
    {
      HaulDownload *d = g_ptr_array_index (self->finished, 0);
      g_autoptr(GNotification) n = g_notification_new (_("Download Finished"));
      guint64 id = haul_download_get_id (d);

      g_notification_set_body (n, haul_download_get_filename (d));
      g_notification_set_default_action_and_target (n, "app.open-download", "t", id);
      g_notification_add_button_with_target (n, _("Open"), "app.open-download", "t", id);
      g_notification_add_button_with_target (n, _("Show in Folder"), "app.show-download", "t", id);
      g_application_send_notification (G_APPLICATION (self), "finished", n);
    }
  else if (self->finished->len > 1)
    {
      g_autoptr(GNotification) n = NULL;
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Download Finished",
                                                             "%u Downloads Finished", self->finished->len),
                                                self->finished->len);

      n = g_notification_new (title);
      g_notification_set_default_action (n, "app.activate");
      g_application_send_notification (G_APPLICATION (self), "finished", n);
    }

  if (self->failed->len > 0)
    {
      HaulDownload *d = g_ptr_array_index (self->failed, 0);
      g_autoptr(GNotification) n = NULL;
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Download Failed",
                                                             "%u Downloads Failed", self->failed->len),
                                                self->failed->len);
      g_autofree char *body = NULL;
      const char *name = haul_download_get_filename (d);

      if (self->failed->len == 1)
        body = g_strdup_printf ("%s — %s", name ? name : haul_download_get_uri (d),
                                haul_download_get_error (d) ? haul_download_get_error (d) : "");
      n = g_notification_new (title);
      if (body != NULL)
        g_notification_set_body (n, body);
      g_notification_set_default_action (n, "app.activate");
      if (self->failed->len == 1)
        g_notification_add_button_with_target (n, _("Retry"), "app.retry-download", "t",
                                               haul_download_get_id (d));
      g_application_send_notification (G_APPLICATION (self), "failed", n);
    }

  g_ptr_array_set_size (self->finished, 0);
  g_ptr_array_set_size (self->failed, 0);
}

static void
download_finished_cb (HaulApplication *self,
                      HaulDownload    *download,
                      HaulQueue       *queue)
{
  HaulDownloadState state = haul_download_get_state (download);

  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "notifications"))
    return;
  if (window_is_active (self))
    return;

  if (state == HAUL_DOWNLOAD_STATE_COMPLETED)
    g_ptr_array_add (self->finished, g_object_ref (download));
  else if (state == HAUL_DOWNLOAD_STATE_FAILED)
    g_ptr_array_add (self->failed, g_object_ref (download));
  else
    return;

  if (self->notify_source == 0)
    self->notify_source = g_timeout_add_once (NOTIFY_BATCH_MS, send_notifications, self);
}

static HaulDownload *
find_download (HaulApplication *self,
               guint64          id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->queue)); i++)
    {
      HaulDownload *d = haul_queue_get_download (self->queue, i);

      if (haul_download_get_id (d) == id)
        return d;
    }
  return NULL;
}

/* The download a notification's action names, with the window shown
 * (even when the download has left the list since). */
static HaulDownload *
notified_download (HaulApplication  *self,
                   GVariant         *param,
                   GtkWindow       **window)
{
  HaulDownload *d = find_download (self, g_variant_get_uint64 (param));

  *window = GTK_WINDOW (ensure_window (self));
  return d;
}

static void
open_download_activated (GSimpleAction *action,
                         GVariant      *param,
                         gpointer       user_data)
{
  GtkWindow *window;
  HaulDownload *d = notified_download (user_data, param, &window);

  if (d != NULL)
    haul_file_actions_open (window, d);
}

static void
show_download_activated (GSimpleAction *action,
                         GVariant      *param,
                         gpointer       user_data)
{
  GtkWindow *window;
  HaulDownload *d = notified_download (user_data, param, &window);

  if (d != NULL)
    haul_file_actions_show_in_folder (window, d);
}

static void
retry_download_activated (GSimpleAction *action,
                          GVariant      *param,
                          gpointer       user_data)
{
  HaulApplication *self = user_data;
  GtkWindow *window;
  HaulDownload *d = notified_download (self, param, &window);

  if (d != NULL)
    haul_queue_retry (self->queue, d);
}

/* ------------------------------------------------------------------ */
/* Running without a window */

/* Nothing ran through a whole main-loop iteration (between two downloads
 * the count drops to 0 and rises again in one callback): Haul may end,
 * which it does at once when no window is open. */
static void
release_when_quiet (gpointer user_data)
{
  HaulApplication *self = user_data;

  self->release_source = 0;
  if (self->held && haul_queue_get_n_active (self->queue) == 0)
    {
      self->held = FALSE;
      g_application_release (G_APPLICATION (self));
    }
}

static void
update_hold (HaulApplication *self)
{
  gboolean running = haul_queue_get_n_active (self->queue) > 0;

  if (running && !self->held)
    {
      self->held = TRUE;
      g_application_hold (G_APPLICATION (self));
    }
  else if (!running && self->held && self->release_source == 0)
    self->release_source = g_idle_add_once (release_when_quiet, self);
}

static void
background_request_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!haul_background_request_finish (G_DBUS_CONNECTION (source), result, &error))
    g_message ("Downloads go on without a window, but the desktop was not told: %s", error->message);
}

/* Said once ever (the background-notice-shown key): after that a person
 * knows that closing the window does not stop downloads. */
static void
notify_background (HaulApplication *self,
                   guint            n)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;

  if (self->settings != NULL && g_settings_get_boolean (self->settings, "background-notice-shown"))
    return;

  notification = g_notification_new (_("Haul Goes On Downloading"));
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u download goes on without the window. Haul quits when it is done.",
                                       "%u downloads go on without the window. Haul quits when they are done.",
                                       n),
                          n);
  g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.activate");
  g_notification_add_button (notification, _("Show Window"), "app.activate");
  g_application_send_notification (G_APPLICATION (self), "background", notification);
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "background-notice-shown", TRUE);
}

/* The last window closed while downloads run: they go on. */
static void
window_removed_cb (HaulApplication *self,
                   GtkWindow       *window)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));

  if (!self->held || gtk_application_get_windows (GTK_APPLICATION (self)) != NULL)
    return;

  if (bus != NULL && haul_background_is_sandboxed ())
    haul_background_request_async (bus, _("Downloads go on after the window is closed"), NULL,
                                   background_request_cb, NULL);
  notify_background (self, haul_queue_get_n_active (self->queue));
}

/* Suspend and logout wait while downloads run, and Haul keeps running. */
static void
n_active_cb (HaulApplication *self)
{
  gboolean running = haul_queue_get_n_active (self->queue) > 0;

  update_hold (self);

  if (running && self->inhibit_cookie == 0)
    self->inhibit_cookie = gtk_application_inhibit (GTK_APPLICATION (self),
                                                    gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                    GTK_APPLICATION_INHIBIT_SUSPEND | GTK_APPLICATION_INHIBIT_LOGOUT,
                                                    _("Downloads are running"));
  else if (!running && self->inhibit_cookie != 0)
    {
      gtk_application_uninhibit (GTK_APPLICATION (self), self->inhibit_cookie);
      self->inhibit_cookie = 0;
    }
}

/**
 * haul_application_is_inhibiting:
 *
 * Returns: whether Haul holds off suspend and logout now
 */
gboolean
haul_application_is_inhibiting (HaulApplication *self)
{
  return self->inhibit_cookie != 0;
}

/* HAUL_EXIT_WHEN_DONE=1 (benchmarks): quit once everything finished. */
static void
queue_idle_cb (HaulApplication *self)
{
  if (g_getenv ("HAUL_EXIT_WHEN_DONE") != NULL &&
      g_list_model_get_n_items (G_LIST_MODEL (self->queue)) > 0)
    g_application_quit (G_APPLICATION (self));
}

/* when-done = "quit" and the queue finished its work: the finished and
 * failed downloads not told yet are told now (no window in front sees
 * Haul go), then Haul quits as Ctrl+Q does with nothing running. */
static void
queue_done_cb (HaulApplication *self)
{
  if (self->notify_source != 0)
    {
      g_clear_handle_id (&self->notify_source, g_source_remove);
      send_notifications (self);
    }
  g_application_quit (G_APPLICATION (self));
}

/* ------------------------------------------------------------------ */

static void
haul_application_activate (GApplication *app)
{
  ensure_window (HAUL_APPLICATION (app));
}

/* A download link; anything else (a path, file://, sftp://…) is a list. */
static gboolean
is_link (const char *arg)
{
  g_autofree char *scheme = g_uri_parse_scheme (arg);

  return haul_uri_scheme_is_web (scheme);
}

/* What `haul URL… --header …` hands the window once its cookies file (if
 * any) was read on GLib's pool. */
typedef struct
{
  HaulApplication         *app;
  GApplicationCommandLine *cmdline;
  HaulRequestContext      *context;
  char                    *text;
  GPtrArray               *files;
} CommandLineImport;

static void
command_line_import_free (CommandLineImport *data)
{
  g_object_unref (data->app);
  g_object_unref (data->cmdline);
  g_clear_pointer (&data->context, haul_request_context_unref);
  g_free (data->text);
  g_ptr_array_unref (data->files);
  g_free (data);
}

static void
command_line_import (CommandLineImport *data)
{
  HaulWindow *window = ensure_window (data->app);

  if (data->text[0] != '\0' || data->files->len > 0)
    haul_window_import_for_command_line_with_context (window, data->text, data->files, data->context,
                                                      data->cmdline);
}

static void
cookies_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CommandLineImport *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HaulRequestContext) cookies = haul_request_context_load_cookies_file_finish (result, &error);

  if (cookies == NULL)
    {
      g_application_command_line_printerr (data->cmdline, "haul: --load-cookies: %s\n", error->message);
      g_application_command_line_set_exit_status (data->cmdline, 2);
    }
  else
    {
      for (GSList *l = haul_request_context_get_cookies (cookies); l != NULL; l = l->next)
        haul_request_context_add_cookie (data->context, l->data);
      command_line_import (data);
    }
  g_application_release (G_APPLICATION (data->app));
  command_line_import_free (data);
}

/* --header, --referer, --user-agent and --load-cookies, as "--opt VALUE"
 * or "--opt=VALUE". Returns FALSE when argv[*i] is none of them; sets
 * @error (naming the option, never the value) when its value is bad. */
static gboolean
take_context_option (char               **argv,
                     int                  argc,
                     int                 *i,
                     HaulRequestContext  *context,
                     char               **cookies_path,
                     GError             **error)
{
  static const char * const names[] = { "--header", "--referer", "--user-agent", "--load-cookies" };
  g_autoptr(GError) local_error = NULL;
  const char *value = NULL;
  gsize k;

  for (k = 0; k < G_N_ELEMENTS (names); k++)
    {
      gsize len = strlen (names[k]);

      if (g_str_equal (argv[*i], names[k]) && *i + 1 < argc)
        value = argv[++*i];
      else if (g_str_has_prefix (argv[*i], names[k]) && argv[*i][len] == '=')
        value = argv[*i] + len + 1;
      if (value != NULL || g_str_equal (argv[*i], names[k]))
        break;
    }
  if (k == G_N_ELEMENTS (names))
    return FALSE;
  if (value == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("%s needs a value"), names[k]);
      return TRUE;
    }
  if ((k == 0 && !haul_request_context_add_header_line (context, value, &local_error)) ||
      (k == 1 && !haul_request_context_set_referrer (context, value, &local_error)) ||
      (k == 2 && !haul_request_context_set_user_agent (context, value, &local_error)))
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", names[k], local_error->message);
  if (k == 3)
    {
      g_free (*cookies_path);
      *cookies_path = g_strdup (value);
    }
  return TRUE;
}

/* --proxy URL and --no-proxy: for as long as this instance runs, whatever
 * the settings say (they are not changed). Returns FALSE when argv[*i] is
 * neither; sets @error (naming the option, never the password) when the
 * value is bad. */
static gboolean
take_proxy_option (char             **argv,
                   int                argc,
                   int               *i,
                   HaulProxyUrl     **url,
                   gboolean          *no_proxy,
                   GError           **error)
{
  const char *value = NULL;

  if (g_str_equal (argv[*i], "--no-proxy"))
    {
      *no_proxy = TRUE;
      return TRUE;
    }
  if (g_str_equal (argv[*i], "--proxy") && *i + 1 < argc)
    value = argv[++*i];
  else if (g_str_has_prefix (argv[*i], "--proxy="))
    value = argv[*i] + strlen ("--proxy=");
  else if (!g_str_equal (argv[*i], "--proxy"))
    return FALSE;
  if (value == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("%s needs a value"), "--proxy");
      return TRUE;
    }
  g_clear_pointer (url, haul_proxy_url_free);
  *url = haul_proxy_url_parse ("--proxy", value, error);
  return TRUE;
}

/* `haul URL… FILE…` (and the launcher's %U): links are added, files are
 * read as lists of links, by a worker; the caller's terminal hears what
 * was skipped once that is known. --header, --referer, --user-agent and
 * --load-cookies give the new downloads a request context (the cookies
 * file is read on GLib's pool). */
static int
haul_application_command_line (GApplication            *app,
                               GApplicationCommandLine *cmdline)
{
  HaulApplication *self = HAUL_APPLICATION (app);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(HaulRequestContext) context = haul_request_context_new ();
  g_autofree char *cookies_path = NULL;
  g_autoptr(HaulProxyUrl) proxy_url = NULL;
  gboolean no_proxy = FALSE;
  CommandLineImport *data;
  int argc;

  argv = g_application_command_line_get_arguments (cmdline, &argc);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;

      if (g_str_equal (argv[i], "--demo"))
        {
          if (self->demo_server != NULL)
            {
              g_autoptr(GPtrArray) uris = haul_demo_dup_uris (self->demo_server);

              for (guint j = 0; j < uris->len; j++)
                g_string_append_printf (text, "%s\n", (char *) g_ptr_array_index (uris, j));
            }
          else
            {
              g_application_command_line_printerr (cmdline, _("haul: the demo server is not running\n"));
              return 1;
            }
          continue;
        }
      if (take_context_option (argv, argc, &i, context, &cookies_path, &error) ||
          take_proxy_option (argv, argc, &i, &proxy_url, &no_proxy, &error))
        {
          if (error == NULL)
            continue;
          g_application_command_line_printerr (cmdline, "haul: %s\n", error->message);
          return 2;
        }
      if (g_str_has_prefix (argv[i], "-"))
        {
          g_application_command_line_printerr (cmdline, _("haul: unknown option “%s” (try --headless --help)\n"),
                                               argv[i]);
          return 2;
        }
      if (is_link (argv[i]))
        g_string_append_printf (text, "%s\n", argv[i]);
      else
        g_ptr_array_add (files, g_application_command_line_create_file_for_arg (cmdline, argv[i]));
    }

  if (proxy_url != NULL && no_proxy)
    {
      g_application_command_line_printerr (cmdline, "haul: %s\n", _("--proxy and --no-proxy cannot go together"));
      return 2;
    }
  if (proxy_url != NULL || no_proxy)
    haul_proxy_settings_override (self->proxy_settings, proxy_url);

  data = g_new0 (CommandLineImport, 1);
  data->app = g_object_ref (self);
  data->cmdline = g_object_ref (cmdline);
  data->context = g_steal_pointer (&context);
  data->text = g_string_free (g_steal_pointer (&text), FALSE);
  data->files = g_steal_pointer (&files);
  if (cookies_path == NULL)
    {
      command_line_import (data);
      command_line_import_free (data);
    }
  else
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline, cookies_path);
      g_autofree char *path = g_file_get_path (file);

      g_application_hold (app);  /* a remote `haul` is answered before the file is read */
      haul_request_context_load_cookies_file_async (path, NULL, cookies_read_cb, data);
    }
  return 0;
}

/* org.freedesktop.Application.Open from the launcher (`Exec=haul %U`,
 * DBusActivatable): handled like a drop of those files, where the link
 * import adds http(s) links and reads any other location as a list of
 * links; the window's toast says what was skipped. */
static void
haul_application_open (GApplication  *app,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  HaulWindow *window = ensure_window (HAUL_APPLICATION (app));

  for (int i = 0; i < n_files; i++)
    g_ptr_array_add (list, g_object_ref (files[i]));
  if (list->len > 0)
    haul_window_import (window, NULL, list, NULL, NULL);
}

static void
show_preferences (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  HaulApplication *self = user_data;
  GtkWindow *window = GTK_WINDOW (ensure_window (self));

  if (self->settings == NULL)
    return;
  gtk_window_present (GTK_WINDOW (haul_preferences_window_new (window, self->settings)));
}

static void
show_about (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  HaulApplication *self = user_data;
  const char *developers[] = { _("The Haul developers"), NULL };

  adw_show_about_window (GTK_WINDOW (ensure_window (self)),
                         "application-name", _("Haul"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Haul developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Download many files at once, reliably, with a window that stays smooth"),
                         "website", "https://github.com/haulapp/haul",
                         "issue-url", "https://github.com/haulapp/haul/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         /* Translators: your names (and e-mail addresses), one
                          * per line; shown under "Translated by" in About */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
help_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  haul_help_show (GTK_WINDOW (ensure_window (HAUL_APPLICATION (user_data))));
}

static void
activate_action (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  ensure_window (HAUL_APPLICATION (user_data));
}

/* SIGTERM (logout, `kill`) and SIGINT (Ctrl+C in the terminal that
 * started Haul) quit like Ctrl+Q: attempts stop, .part files and the list
 * are kept, the latency report is written. */
static gboolean
quit_on_signal (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

/* A paired browser handed a download over: it joins the window's list
 * (opened if needed), like a drop. */
static void
browser_handoff_cb (HaulApplication *self,
                    HaulHandoff     *handoff,
                    HaulBrowser     *browser)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (ensure_window (self));
  handoff->offered = haul_window_add_handoff (HAUL_WINDOW (window), handoff);
}

/**
 * haul_application_get_browser:
 *
 * Returns: (transfer none) (nullable): browser integration (the endpoint
 *   and the paired browsers); %NULL without settings
 */
HaulBrowser *
haul_application_get_browser (HaulApplication *self)
{
  g_return_val_if_fail (HAUL_IS_APPLICATION (self), NULL);
  return self->browser;
}

/**
 * haul_application_get_network_settings:
 *
 * Returns: (transfer none) (nullable): the network, power, schedule and
 *   when-done settings applied to the queue; %NULL without settings
 */
HaulNetworkSettings *
haul_application_get_network_settings (HaulApplication *self)
{
  g_return_val_if_fail (HAUL_IS_APPLICATION (self), NULL);
  return self->network;
}

/**
 * haul_application_get_proxy_settings:
 *
 * Returns: (transfer none): what gives the queue its proxy (Preferences
 *   tell it when the keyring's proxy password changed)
 */
HaulProxySettings *
haul_application_get_proxy_settings (HaulApplication *self)
{
  g_return_val_if_fail (HAUL_IS_APPLICATION (self), NULL);
  return self->proxy_settings;
}

static void
haul_application_startup (GApplication *app)
{
  HaulApplication *self = HAUL_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *prefs_accels[] = { "<Control>comma", NULL };
  const char *close_accels[] = { "<Control>w", NULL };
  const char *help_accels[] = { "F1", NULL };

  G_APPLICATION_CLASS (haul_application_parent_class)->startup (app);
  gtk_window_set_default_icon_name (APP_ID);

  if (g_getenv ("HAUL_LATENCY_REPORT") != NULL)
    self->latency_meter = haul_latency_meter_new ();
  self->signal_sources[0] = g_unix_signal_add (SIGTERM, quit_on_signal, self);
  self->signal_sources[1] = g_unix_signal_add (SIGINT, quit_on_signal, self);

  self->queue = haul_queue_new ();
  haul_keyring_watch_queue (self->queue);
  self->settings = settings_new ();
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self,
                               G_CONNECT_SWAPPED);
      settings_changed_cb (self, NULL, self->settings);
      self->browser = haul_browser_new (self->settings, NULL);
      g_signal_connect_object (self->browser, "handoff", G_CALLBACK (browser_handoff_cb), self,
                               G_CONNECT_SWAPPED);
      /* When the queue is done and when-done is "quit": quit as Ctrl+Q would
       * with nothing running (the store flushed in shutdown). */
      self->network = haul_network_settings_new (self->queue, self->settings);
      g_signal_connect_object (self->network, "done", G_CALLBACK (queue_done_cb), self,
                               G_CONNECT_SWAPPED);
    }
  self->proxy_settings = haul_proxy_settings_new (self->settings, self->queue);
  g_signal_connect_object (self->queue, "download-finished", G_CALLBACK (download_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->queue, "notify::n-active", G_CALLBACK (n_active_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->queue, "idle", G_CALLBACK (queue_idle_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "window-removed", G_CALLBACK (window_removed_cb), NULL);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);

  if (self->demo)
    {
      g_autoptr(GError) error = NULL;

      self->demo_server = haul_demo_new ();
      self->demo_folder = g_dir_make_tmp ("haul-demo-XXXXXX", &error);
      if (self->demo_folder == NULL || !haul_demo_start (self->demo_server, &error))
        {
          g_printerr (_("haul: cannot start the demo: %s\n"), error->message);
          g_clear_object (&self->demo_server);
        }
      return; /* a demo remembers nothing */
    }

  /* The app stays up until the list is loaded, even without a window. */
  if (g_getenv ("HAUL_NO_STORE") == NULL)
    {
      g_autofree char *path = haul_store_default_path ();

      self->store = haul_store_new (path);
      self->loading = TRUE;
      g_application_hold (app);
      haul_store_open_async (self->store, NULL, store_opened_cb, g_object_ref (self));
    }
}

static void
haul_application_shutdown (GApplication *app)
{
  HaulApplication *self = HAUL_APPLICATION (app);
  const char *report = g_getenv ("HAUL_LATENCY_REPORT");

  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    g_clear_handle_id (&self->signal_sources[i], g_source_remove);
  g_signal_handlers_disconnect_by_func (self, window_removed_cb, NULL);
  g_clear_handle_id (&self->release_source, g_source_remove);
  self->held = FALSE; /* quitting ends the hold */

  if (self->latency_meter != NULL)
    {
      g_autoptr(GError) error = NULL;

      haul_latency_meter_stop (self->latency_meter);
      if (!haul_latency_meter_write_json (self->latency_meter, report, &error))
        g_printerr ("haul: HAUL_LATENCY_REPORT: %s\n", error->message);
    }

  /* Stop every attempt (keeping .part files) and let the workers return
   * before the queue goes away; pausing makes them return within 100 ms. */
  if (self->queue != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->queue, self);
      haul_queue_stop_for_exit (self->queue);
      while (haul_queue_get_n_active (self->queue) > 0)
        g_main_context_iteration (NULL, TRUE);
      haul_queue_save_now (self->queue);
      haul_queue_set_store (self->queue, NULL);
    }
  if (self->browser != NULL)
    g_signal_handlers_disconnect_by_data (self->browser, self);
  g_clear_object (&self->browser);
  if (self->network != NULL)
    g_signal_handlers_disconnect_by_data (self->network, self);
  g_clear_object (&self->network);
  g_clear_object (&self->proxy_settings);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  if (self->inhibit_cookie != 0)
    gtk_application_uninhibit (GTK_APPLICATION (self), self->inhibit_cookie);
  self->inhibit_cookie = 0;
  /* What finished just before Haul quit by itself (the last download
   * done, no window open) is still told. */
  if (self->notify_source != 0)
    {
      g_clear_handle_id (&self->notify_source, g_source_remove);
      if (gtk_application_get_windows (GTK_APPLICATION (self)) == NULL)
        send_notifications (self);
    }

  /* Quitting is the one time the main thread waits for the disk: the
   * store's writer commits what is left and closes the database. */
  if (self->store != NULL)
    haul_store_close (self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->queue);
  if (self->demo_server != NULL)
    haul_demo_stop (self->demo_server);
  g_clear_object (&self->demo_server);
  /* A demo remembers nothing, its files included (however it quits:
   * Ctrl+Q, the window closed once its downloads ended, SIGINT, SIGTERM). */
  if (self->demo_folder != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!haul_demo_delete_folder (self->demo_folder, &error))
        g_printerr (_("haul: cannot delete the demo folder: %s\n"), error->message);
    }

  G_APPLICATION_CLASS (haul_application_parent_class)->shutdown (app);
}

static void
quit_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  HaulApplication  *self)
{
  if (g_str_equal (response, "quit"))
    g_application_quit (G_APPLICATION (self));
}

/* Ctrl+Q. With downloads running, asks first in the window; without a
 * window (the desktop's list of background apps asking Haul to quit), the
 * person already chose to stop them. The .part files are kept either way. */
static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  HaulApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  guint n = haul_queue_get_n_active (self->queue);
  g_autofree char *heading = NULL;
  const char *body;

  if (n == 0 || window == NULL)
    {
      g_application_quit (G_APPLICATION (self));
      return;
    }
  if (self->quit_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->quit_dialog));
      return;
    }

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Stop %u Download and Quit?",
                                          "Stop %u Downloads and Quit?", n),
                             n);
  if (self->demo)
    body = _("The demo’s files are deleted when Haul quits.");
  else
    body = g_dngettext (GETTEXT_PACKAGE,
                        "It goes on from where it stopped the next time Haul starts.",
                        "They go on from where they stopped the next time Haul starts.", n);
  self->quit_dialog = adw_message_dialog_new (window, heading, body);
  g_object_add_weak_pointer (G_OBJECT (self->quit_dialog), (gpointer *) &self->quit_dialog);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self->quit_dialog),
                                    "cancel", _("_Cancel"),
                                    "quit", _("_Quit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self->quit_dialog), "quit",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self->quit_dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self->quit_dialog), "cancel");
  g_signal_connect_object (self->quit_dialog, "response", G_CALLBACK (quit_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (self->quit_dialog));
}

static void
haul_application_finalize (GObject *object)
{
  HaulApplication *self = HAUL_APPLICATION (object);

  g_clear_object (&self->queue);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->demo_server);
  g_clear_object (&self->latency_meter);
  g_clear_object (&self->browser);
  g_clear_object (&self->network);
  g_clear_object (&self->proxy_settings);
  g_clear_pointer (&self->finished, g_ptr_array_unref);
  g_clear_pointer (&self->failed, g_ptr_array_unref);
  g_free (self->store_notice);
  g_free (self->download_folder);
  g_free (self->demo_folder);

  G_OBJECT_CLASS (haul_application_parent_class)->finalize (object);
}

static void
haul_application_class_init (HaulApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  /* The resources live in a static library: register them explicitly,
   * since the linker may drop an unreferenced constructor. */
  g_resources_register (haul_get_resource ());

  object_class->finalize = haul_application_finalize;
  app_class->activate = haul_application_activate;
  app_class->command_line = haul_application_command_line;
  app_class->open = haul_application_open;
  app_class->startup = haul_application_startup;
  app_class->shutdown = haul_application_shutdown;

  /**
   * HaulApplication::loaded:
   *
   * The saved list is in the queue (or could not be read).
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haul_application_init (HaulApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", quit_activated, NULL, NULL, NULL },
    { "preferences", show_preferences, NULL, NULL, NULL },
    { "about", show_about, NULL, NULL, NULL },
    { "help", help_activated, NULL, NULL, NULL },
    { "activate", activate_action, NULL, NULL, NULL },
    { "open-download", open_download_activated, "t", NULL, NULL },
    { "show-download", show_download_activated, "t", NULL, NULL },
    { "retry-download", retry_download_activated, "t", NULL, NULL },
  };
  self->download_folder = g_strdup (haul_folders_get_default ());
  self->finished = g_ptr_array_new_with_free_func (g_object_unref);
  self->failed = g_ptr_array_new_with_free_func (g_object_unref);
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}

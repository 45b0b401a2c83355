/* haul-application.c — the GTK application
 *
 * One instance per session: `haul URL…` run again hands its links to the
 * running instance through GApplication's command-line forwarding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-application"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "haul-application.h"
#include "haul-resources.h"
#include "haul-store.h"
#include "haul-uri-list.h"
#include "haul-window.h"

struct _HaulApplication
{
  AdwApplication  parent_instance;

  HaulQueue      *queue;
  HaulStore      *store;
  const char     *store_notice_heading;
  gboolean        resume_on_start;
  char           *store_notice;  /* said once, in the window */
  char           *download_folder;
};

G_DEFINE_FINAL_TYPE (HaulApplication, haul_application, ADW_TYPE_APPLICATION)

HaulApplication *
haul_application_new (void)
{
  return g_object_new (HAUL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}

HaulQueue *
haul_application_get_queue (HaulApplication *self)
{
  g_return_val_if_fail (HAUL_IS_APPLICATION (self), NULL);
  return self->queue;
}

const char *
haul_application_get_download_folder (HaulApplication *self)
{
  return self->download_folder;
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
    window = GTK_WINDOW (haul_window_new (self));
  gtk_window_present (window);
  show_store_notice (self);
  return HAUL_WINDOW (window);
}

/* ------------------------------------------------------------------ */
/* The download list on disk: opened, checked and loaded off the main
 * thread by the store's writer, delivered in chunks. */

/* The "resume-on-start" preference; TRUE when the schema is not installed
 * (an uninstalled build run without the build tree's schemas). */
static gboolean
resume_on_start (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "io.github.haulapp.Haul", TRUE);
  if (schema == NULL)
    return TRUE;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_boolean (settings, "resume-on-start");
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
  g_application_release (G_APPLICATION (self));
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
      g_application_release (G_APPLICATION (self));
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
  self->resume_on_start = resume_on_start ();
  haul_store_load_async (self->store, restore_chunk, self, NULL, store_loaded_cb, g_object_ref (self));
}

static void
haul_application_activate (GApplication *app)
{
  ensure_window (HAUL_APPLICATION (app));
}

static int
haul_application_command_line (GApplication            *app,
                               GApplicationCommandLine *cmdline)
{
  HaulApplication *self = HAUL_APPLICATION (app);
  g_auto(GStrv) argv = NULL;
  g_autoptr(HaulUriList) list = haul_uri_list_new ();
  g_autoptr(GPtrArray) uris = NULL;
  guint n_dups = 0;
  int argc;

  argv = g_application_command_line_get_arguments (cmdline, &argc);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "-"))
        {
          g_application_command_line_printerr (cmdline, _("haul: unknown option “%s” (try --headless --help)\n"),
                                               argv[i]);
          return 2;
        }
      haul_uri_list_feed (list, argv[i], strlen (argv[i]), NULL);
      haul_uri_list_feed (list, "\n", 1, NULL);
    }
  haul_uri_list_finish (list);

  for (guint i = 0; i < haul_uri_list_get_rejections (list)->len; i++)
    {
      const HaulUriListRejection *r = g_ptr_array_index (haul_uri_list_get_rejections (list), i);

      g_application_command_line_printerr (cmdline, _("haul: skipped “%s”: %s\n"), r->text, r->reason);
    }

  uris = haul_uri_list_steal_uris (list);
  haul_queue_add_uris (self->queue, uris, self->download_folder, &n_dups);

  ensure_window (self);
  return haul_uri_list_get_n_rejected (list) > 0 ? 1 : 0;
}

static void
haul_application_startup (GApplication *app)
{
  HaulApplication *self = HAUL_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (haul_application_parent_class)->startup (app);

  self->queue = haul_queue_new ();
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  /* The app stays up until the list is loaded, even without a window. */
  if (g_getenv ("HAUL_NO_STORE") == NULL)
    {
      g_autofree char *path = haul_store_default_path ();

      self->store = haul_store_new (path);
      g_application_hold (app);
      haul_store_open_async (self->store, NULL, store_opened_cb, g_object_ref (self));
    }
}

static void
haul_application_shutdown (GApplication *app)
{
  HaulApplication *self = HAUL_APPLICATION (app);

  /* Stop every attempt (keeping .part files) and let the workers return
   * before the queue goes away; pausing makes them return within 100 ms. */
  if (self->queue != NULL)
    {
      haul_queue_stop_for_exit (self->queue);
      while (haul_queue_get_n_active (self->queue) > 0)
        g_main_context_iteration (NULL, TRUE);
      haul_queue_save_now (self->queue);
      haul_queue_set_store (self->queue, NULL);
    }
  /* Quitting is the one time the main thread waits for the disk: the
   * store's writer commits what is left and closes the database. */
  if (self->store != NULL)
    haul_store_close (self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->queue);

  G_APPLICATION_CLASS (haul_application_parent_class)->shutdown (app);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
haul_application_finalize (GObject *object)
{
  HaulApplication *self = HAUL_APPLICATION (object);

  g_clear_object (&self->queue);
  g_clear_object (&self->store);
  g_free (self->store_notice);
  g_free (self->download_folder);

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
  app_class->startup = haul_application_startup;
  app_class->shutdown = haul_application_shutdown;
}

static void
haul_application_init (HaulApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", quit_activated, NULL, NULL, NULL },
  };
  const char *folder = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  self->download_folder = g_strdup (folder ? folder : g_get_home_dir ());
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}

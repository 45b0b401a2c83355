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
#include "haul-uri-list.h"
#include "haul-window.h"

struct _HaulApplication
{
  AdwApplication  parent_instance;

  HaulQueue      *queue;
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

static HaulWindow *
ensure_window (HaulApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (haul_window_new (self));
  gtk_window_present (window);
  return HAUL_WINDOW (window);
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
}

static void
haul_application_shutdown (GApplication *app)
{
  HaulApplication *self = HAUL_APPLICATION (app);

  /* Stop every attempt (keeping .part files) and let the workers return
   * before the queue goes away; pausing makes them return within 100 ms. */
  if (self->queue != NULL)
    {
      haul_queue_pause_all (self->queue);
      while (haul_queue_get_n_active (self->queue) > 0)
        g_main_context_iteration (NULL, TRUE);
    }
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

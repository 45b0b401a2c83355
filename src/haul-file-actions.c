/* haul-file-actions.c — open a downloaded file, show it in its folder, copy its link
 *
 * All asynchronous: the main thread never waits for a file manager or a
 * portal. Inside Flatpak, gtk_show_uri() goes through the OpenURI portal;
 * "show in folder" asks the file manager (org.freedesktop.FileManager1) to
 * select the file and falls back to opening the folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-file-actions"

#include "config.h"

#include "haul-file-actions.h"

void
haul_file_actions_open (GtkWindow    *parent,
                        HaulDownload *download)
{
  g_autofree char *path = haul_download_dup_path (download);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  gtk_show_uri (parent, uri, GDK_CURRENT_TIME);
}

/* Inside the sandbox the file manager is out of reach without a
 * --talk-name hole: the OpenURI portal opens the folder instead. Flatpak
 * sets FLATPAK_ID in every sandbox (no file to look at). */
static gboolean
in_flatpak (void)
{
  return g_getenv ("FLATPAK_ID") != NULL;
}

typedef struct
{
  GtkWindow *parent; /* weak */
  char      *folder_uri;
} ShowData;

static void
show_data_free (ShowData *data)
{
  g_clear_weak_pointer (&data->parent);
  g_free (data->folder_uri);
  g_free (data);
}

static void
show_items_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ShowData *data = user_data;
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GError) error = NULL;

  ret = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (ret == NULL)
    {
      g_debug ("FileManager1.ShowItems: %s; opening the folder", error->message);
      gtk_show_uri (data->parent, data->folder_uri, GDK_CURRENT_TIME);
    }
  show_data_free (data);
}

void
haul_file_actions_show_in_folder (GtkWindow    *parent,
                                  HaulDownload *download)
{
  g_autofree char *path = haul_download_dup_path (download);
  g_autoptr(GFile) folder = g_file_new_for_path (haul_download_get_directory (download));
  GDBusConnection *bus = g_application_get_dbus_connection (g_application_get_default ());
  ShowData *data;

  data = g_new0 (ShowData, 1);
  g_set_weak_pointer (&data->parent, parent);
  data->folder_uri = g_file_get_uri (folder);

  if (path == NULL || bus == NULL || in_flatpak ())
    {
      gtk_show_uri (parent, data->folder_uri, GDK_CURRENT_TIME);
      show_data_free (data);
      return;
    }

  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autofree char *uri = g_file_get_uri (file);
    const char *uris[] = { uri, NULL };

    g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                            "org.freedesktop.FileManager1", "ShowItems",
                            g_variant_new ("(^ass)", uris, ""), NULL,
                            G_DBUS_CALL_FLAGS_NONE, 5000, NULL, show_items_cb, data);
  }
}

void
haul_file_actions_copy_link (GtkWidget    *widget,
                             HaulDownload *download)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), haul_download_get_uri (download));
}

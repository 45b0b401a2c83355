/* haul-file-actions.c — open a downloaded file, show it in its folder, copy its link
 *
 * All asynchronous: the main thread never waits for a file manager or a
 * portal. Inside Flatpak, gtk_show_uri_full() goes through the OpenURI
 * portal; "show in folder" asks the file manager
 * (org.freedesktop.FileManager1) to select the file and falls back to
 * opening the folder. When nothing can open the file, Haul says so in its
 * own words, with Show in Folder as the next step (not GTK's "Could not
 * show link").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-file-actions"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "haul-background.h"
#include "haul-file-actions.h"

typedef struct
{
  GtkWindow    *parent; /* weak */
  HaulDownload *download;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_weak_pointer (&data->parent);
  g_clear_object (&data->download);
  g_free (data);
}

static void
open_failed_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         OpenData         *data)
{
  if (g_str_equal (response, "show-in-folder"))
    haul_file_actions_show_in_folder (data->parent, data->download);
}

/* Why the file did not open, and what to do next. */
static void
explain_open_failure (OpenData     *data,
                      const GError *error)
{
  g_autofree char *path = haul_download_dup_path (data->download);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *type = g_content_type_guess (name, NULL, 0, NULL);
  g_autofree char *type_name = g_content_type_get_description (type);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* GIO: "Failed to find default application for content type …" */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      /* Translators: a dialog's heading; %s is a file name */
      heading = g_strdup_printf (_("No App Can Open “%s”"), name);
      /* Translators: %s is a kind of file, as the system names it: "CD image" */
      body = g_strdup_printf (_("No app installed on this computer opens files of this type (%s). "
                                "Show the file in its folder to use it in another way."), type_name);
    }
  else
    {
      /* Translators: a dialog's heading; %s is a file name */
      heading = g_strdup_printf (_("Could Not Open “%s”"), name);
      body = g_strdup (error->message);
    }

  dialog = adw_message_dialog_new (data->parent, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "show-in-folder", _("_Show in Folder"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "show-in-folder",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "show-in-folder");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_data (dialog, "response", G_CALLBACK (open_failed_response_cb),
                         data, (GClosureNotify) open_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpenData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || data->parent == NULL)
    {
      open_data_free (data);
      return;
    }
  g_debug ("opening a file: %s", error->message);
  explain_open_failure (data, error);
}

void
haul_file_actions_open (GtkWindow    *parent,
                        HaulDownload *download)
{
  g_autofree char *path = haul_download_dup_path (download);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;
  OpenData *data;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  data = g_new0 (OpenData, 1);
  g_set_weak_pointer (&data->parent, parent);
  data->download = g_object_ref (download);
  gtk_show_uri_full (parent, uri, GDK_CURRENT_TIME, NULL, open_done_cb, data);
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
show_folder_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || source == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (source), _("Could Not Show the Folder"),
                                   g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED)
                                   ? _("No app installed on this computer shows folders.")
                                   : error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The folder itself, in whatever app shows folders. */
static void
show_folder_uri (GtkWindow  *parent,
                 const char *folder_uri)
{
  gtk_show_uri_full (parent, folder_uri, GDK_CURRENT_TIME, NULL, show_folder_done_cb, NULL);
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
      if (data->parent != NULL)
        show_folder_uri (data->parent, data->folder_uri);
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

  /* Inside the sandbox the file manager is out of reach without a
   * --talk-name hole: the OpenURI portal opens the folder instead. */
  if (path == NULL || bus == NULL || haul_background_is_sandboxed ())
    {
      show_folder_uri (parent, data->folder_uri);
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

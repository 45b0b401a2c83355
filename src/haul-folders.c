/* haul-folders.c — the default download folder and the folder chooser
 *
 * Shared by the application, the Add dialog and Preferences, so that all
 * three mean the same folder by "the Downloads folder".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-folders"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-folders.h"

/**
 * haul_folders_get_default:
 *
 * Returns: the user's Downloads folder, or the home folder without one
 */
const char *
haul_folders_get_default (void)
{
  const char *folder = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  return folder != NULL ? folder : g_get_home_dir ();
}

/**
 * haul_folders_new_chooser:
 * @current: (nullable): the folder to start in
 *
 * A modal folder chooser; GtkFileChooserNative, so that inside Flatpak it
 * is the portal's (and grants access to the folder chosen).
 *
 * Returns: (transfer full): the chooser, not shown yet
 */
GtkFileChooserNative *
haul_folders_new_chooser (GtkWindow  *parent,
                          const char *current)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GFile) start = g_file_new_for_path (current != NULL ? current : haul_folders_get_default ());

  chooser = gtk_file_chooser_native_new (_("Choose Download Folder"), parent,
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), start, NULL);
  return chooser;
}

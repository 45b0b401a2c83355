/* haul-folder-chooser.c — choosing the folder downloads are saved in
 *
 * The "Choose Download Folder" dialog of the Add dialog and of
 * Preferences. GtkFileChooserNative (GTK 4.8 has no GtkFileDialog), so
 * that inside Flatpak it is the portal's, which grants access to the
 * folder chosen. The window that owns a HaulFolderChooser frees it in its
 * dispose, which closes the dialog if it is still open.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-folder-chooser"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-folder-chooser.h"
#include "haul-folders.h"

struct _HaulFolderChooser
{
  GtkWindow            *parent;     /* borrowed: the parent owns this */
  HaulFolderChosenFunc  chosen;
  gpointer              user_data;
  GtkFileChooserNative *native;     /* owned; NULL unless open */
};

/**
 * haul_folder_chooser_new:
 * @parent: the window the dialog is modal for, and the owner of the result
 * @chosen: called with the folder when one is chosen
 *
 * Returns: (transfer full): a chooser, not shown yet
 */
HaulFolderChooser *
haul_folder_chooser_new (GtkWindow            *parent,
                         HaulFolderChosenFunc  chosen,
                         gpointer              user_data)
{
  HaulFolderChooser *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (chosen != NULL, NULL);

  self = g_new0 (HaulFolderChooser, 1);
  self->parent = parent;
  self->chosen = chosen;
  self->user_data = user_data;
  return self;
}

static void
close_dialog (HaulFolderChooser *self)
{
  if (self->native == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->native, self);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->native));
  g_clear_object (&self->native);
}

static void
response_cb (GtkNativeDialog   *native,
             int                response,
             HaulFolderChooser *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        self->chosen (path, self->user_data);
    }

  close_dialog (self);
}

/**
 * haul_folder_chooser_present:
 * @current: (nullable): the folder to start in; %NULL or "" for the
 *   Downloads folder
 *
 * Shows the dialog, modal for the parent; if it is open already, brings
 * it back as it was.
 */
void
haul_folder_chooser_present (HaulFolderChooser *self,
                             const char        *current)
{
  g_return_if_fail (self != NULL);

  if (self->native == NULL)
    {
      g_autoptr(GFile) start = NULL;

      if (current == NULL || current[0] == '\0')
        current = haul_folders_get_default ();
      start = g_file_new_for_path (current);
      self->native = gtk_file_chooser_native_new (_("Choose Download Folder"), self->parent,
                                                  GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                  _("_Select"), _("_Cancel"));
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->native), TRUE);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->native), start, NULL);
      g_signal_connect (self->native, "response", G_CALLBACK (response_cb), self);
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->native));
}

/**
 * haul_folder_chooser_free:
 *
 * Closes the dialog if it is open; @chosen is not called.
 */
void
haul_folder_chooser_free (HaulFolderChooser *self)
{
  if (self == NULL)
    return;
  close_dialog (self);
  g_free (self);
}

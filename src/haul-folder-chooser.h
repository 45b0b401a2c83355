/* haul-folder-chooser.h — choosing the folder downloads are saved in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _HaulFolderChooser HaulFolderChooser;

/**
 * HaulFolderChosenFunc:
 * @path: the folder the person chose
 * @user_data: the data given to haul_folder_chooser_new()
 */
typedef void (*HaulFolderChosenFunc) (const char *path,
                                      gpointer    user_data);

HaulFolderChooser *haul_folder_chooser_new     (GtkWindow            *parent,
                                                HaulFolderChosenFunc  chosen,
                                                gpointer              user_data);
void               haul_folder_chooser_present (HaulFolderChooser    *self,
                                                const char           *current);
void               haul_folder_chooser_free    (HaulFolderChooser    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HaulFolderChooser, haul_folder_chooser_free)

G_END_DECLS

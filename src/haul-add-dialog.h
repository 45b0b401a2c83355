/* haul-add-dialog.h — the Add Downloads dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "haul-request-context.h"

G_BEGIN_DECLS

#define HAUL_TYPE_ADD_DIALOG (haul_add_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HaulAddDialog, haul_add_dialog, HAUL, ADD_DIALOG, AdwWindow)

HaulAddDialog *haul_add_dialog_new          (GtkWindow     *parent,
                                             const char    *folder,
                                             const char    *initial_text);
const char    *haul_add_dialog_get_folder   (HaulAddDialog *self);
void           haul_add_dialog_set_folder   (HaulAddDialog *self,
                                             const char    *folder);
char          *haul_add_dialog_dup_text     (HaulAddDialog *self);
char          *haul_add_dialog_dup_links    (HaulAddDialog *self);
const char    *haul_add_dialog_get_checksum (HaulAddDialog *self);
void           haul_add_dialog_set_text     (HaulAddDialog *self,
                                             const char    *text);
void           haul_add_dialog_set_cookies_file (HaulAddDialog *self,
                                                 const char    *path);
HaulRequestContext *haul_add_dialog_dup_request_context (HaulAddDialog *self);

G_END_DECLS

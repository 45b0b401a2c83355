/* haul-sign-in-dialog.h — "Sign In…": a user name and password for a download that needs one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "haul-queue.h"

G_BEGIN_DECLS

#define HAUL_TYPE_SIGN_IN_DIALOG (haul_sign_in_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HaulSignInDialog, haul_sign_in_dialog, HAUL, SIGN_IN_DIALOG, AdwMessageDialog)

HaulSignInDialog *haul_sign_in_dialog_new     (GtkWindow    *parent,
                                               HaulQueue    *queue,
                                               HaulDownload *download);
void              haul_sign_in_dialog_present (GtkWindow    *parent,
                                               HaulQueue    *queue,
                                               HaulDownload *download);

G_END_DECLS

/* haul-relink-dialog.h — "Change Link…": a new link for a paused or failed download
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "haul-download.h"
#include "haul-queue.h"

G_BEGIN_DECLS

#define HAUL_TYPE_RELINK_DIALOG (haul_relink_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HaulRelinkDialog, haul_relink_dialog, HAUL, RELINK_DIALOG, AdwMessageDialog)

HaulRelinkDialog *haul_relink_dialog_new   (GtkWindow        *parent,
                                            HaulQueue        *queue,
                                            HaulDownload     *download,
                                            const char       *link);
void              haul_relink_dialog_check (HaulRelinkDialog *self);
gboolean          haul_relink_dialog_is_checking (HaulRelinkDialog *self);
gboolean          haul_relink_dialog_is_different (HaulRelinkDialog *self);

G_END_DECLS

/* haul-start-at-dialog.h — "Start at…": a time of day before which one download does not start
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "haul-queue.h"

G_BEGIN_DECLS

#define HAUL_TYPE_START_AT_DIALOG (haul_start_at_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HaulStartAtDialog, haul_start_at_dialog, HAUL, START_AT_DIALOG, AdwMessageDialog)

HaulStartAtDialog *haul_start_at_dialog_new     (GtkWindow    *parent,
                                                 HaulQueue    *queue,
                                                 HaulDownload *download);
void               haul_start_at_dialog_present (GtkWindow    *parent,
                                                 HaulQueue    *queue,
                                                 HaulDownload *download);
GDateTime         *haul_start_at_next           (GDateTime    *now,
                                                 guint         minute);

G_END_DECLS

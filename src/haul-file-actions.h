/* haul-file-actions.h — open a downloaded file, show it in its folder, copy its link
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "haul-download.h"

G_BEGIN_DECLS

void haul_file_actions_open           (GtkWindow    *parent,
                                       HaulDownload *download);
void haul_file_actions_show_in_folder (GtkWindow    *parent,
                                       HaulDownload *download);
void haul_file_actions_copy_link      (GtkWidget    *widget,
                                       HaulDownload *download);

G_END_DECLS

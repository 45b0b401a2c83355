/* haul-download-row.h — one download in the list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "haul-queue.h"

G_BEGIN_DECLS

#define HAUL_TYPE_DOWNLOAD_ROW (haul_download_row_get_type ())

G_DECLARE_FINAL_TYPE (HaulDownloadRow, haul_download_row, HAUL, DOWNLOAD_ROW, GtkWidget)

HaulDownloadRow *haul_download_row_new          (HaulQueue       *queue);
HaulDownload    *haul_download_row_get_download (HaulDownloadRow *self);
void             haul_download_row_set_download (HaulDownloadRow *self,
                                                 HaulDownload    *download);
void             haul_download_row_popup_menu   (HaulDownloadRow *self,
                                                 double           x,
                                                 double           y);
GtkPopover      *haul_download_row_get_context_menu (HaulDownloadRow *self);

G_END_DECLS

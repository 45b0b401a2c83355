/* haul-details-window.h — one download's details: its segment map and connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "haul-download.h"

G_BEGIN_DECLS

#define HAUL_TYPE_DETAILS_WINDOW (haul_details_window_get_type ())

G_DECLARE_FINAL_TYPE (HaulDetailsWindow, haul_details_window, HAUL, DETAILS_WINDOW, AdwWindow)

HaulDetailsWindow *haul_details_window_present  (GtkWindow         *parent,
                                                 HaulDownload      *download);
HaulDownload      *haul_details_window_get_download (HaulDetailsWindow *self);
void               haul_details_window_refresh  (HaulDetailsWindow *self);

G_END_DECLS

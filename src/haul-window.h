/* haul-window.h — the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "haul-application.h"

G_BEGIN_DECLS

#define HAUL_TYPE_WINDOW (haul_window_get_type ())

G_DECLARE_FINAL_TYPE (HaulWindow, haul_window, HAUL, WINDOW, AdwApplicationWindow)

HaulWindow *haul_window_new (HaulApplication *application);

G_END_DECLS

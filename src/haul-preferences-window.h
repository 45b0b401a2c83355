/* haul-preferences-window.h — the Preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAUL_TYPE_PREFERENCES_WINDOW (haul_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (HaulPreferencesWindow, haul_preferences_window, HAUL, PREFERENCES_WINDOW, AdwPreferencesWindow)

HaulPreferencesWindow *haul_preferences_window_new (GtkWindow *parent,
                                                    GSettings *settings);
void                   haul_preferences_migrate    (GSettings *settings);

G_END_DECLS

/* haul-preferences-window-private.h — what the Preferences window's two files share
 *
 * haul-preferences-window.c: the General page; haul-preferences-network.c:
 * the Network page; haul-preferences-browser.c: the Browser page. Main
 * thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "haul-browser.h"
#include "haul-folder-chooser.h"
#include "haul-preferences-window.h"

G_BEGIN_DECLS

struct _HaulPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwActionRow         *folder_row;
  GtkButton            *folder_button;
  GtkButton            *folder_reset_button;
  GtkSpinButton        *max_active_spin;
  GtkSwitch            *speed_limit_switch;
  AdwActionRow         *speed_limit_row;
  GtkSpinButton        *speed_limit_spin;
  GtkSwitch            *resume_switch;
  GtkSwitch            *notifications_switch;
  GtkSpinButton        *connections_spin;
  GtkSpinButton        *server_connections_spin;
  AdwPreferencesPage   *browser_page;
  AdwActionRow         *browser_row;
  GtkSwitch            *browser_switch;
  AdwPreferencesGroup  *pair_group;
  GtkLabel             *code_label;
  GtkLabel             *expiry_label;
  AdwPreferencesGroup  *paired_group;
  AdwActionRow         *paired_empty_row;
  AdwPreferencesPage   *network_page;
  AdwComboRow          *metered_row;
  GtkSwitch            *save_power_switch;
  GtkSwitch            *schedule_switch;
  AdwEntryRow          *schedule_start_row;
  AdwEntryRow          *schedule_end_row;
  GtkWidget            *schedule_days_row;
  GtkBox               *schedule_days_box;
  GtkLabel             *schedule_label;
  AdwComboRow          *when_done_row;
  GtkToggleButton      *day_buttons[7]; /* Monday first, as HAUL_SCHEDULE_* bits */

  /* Owned references */
  GSettings            *settings;
  HaulFolderChooser    *chooser;
  HaulBrowser          *browser;       /* NULL: no Browser page */
  GPtrArray            *paired_rows;   /* AdwActionRow, one per paired browser */
  guint                 expiry_source;

  /* Set while the widgets follow the settings, so they do not write back. */
  gboolean              updating;
};

/* haul-preferences-browser.c */
void _haul_preferences_browser_class_init (GtkWidgetClass        *widget_class);
void _haul_preferences_browser_init       (HaulPreferencesWindow *self);
void _haul_preferences_browser_dispose    (HaulPreferencesWindow *self);

/* haul-preferences-network.c */
void _haul_preferences_network_class_init (GtkWidgetClass        *widget_class);
void _haul_preferences_network_init       (HaulPreferencesWindow *self);

G_END_DECLS

/* haul-preferences-network.c — Preferences → Network: metered connections, power, the schedule, when done
 *
 * Every control writes its GSettings key at once and follows it when it
 * changes elsewhere (the application applies the keys to the queue:
 * haul-network-settings.c). The schedule's hours are HH:MM entries: text
 * that haul_schedule_parse_time() refuses is said under the group, in the
 * error style, and not saved; the line under the group otherwise says what
 * the hours mean ("Downloads run from 01:00 to 07:00 the next morning").
 * The weekdays are seven toggle buttons named by the locale (GDateTime's
 * "%a"), Monday first, as the schedule-days bits count them.
 *
 * "When the queue is done" offers Do Nothing and Quit Haul only. Suspend
 * and power off are not offered: no XDG portal can do either, and asking
 * logind (org.freedesktop.login1) or org.gnome.SessionManager from the
 * Flatpak needs new --system-talk-name/--talk-name permissions in the
 * manifest, which issue 18 rules out.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-preferences-window-private.h"
#include "haul-schedule.h"
#include "haul-wait-text.h"

static const char *const metered_choices[] = { "pause", "keep", NULL };
static const char *const when_done_choices[] = { "nothing", "quit", NULL };

/* A string key with choices ↔ a combo row's "selected". */
static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *const *choices = user_data;
  const char *text = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_str_equal (choices[i], text))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char *const *choices = user_data;
  guint i = g_value_get_uint (value);

  if (i >= g_strv_length ((char **) choices))
    return NULL;
  return g_variant_new_string (choices[i]);
}

/* Whether @row's text is a time; its minute in @minute. The error, if
 * any, in @error. */
static gboolean
row_minute (AdwEntryRow  *row,
            guint        *minute,
            GError      **error)
{
  return haul_schedule_parse_time (gtk_editable_get_text (GTK_EDITABLE (row)), minute, error);
}

/* The line under the schedule: what the hours mean, or what is wrong. */
static void
update_schedule_label (HaulPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  guint start = 0, end = 0;
  g_autofree char *text = NULL;

  if (!row_minute (self->schedule_start_row, &start, &error) ||
      !row_minute (self->schedule_end_row, &end, &error))
    {
      gtk_label_set_label (self->schedule_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->schedule_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->schedule_label), "dim-label");
      return;
    }
  if (g_settings_get_int (self->settings, "schedule-days") == 0)
    text = g_strdup (_("No day is chosen: downloads wait until one is"));
  else
    text = haul_wait_text_hours (start, end);
  gtk_label_set_label (self->schedule_label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->schedule_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->schedule_label), "dim-label");
}

/* Text typed in From or To: saved when it is a time, else said. */
static void
schedule_entry_changed (HaulPreferencesWindow *self,
                        AdwEntryRow           *row,
                        const char            *key)
{
  guint minute;

  if (self->updating)
    return;
  if (row_minute (row, &minute, NULL))
    {
      g_autofree char *text = haul_schedule_format_time (minute);
      g_autofree char *saved = g_settings_get_string (self->settings, key);

      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      if (!g_str_equal (text, saved))
        g_settings_set_string (self->settings, key, text);
    }
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  update_schedule_label (self);
}

static void
schedule_start_changed_cb (HaulPreferencesWindow *self,
                           AdwEntryRow           *row)
{
  schedule_entry_changed (self, row, "schedule-start");
}

static void
schedule_end_changed_cb (HaulPreferencesWindow *self,
                         AdwEntryRow           *row)
{
  schedule_entry_changed (self, row, "schedule-end");
}

/* The key changed elsewhere: the entry shows it, unless its text already
 * means the same time (1:00 typed, 01:00 saved). */
static void
follow_time_key (HaulPreferencesWindow *self,
                 AdwEntryRow           *row,
                 const char            *key)
{
  g_autofree char *saved = g_settings_get_string (self->settings, key);
  guint typed, stored;

  if (row_minute (row, &typed, NULL) && haul_schedule_parse_time (saved, &stored, NULL) && typed == stored)
    return;
  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (row), saved);
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  self->updating = FALSE;
}

static void
follow_days (HaulPreferencesWindow *self)
{
  int days = g_settings_get_int (self->settings, "schedule-days");

  self->updating = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (self->day_buttons); i++)
    gtk_toggle_button_set_active (self->day_buttons[i], (days & (1 << i)) != 0);
  self->updating = FALSE;
}

static void
network_settings_changed_cb (HaulPreferencesWindow *self,
                             const char            *key,
                             GSettings             *settings)
{
  if (g_strcmp0 (key, "schedule-start") == 0)
    follow_time_key (self, self->schedule_start_row, key);
  else if (g_strcmp0 (key, "schedule-end") == 0)
    follow_time_key (self, self->schedule_end_row, key);
  else if (g_strcmp0 (key, "schedule-days") == 0)
    follow_days (self);
  else
    return;
  update_schedule_label (self);
}

static void
day_toggled_cb (GtkToggleButton       *button,
                HaulPreferencesWindow *self)
{
  guint bit = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "haul-day-bit"));
  int days = g_settings_get_int (self->settings, "schedule-days");

  if (self->updating)
    return;
  days = gtk_toggle_button_get_active (button) ? (days | (int) bit) : (days & ~(int) bit);
  g_settings_set_int (self->settings, "schedule-days", days);
}

/* Seven buttons, Monday first, named as the locale names weekdays. */
static void
add_day_buttons (HaulPreferencesWindow *self)
{
  /* 2024-01-01 was a Monday. */
  g_autoptr(GDateTime) monday = g_date_time_new_local (2024, 1, 1, 12, 0, 0);

  for (guint i = 0; i < G_N_ELEMENTS (self->day_buttons); i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (monday, (int) i);
      g_autofree char *name = g_date_time_format (day, "%a");
      g_autofree char *full = g_date_time_format (day, "%A");
      GtkWidget *button = gtk_toggle_button_new_with_label (name);

      gtk_widget_set_tooltip_text (button, full);
      gtk_widget_add_css_class (button, "haul-weekday");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, full, -1);
      g_object_set_data (G_OBJECT (button), "haul-day-bit", GUINT_TO_POINTER (1u << i));
      g_signal_connect (button, "toggled", G_CALLBACK (day_toggled_cb), self);
      gtk_box_append (self->schedule_days_box, button);
      self->day_buttons[i] = GTK_TOGGLE_BUTTON (button);
    }
}

void
_haul_preferences_network_init (HaulPreferencesWindow *self)
{
  GSettings *s = self->settings;

  add_day_buttons (self);
  g_settings_bind_with_mapping (s, "metered-downloads", self->metered_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) metered_choices, NULL);
  g_settings_bind_with_mapping (s, "when-done", self->when_done_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) when_done_choices, NULL);
  g_settings_bind (s, "save-power", self->save_power_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "schedule-enabled", self->schedule_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "schedule-enabled", self->schedule_start_row, "sensitive", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "schedule-enabled", self->schedule_end_row, "sensitive", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "schedule-enabled", self->schedule_days_row, "sensitive", G_SETTINGS_BIND_GET);

  g_signal_connect_object (s, "changed", G_CALLBACK (network_settings_changed_cb), self, G_CONNECT_SWAPPED);
  follow_time_key (self, self->schedule_start_row, "schedule-start");
  follow_time_key (self, self->schedule_end_row, "schedule-end");
  follow_days (self);
  update_schedule_label (self);
}

void
_haul_preferences_network_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, network_page);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, metered_row);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, save_power_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, schedule_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, schedule_start_row);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, schedule_end_row);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, schedule_days_row);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, schedule_days_box);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, schedule_label);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, when_done_row);
  gtk_widget_class_bind_template_callback (widget_class, schedule_start_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, schedule_end_changed_cb);
}

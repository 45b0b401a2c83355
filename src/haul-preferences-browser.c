/* haul-preferences-browser.c — Preferences → Browser: integration on or off, pairing, paired browsers
 *
 * The switch writes "browser-integration"; HaulBrowser starts or stops the
 * endpoint and says where it listens (or why it cannot) in its "status",
 * shown under the switch. While integration is on and this window is open
 * there is a one-time code (shown large, with when it expires, and a New
 * Code button); closing the window or turning integration off drops it, so
 * no browser can pair while nobody looks. Paired browsers are listed, each
 * with Revoke. HaulPairings' "changed" (a browser paired, a code used or
 * burnt by wrong tries, one revoked) refreshes the code and the list.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-application.h"
#include "haul-preferences-window-private.h"

static void update_code (HaulPreferencesWindow *self);

static gboolean
is_on (HaulPreferencesWindow *self)
{
  return g_settings_get_boolean (self->settings, "browser-integration");
}

static void
update_status (HaulPreferencesWindow *self)
{
  adw_action_row_set_subtitle (self->browser_row, haul_browser_get_status (self->browser));
  if (haul_browser_get_failed (self->browser))
    gtk_widget_add_css_class (GTK_WIDGET (self->browser_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->browser_row), "error");
}

static gboolean
code_expired_cb (gpointer data)
{
  HaulPreferencesWindow *self = data;

  self->expiry_source = 0;
  update_code (self);
  return G_SOURCE_REMOVE;
}

/* The code, and a timer that shows the next one when it expires. */
static void
update_code (HaulPreferencesWindow *self)
{
  HaulPairings *pairings = haul_browser_get_pairings (self->browser);
  g_autofree char *code = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *time = NULL;
  g_autofree char *text = NULL;
  gint64 expires, left;

  g_clear_handle_id (&self->expiry_source, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->pair_group), is_on (self));
  if (!is_on (self))
    {
      haul_pairings_clear_code (pairings);
      return;
    }
  code = haul_pairings_dup_code (pairings, &expires);
  left = MAX (expires - g_get_monotonic_time (), 0);
  now = g_date_time_new_now_local ();
  until = g_date_time_add (now, left);
  /* Translators: the time a pairing code stops working, in
   * g_date_time_format()'s notation ("%H:%M" is 14:05) */
  time = g_date_time_format (until, _("%H:%M"));
  /* Translators: %s is a time of day */
  text = g_strdup_printf (_("Valid once, until %s"), time);
  gtk_label_set_text (self->code_label, code);
  gtk_label_set_text (self->expiry_label, text);
  self->expiry_source = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, (guint) (left / G_USEC_PER_SEC) + 1,
                                                    code_expired_cb, self, NULL);
}

static void
revoke_clicked_cb (GtkButton             *button,
                   HaulPreferencesWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "haul-pairing-id");

  haul_pairings_revoke (haul_browser_get_pairings (self->browser), id);
}

static GtkWidget *
paired_row_new (HaulPreferencesWindow *self,
                const HaulPairing     *pairing)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Revoke"));
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (pairing->paired);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  /* Translators: the day a browser was paired, in g_date_time_format()'s
   * notation ("%-d %B %Y" is 7 December 2026) */
  g_autofree char *date = local != NULL ? g_date_time_format (local, _("%-d %B %Y")) : g_strdup ("?");
  /* Translators: %s is a date */
  g_autofree char *subtitle = g_strdup_printf (_("Paired on %s"), date);
  /* Translators: the accessible name of a Revoke button; %s is a browser's name */
  g_autofree char *label = g_strdup_printf (_("Revoke %s"), pairing->browser);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pairing->browser);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (button), "haul-pairing-id", g_strdup (pairing->id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (revoke_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
update_paired (HaulPreferencesWindow *self)
{
  g_autoptr(GPtrArray) list = haul_pairings_list (haul_browser_get_pairings (self->browser));

  gtk_widget_set_visible (GTK_WIDGET (self->paired_group), is_on (self));
  for (guint i = 0; i < self->paired_rows->len; i++)
    adw_preferences_group_remove (self->paired_group, g_ptr_array_index (self->paired_rows, i));
  g_ptr_array_set_size (self->paired_rows, 0);
  for (guint i = 0; i < list->len; i++)
    {
      GtkWidget *row = paired_row_new (self, g_ptr_array_index (list, i));

      adw_preferences_group_add (self->paired_group, row);
      g_ptr_array_add (self->paired_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->paired_empty_row), list->len == 0);
}

static void
pairings_changed_cb (HaulPreferencesWindow *self,
                     HaulPairings          *pairings)
{
  update_code (self);
  update_paired (self);
}

static void
status_notify_cb (HaulPreferencesWindow *self,
                  GParamSpec            *pspec,
                  HaulBrowser           *browser)
{
  update_status (self);
}

static void
settings_changed_cb (HaulPreferencesWindow *self,
                     const char            *key,
                     GSettings             *settings)
{
  if (g_strcmp0 (key, "browser-integration") != 0)
    return;
  update_code (self);
  update_paired (self);
}

static void
new_code_clicked_cb (HaulPreferencesWindow *self,
                     GtkButton             *button)
{
  haul_pairings_new_code (haul_browser_get_pairings (self->browser));
  update_code (self);
}

void
_haul_preferences_browser_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, browser_page);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, browser_row);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, browser_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, pair_group);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, code_label);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, paired_group);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, paired_empty_row);
  gtk_widget_class_bind_template_callback (widget_class, new_code_clicked_cb);
}

/* After the settings are set (constructed). Without a HaulApplication that
 * has browser integration (no settings schema), there is no Browser page. */
void
_haul_preferences_browser_init (HaulPreferencesWindow *self)
{
  GApplication *app = g_application_get_default ();

  self->paired_rows = g_ptr_array_new ();
  if (HAUL_IS_APPLICATION (app))
    self->browser = haul_application_get_browser (HAUL_APPLICATION (app));
  if (self->browser == NULL)
    {
      adw_preferences_window_remove (ADW_PREFERENCES_WINDOW (self), self->browser_page);
      return;
    }
  g_object_ref (self->browser);
  g_settings_bind (self->settings, "browser-integration",
                   self->browser_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::browser-integration",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->browser, "notify::status", G_CALLBACK (status_notify_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (haul_browser_get_pairings (self->browser), "changed",
                           G_CALLBACK (pairings_changed_cb), self, G_CONNECT_SWAPPED);
  update_status (self);
  update_code (self);
  update_paired (self);
}

/* The window closes: no code any more. */
void
_haul_preferences_browser_dispose (HaulPreferencesWindow *self)
{
  g_clear_handle_id (&self->expiry_source, g_source_remove);
  if (self->browser != NULL)
    {
      haul_pairings_clear_code (haul_browser_get_pairings (self->browser));
      g_signal_handlers_disconnect_by_data (self->browser, self);
      g_signal_handlers_disconnect_by_data (haul_browser_get_pairings (self->browser), self);
    }
  g_clear_object (&self->browser);
  g_clear_pointer (&self->paired_rows, g_ptr_array_unref);
}

/* haul-preferences-window.c — the Preferences window
 *
 * Every control writes its GSettings key at once and follows the key when
 * it changes elsewhere; applying the values to the engine is the
 * application's business. The speed limit is one key (0 = no limit) shown
 * as a switch plus a spin button, so "no limit" never hides behind a 0; it
 * is stored in bytes per second and shown in kB/s (1000 bytes), the unit
 * of every speed Haul shows (g_format_size()).
 *
 * The Browser page (haul-preferences-browser.c) follows the application's
 * HaulBrowser: the switch, where Haul listens, the pairing code and the
 * paired browsers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-folder-chooser.h"
#include "haul-folders.h"
#include "haul-preferences-window-private.h"
#include "haul-proxy-group.h"

#define SPEED_LIMIT_KEY     "speed-limit-bytes"
#define SPEED_UNIT          1000 /* bytes in the kB/s the spin button shows */
#define DEFAULT_SPEED_LIMIT 1000 /* kB/s offered when the limit is switched on */

G_DEFINE_FINAL_TYPE (HaulPreferencesWindow, haul_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_folder (HaulPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");
  gboolean custom = folder[0] != '\0';
  g_autofree char *name = haul_folders_dup_display_name (custom ? folder : haul_folders_get_default ());

  adw_action_row_set_subtitle (self->folder_row, name);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_reset_button), custom);
}

static void
update_speed_limit (HaulPreferencesWindow *self)
{
  gint64 limit = g_settings_get_int64 (self->settings, SPEED_LIMIT_KEY);

  self->updating = TRUE;
  gtk_switch_set_active (self->speed_limit_switch, limit > 0);
  if (limit > 0)
    gtk_spin_button_set_value (self->speed_limit_spin, MAX (1, (limit + SPEED_UNIT / 2) / SPEED_UNIT));
  gtk_widget_set_sensitive (GTK_WIDGET (self->speed_limit_row), limit > 0);
  self->updating = FALSE;
}

static void
write_speed_limit (HaulPreferencesWindow *self,
                   int                    kb_per_second)
{
  g_settings_set_int64 (self->settings, SPEED_LIMIT_KEY, (gint64) kb_per_second * SPEED_UNIT);
}

static void
settings_changed_cb (HaulPreferencesWindow *self,
                     const char            *key,
                     GSettings             *settings)
{
  if (g_strcmp0 (key, "download-folder") == 0)
    update_folder (self);
  else if (g_strcmp0 (key, SPEED_LIMIT_KEY) == 0)
    update_speed_limit (self);
}

static void
speed_limit_switch_notify_cb (HaulPreferencesWindow *self,
                              GParamSpec            *pspec,
                              GtkSwitch             *sw)
{
  if (self->updating)
    return;

  if (gtk_switch_get_active (sw))
    write_speed_limit (self, MAX (1, gtk_spin_button_get_value_as_int (self->speed_limit_spin)));
  else
    write_speed_limit (self, 0);
}

static void
speed_limit_spin_changed_cb (HaulPreferencesWindow *self,
                             GtkSpinButton         *spin)
{
  if (self->updating || !gtk_switch_get_active (self->speed_limit_switch))
    return;

  write_speed_limit (self, MAX (1, gtk_spin_button_get_value_as_int (spin)));
}

static void
folder_chosen_cb (const char *path,
                  gpointer    user_data)
{
  HaulPreferencesWindow *self = user_data;

  g_settings_set_string (self->settings, "download-folder", path);
}

static void
folder_button_clicked_cb (HaulPreferencesWindow *self,
                          GtkButton             *button)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");

  haul_folder_chooser_present (self->chooser, folder);
}

static void
folder_reset_clicked_cb (HaulPreferencesWindow *self,
                         GtkButton             *button)
{
  /* The button disappears under the focus: give it to "Choose…". */
  gtk_widget_grab_focus (GTK_WIDGET (self->folder_button));
  g_settings_reset (self->settings, "download-folder");
}

static void
haul_preferences_window_constructed (GObject *object)
{
  HaulPreferencesWindow *self = HAUL_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (haul_preferences_window_parent_class)->constructed (object);

  g_return_if_fail (G_IS_SETTINGS (self->settings));

  g_settings_bind (self->settings, "max-active",
                   self->max_active_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "connections-per-download",
                   self->connections_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "connections-per-server",
                   self->server_connections_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "resume-on-start",
                   self->resume_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications",
                   self->notifications_switch, "active", G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  update_folder (self);
  update_speed_limit (self);
  _haul_preferences_network_init (self);
  _haul_preferences_browser_init (self);
}

static void
haul_preferences_window_dispose (GObject *object)
{
  HaulPreferencesWindow *self = HAUL_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->chooser, haul_folder_chooser_free);
  _haul_preferences_browser_dispose (self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (haul_preferences_window_parent_class)->dispose (object);
}

static void
haul_preferences_window_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  HaulPreferencesWindow *self = HAUL_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_preferences_window_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  HaulPreferencesWindow *self = HAUL_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_preferences_window_class_init (HaulPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = haul_preferences_window_constructed;
  object_class->dispose = haul_preferences_window_dispose;
  object_class->get_property = haul_preferences_window_get_property;
  object_class->set_property = haul_preferences_window_set_property;

  /**
   * HaulPreferencesWindow:settings:
   *
   * The application's settings (schema io.github.haulapp.Haul).
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/haulapp/Haul/haul-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, folder_button);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, folder_reset_button);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, max_active_spin);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, speed_limit_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, speed_limit_row);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, speed_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, resume_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, connections_spin);
  gtk_widget_class_bind_template_child (widget_class, HaulPreferencesWindow, server_connections_spin);
  gtk_widget_class_bind_template_callback (widget_class, folder_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, folder_reset_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, speed_limit_switch_notify_cb);
  gtk_widget_class_bind_template_callback (widget_class, speed_limit_spin_changed_cb);
  g_type_ensure (HAUL_TYPE_PROXY_GROUP);
  _haul_preferences_network_class_init (widget_class);
  _haul_preferences_browser_class_init (widget_class);
}

static void
haul_preferences_window_init (HaulPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->chooser = haul_folder_chooser_new (GTK_WINDOW (self), folder_chosen_cb, self);
}

/**
 * haul_preferences_window_new:
 * @parent: (nullable): the window to stay on top of
 * @settings: the application's settings
 *
 * Returns: (transfer none): a new preferences window; present it with
 *   gtk_window_present(). It is destroyed when closed.
 */
HaulPreferencesWindow *
haul_preferences_window_new (GtkWindow *parent,
                             GSettings *settings)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (HAUL_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "settings", settings,
                       NULL);
}

/**
 * haul_preferences_migrate:
 * @settings: Haul's settings
 *
 * Carries a speed limit set by an older Haul over to the key that holds it
 * now, once: "speed-limit" held KiB/s, "speed-limit-bytes" holds bytes per
 * second and is shown in kB/s. The limit is rounded to whole kB/s (100 KiB/s
 * becomes 102 kB/s), so what Preferences show is exactly what applies.
 */
void
haul_preferences_migrate (GSettings *settings)
{
  g_autoptr(GVariant) old = NULL;
  g_autoptr(GVariant) now = NULL;
  gint64 kib;

  g_return_if_fail (G_IS_SETTINGS (settings));

  old = g_settings_get_user_value (settings, "speed-limit");
  if (old == NULL)
    return;
  kib = g_variant_get_int32 (old);
  now = g_settings_get_user_value (settings, SPEED_LIMIT_KEY);
  if (kib > 0 && now == NULL)
    g_settings_set_int64 (settings, SPEED_LIMIT_KEY, (kib * 1024 + SPEED_UNIT / 2) / SPEED_UNIT * SPEED_UNIT);
  g_settings_reset (settings, "speed-limit");
}

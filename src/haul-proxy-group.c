/* haul-proxy-group.c — Preferences → Network → Proxy
 *
 * HaulProxyGroup: an AdwPreferencesGroup (composite template,
 * haul-proxy-group.ui) titled "Proxy": the mode (Use System Settings / No
 * Proxy / Manual: the proxy-mode key) and, while Manual, the HTTP, HTTPS
 * and SOCKS5 proxies (host:port), the user name, the password and the
 * hosts reached directly. An entry is saved when applied (its apply
 * button or Enter), and only when valid: otherwise it is shown in the
 * error style with the sentence of haul-proxy.c under the group, and the
 * setting keeps its value. The password goes to the keyring (server
 * "proxy", the user name as user; an empty one is forgotten), never to
 * GSettings; once stored, the application's HaulProxySettings is told to
 * read it again. The group makes its own GSettings of Haul's schema, so it
 * needs no property and can be put in a .ui file as it is.
 *
 * Thread: main. The keyring is asked and written asynchronously.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-proxy-group"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-application.h"
#include "haul-auth.h"
#include "haul-keyring.h"
#include "haul-proxy-group.h"
#include "haul-proxy.h"

enum { ROW_HTTP, ROW_HTTPS, ROW_SOCKS, ROW_USER, ROW_PASSWORD, ROW_HOSTS, N_ROWS };

static const char * const address_keys[] = { "proxy-http", "proxy-https", "proxy-socks" };

struct _HaulProxyGroup
{
  AdwPreferencesGroup  parent_instance;

  AdwComboRow         *mode_row;
  AdwEntryRow         *rows[N_ROWS];
  GtkLabel            *error_label;

  GSettings           *settings;    /* NULL when the schema is not installed */
  char                *errors[N_ROWS];
  GCancellable        *cancellable; /* the keyring's answers, until disposed */
};

G_DEFINE_FINAL_TYPE (HaulProxyGroup, haul_proxy_group, ADW_TYPE_PREFERENCES_GROUP)

static int
row_index (HaulProxyGroup *self,
           gpointer        row)
{
  for (int i = 0; i < N_ROWS; i++)
    if (self->rows[i] == row)
      return i;
  g_return_val_if_reached (-1);
}

/* The sentences of every row in error, under the group. */
static void
show_errors (HaulProxyGroup *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (int i = 0; i < N_ROWS; i++)
    {
      if (self->errors[i] == NULL)
        {
          gtk_widget_remove_css_class (GTK_WIDGET (self->rows[i]), "error");
          continue;
        }
      gtk_widget_add_css_class (GTK_WIDGET (self->rows[i]), "error");
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, self->errors[i]);
    }
  gtk_label_set_text (self->error_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label),
                          text->len > 0 && adw_combo_row_get_selected (self->mode_row) == HAUL_PROXY_MODE_MANUAL);
}

static void
set_error (HaulProxyGroup *self,
           int             row,
           const GError   *error)
{
  g_free (self->errors[row]);
  self->errors[row] = error != NULL ? g_strdup (error->message) : NULL;
  show_errors (self);
}

/* Is @row's text valid? The error (a sentence naming the row) if not. */
static gboolean
check_row (HaulProxyGroup  *self,
           int              row,
           GError         **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->rows[row]));
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->rows[row]));

  if (row <= ROW_SOCKS)
    return *text == '\0' || haul_proxy_check_address (title, text, NULL, NULL, error);
  if (row == ROW_HOSTS)
    {
      g_auto(GStrv) hosts = haul_proxy_split_hosts (text);

      return haul_proxy_check_ignore_hosts (title, (const char * const *) hosts, error);
    }
  if (row == ROW_PASSWORD && *text != '\0' &&
      *gtk_editable_get_text (GTK_EDITABLE (self->rows[ROW_USER])) == '\0')
    {
      g_set_error (error, HAUL_PROXY_ERROR, HAUL_PROXY_ERROR_INVALID,
                   _("Password: type the user name first; the password is kept for that user"));
      return FALSE;
    }
  return TRUE;
}

/* A row in error is checked again as it is edited, so that the error goes
 * as soon as the text is right (it is saved when applied). */
static void
row_changed_cb (HaulProxyGroup *self,
                GtkEditable    *editable)
{
  int row = row_index (self, editable);
  g_autoptr(GError) error = NULL;

  if (row < 0 || self->errors[row] == NULL)
    return;
  check_row (self, row, &error);
  set_error (self, row, error);
}

static void
mode_selected_cb (HaulProxyGroup *self)
{
  guint mode = adw_combo_row_get_selected (self->mode_row);
  static const char * const names[] = { "system", "none", "manual" };

  for (int i = 0; i < N_ROWS; i++)
    gtk_widget_set_visible (GTK_WIDGET (self->rows[i]), mode == HAUL_PROXY_MODE_MANUAL);
  show_errors (self);
  if (self->settings != NULL && mode < G_N_ELEMENTS (names))
    {
      g_autofree char *current = g_settings_get_string (self->settings, "proxy-mode");

      if (g_strcmp0 (current, names[mode]) != 0)
        g_settings_set_string (self->settings, "proxy-mode", names[mode]);
    }
}

static void
address_applied_cb (HaulProxyGroup *self,
                    AdwEntryRow    *entry)
{
  int row = row_index (self, entry);
  g_autoptr(GError) error = NULL;

  if (row < 0 || row > ROW_SOCKS)
    return;
  if (check_row (self, row, &error) && self->settings != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

      g_settings_set_string (self->settings, address_keys[row], text);
    }
  set_error (self, row, error);
}

static void
hosts_applied_cb (HaulProxyGroup *self)
{
  g_autoptr(GError) error = NULL;

  if (check_row (self, ROW_HOSTS, &error) && self->settings != NULL)
    {
      g_auto(GStrv) hosts = haul_proxy_split_hosts (gtk_editable_get_text (GTK_EDITABLE (self->rows[ROW_HOSTS])));

      g_settings_set_strv (self->settings, "proxy-ignore-hosts", (const char * const *) hosts);
    }
  set_error (self, ROW_HOSTS, error);
}

/* The keyring took (or forgot) the password: the queue gets it. */
static void
password_saved_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HaulProxyGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  GApplication *app = g_application_get_default ();
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == haul_keyring_store_async)
    ok = haul_keyring_store_finish (result, &error);
  else
    ok = haul_keyring_clear_finish (result, &error);
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!ok)
    {
      g_autoptr(GError) shown = g_error_new (HAUL_PROXY_ERROR, HAUL_PROXY_ERROR_INVALID,
                                             _("Password: the keyring could not keep it: %s"),
                                             error->message);

      set_error (self, ROW_PASSWORD, shown);
      return;
    }
  if (HAUL_IS_APPLICATION (app) && haul_application_get_proxy_settings (HAUL_APPLICATION (app)) != NULL)
    haul_proxy_settings_reload_password (haul_application_get_proxy_settings (HAUL_APPLICATION (app)));
}

static void
password_applied_cb (HaulProxyGroup *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->rows[ROW_PASSWORD]));
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->rows[ROW_USER]));
  g_autoptr(GError) error = NULL;

  if (!check_row (self, ROW_PASSWORD, &error))
    {
      set_error (self, ROW_PASSWORD, error);
      return;
    }
  set_error (self, ROW_PASSWORD, NULL);
  if (*password != '\0')
    haul_keyring_store_async (HAUL_KEYRING_PROXY_SERVER, user, password, self->cancellable,
                              password_saved_cb, g_object_ref (self));
  else if (*user != '\0')
    haul_keyring_clear_async (HAUL_KEYRING_PROXY_SERVER, user, self->cancellable,
                              password_saved_cb, g_object_ref (self));
}

/* The keyring's password of the user shown, in the (hidden) password row. */
static void
password_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HaulProxyGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  char *password = NULL;

  if (!haul_keyring_lookup_finish (result, &user, &password, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("no proxy password from the keyring: %s", error->message);
      return;
    }
  if (password != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->rows[ROW_PASSWORD])) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->rows[ROW_PASSWORD]), password);
  haul_auth_wipe (&password);
}

static void
user_applied_cb (HaulProxyGroup *self)
{
  g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->rows[ROW_USER]))));

  if (self->settings == NULL)
    return;
  g_settings_set_string (self->settings, "proxy-user", user);
  /* Another user: the password shown is that user's, if the keyring has one. */
  gtk_editable_set_text (GTK_EDITABLE (self->rows[ROW_PASSWORD]), "");
  if (*user != '\0')
    haul_keyring_lookup_async (HAUL_KEYRING_PROXY_SERVER, user, self->cancellable, password_found_cb,
                               g_object_ref (self));
}

/* The rows from the settings (once: the group is what changes them). */
static void
load_settings (HaulProxyGroup *self)
{
  g_autofree char *mode_text = g_settings_get_string (self->settings, "proxy-mode");
  g_autofree char *user = g_settings_get_string (self->settings, "proxy-user");
  g_auto(GStrv) hosts = g_settings_get_strv (self->settings, "proxy-ignore-hosts");
  g_autofree char *hosts_text = g_strjoinv (", ", hosts);
  HaulProxyMode mode = HAUL_PROXY_MODE_SYSTEM;

  for (int i = ROW_HTTP; i <= ROW_SOCKS; i++)
    {
      g_autofree char *text = g_settings_get_string (self->settings, address_keys[i]);

      gtk_editable_set_text (GTK_EDITABLE (self->rows[i]), text);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->rows[ROW_USER]), user);
  gtk_editable_set_text (GTK_EDITABLE (self->rows[ROW_HOSTS]), hosts_text);
  haul_proxy_mode_from_string (mode_text, &mode);
  adw_combo_row_set_selected (self->mode_row, mode);
  if (*user != '\0')
    haul_keyring_lookup_async (HAUL_KEYRING_PROXY_SERVER, user, self->cancellable, password_found_cb,
                               g_object_ref (self));
}

static GSettings *
settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "io.github.haulapp.Haul", TRUE);
  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

GtkWidget *
haul_proxy_group_new (void)
{
  return g_object_new (HAUL_TYPE_PROXY_GROUP, NULL);
}

/**
 * haul_proxy_group_get_error_text:
 *
 * Returns: the sentences shown under the group ("" when none)
 */
const char *
haul_proxy_group_get_error_text (HaulProxyGroup *self)
{
  g_return_val_if_fail (HAUL_IS_PROXY_GROUP (self), NULL);
  return gtk_label_get_text (self->error_label);
}

static void
haul_proxy_group_dispose (GObject *object)
{
  HaulProxyGroup *self = HAUL_PROXY_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAUL_TYPE_PROXY_GROUP);

  G_OBJECT_CLASS (haul_proxy_group_parent_class)->dispose (object);
}

static void
haul_proxy_group_finalize (GObject *object)
{
  HaulProxyGroup *self = HAUL_PROXY_GROUP (object);

  for (int i = 0; i < N_ROWS; i++)
    g_free (self->errors[i]);

  G_OBJECT_CLASS (haul_proxy_group_parent_class)->finalize (object);
}

static void
haul_proxy_group_class_init (HaulProxyGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haul_proxy_group_dispose;
  object_class->finalize = haul_proxy_group_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/haulapp/Haul/haul-proxy-group.ui");
  gtk_widget_class_bind_template_child (widget_class, HaulProxyGroup, mode_row);
  gtk_widget_class_bind_template_child_full (widget_class, "http_row", FALSE,
                                             G_STRUCT_OFFSET (HaulProxyGroup, rows[ROW_HTTP]));
  gtk_widget_class_bind_template_child_full (widget_class, "https_row", FALSE,
                                             G_STRUCT_OFFSET (HaulProxyGroup, rows[ROW_HTTPS]));
  gtk_widget_class_bind_template_child_full (widget_class, "socks_row", FALSE,
                                             G_STRUCT_OFFSET (HaulProxyGroup, rows[ROW_SOCKS]));
  gtk_widget_class_bind_template_child_full (widget_class, "user_row", FALSE,
                                             G_STRUCT_OFFSET (HaulProxyGroup, rows[ROW_USER]));
  gtk_widget_class_bind_template_child_full (widget_class, "password_row", FALSE,
                                             G_STRUCT_OFFSET (HaulProxyGroup, rows[ROW_PASSWORD]));
  gtk_widget_class_bind_template_child_full (widget_class, "hosts_row", FALSE,
                                             G_STRUCT_OFFSET (HaulProxyGroup, rows[ROW_HOSTS]));
  gtk_widget_class_bind_template_child (widget_class, HaulProxyGroup, error_label);
  gtk_widget_class_bind_template_callback (widget_class, mode_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, address_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, hosts_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, user_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_changed_cb);
}

static void
haul_proxy_group_init (HaulProxyGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->settings = settings_new ();
  if (self->settings == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
      mode_selected_cb (self);
      return;
    }
  load_settings (self);
  mode_selected_cb (self);
}

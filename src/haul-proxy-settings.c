/* haul-proxy-settings.c — the queue's proxy, from the settings and the keyring (or the command line)
 *
 * Follows the keys proxy-mode, proxy-http, proxy-https, proxy-socks,
 * proxy-user and proxy-ignore-hosts, and the manual proxies' password in
 * the keyring (server "proxy", user = proxy-user: haul-keyring.c), and
 * gives the queue its resolver (haul-proxy.c) and the HTTP proxies'
 * credentials (haul_queue_set_proxy_credentials()) each time one changes.
 * The password is asked for asynchronously when the user name changes (and
 * when haul_proxy_settings_reload_password() says the keyring changed);
 * until it comes the resolver is already the new one, without a password.
 *
 * A value the Preferences would never save (a hand-edited dconf key):
 * nothing connects (never directly, around the proxy), and every download
 * fails with a message naming the setting (never quoting a text that may
 * hold a password), also said with g_warning().
 *
 * haul_proxy_settings_override(): `haul --proxy URL` / `--no-proxy` win
 * over the settings for as long as this instance runs; the settings are
 * left as they are.
 *
 * ::applied is emitted each time the queue was given a proxy (tests wait
 * for it).
 *
 * Thread: main.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-proxy-settings"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "haul-auth.h"
#include "haul-keyring.h"
#include "haul-proxy-settings.h"

struct _HaulProxySettings
{
  GObject        parent_instance;

  GSettings     *settings;    /* nullable: no schema, "system" */
  HaulQueue     *queue;
  HaulProxyMode  mode;        /* what the queue was last given */
  gboolean       overridden;  /* --proxy / --no-proxy */

  /* The keyring's password for `user` (NULL: none, or not known yet). */
  char          *user;
  char          *password;
  GCancellable  *lookup;
};

G_DEFINE_FINAL_TYPE (HaulProxySettings, haul_proxy_settings, G_TYPE_OBJECT)

enum { APPLIED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void apply_settings (HaulProxySettings *self);

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HaulProxySettings) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  char *password = NULL;

  if (!haul_keyring_lookup_finish (result, &user, &password, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* No keyring: the proxy asks, and the download says so. */
      g_debug ("no proxy password from the keyring: %s", error->message);
    }
  g_clear_object (&self->lookup);
  haul_auth_wipe (&self->password);
  self->password = password;
  apply_settings (self);
}

/* Asks the keyring for @user's password unless it was already asked. */
static void
ensure_password (HaulProxySettings *self,
                 const char        *user)
{
  if (g_strcmp0 (self->user, user) == 0)
    return;
  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  g_free (self->user);
  self->user = g_strdup (user);
  haul_auth_wipe (&self->password);
  if (*user == '\0')
    return;
  self->lookup = g_cancellable_new ();
  haul_keyring_lookup_async (HAUL_KEYRING_PROXY_SERVER, user, self->lookup, looked_up_cb,
                             g_object_ref (self));
}

/* The manual proxies; when a key holds what the Preferences would never
 * have saved, a resolver through which nothing connects, with the reason
 * (never directly: traffic would go around the proxy). */
static GProxyResolver *
manual_resolver (HaulProxySettings *self,
                 const char        *user)
{
  static const char * const keys[] = { "proxy-http", "proxy-https", "proxy-socks" };
  char *texts[G_N_ELEMENTS (keys)] = { NULL, NULL, NULL };
  g_auto(GStrv) ignore = g_settings_get_strv (self->settings, "proxy-ignore-hosts");
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  GProxyResolver *resolver;
  gboolean has_user_info = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      texts[i] = g_settings_get_string (self->settings, keys[i]);
      has_user_info |= strchr (texts[i], '@') != NULL;
    }
  resolver = haul_proxy_resolver_new_manual (texts[0], texts[1], texts[2], (const char * const *) ignore,
                                             user, self->password, &error);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_free (texts[i]);
  if (resolver != NULL)
    return resolver;
  /* The message quotes the text: not when it may hold "user:password@". */
  if (has_user_info)
    reason = g_strdup (_("The proxy settings hold a user name or password in an address: "
                         "write only host:port in Preferences → Network"));
  else
    /* Translators: %s says which setting is wrong and why */
    reason = g_strdup_printf (_("The proxy settings are not valid: %s"), error->message);
  g_warning ("%s: nothing connects until they are corrected", reason);
  return haul_proxy_resolver_new_refusing (reason);
}

static void
apply_settings (HaulProxySettings *self)
{
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autofree char *mode_text = NULL;
  g_autofree char *user = NULL;
  HaulProxyMode mode = HAUL_PROXY_MODE_SYSTEM;

  if (self->overridden)
    return;
  if (self->settings != NULL)
    {
      mode_text = g_settings_get_string (self->settings, "proxy-mode");
      if (!haul_proxy_mode_from_string (mode_text, &mode))
        mode = HAUL_PROXY_MODE_NONE;  /* GSettings' choices keep this from happening */
    }

  if (mode == HAUL_PROXY_MODE_MANUAL)
    {
      user = g_settings_get_string (self->settings, "proxy-user");
      ensure_password (self, user);
      resolver = manual_resolver (self, user);
    }
  if (mode == HAUL_PROXY_MODE_NONE && resolver == NULL)
    resolver = haul_proxy_resolver_new_none ();

  self->mode = mode;
  haul_queue_set_proxy_resolver (self->queue, resolver);  /* NULL: GIO's default */
  if (mode == HAUL_PROXY_MODE_MANUAL && *user != '\0')
    haul_queue_set_proxy_credentials (self->queue, user, self->password);
  else
    haul_queue_set_proxy_credentials (self->queue, NULL, NULL);
  g_debug ("proxy: %s%s", mode == HAUL_PROXY_MODE_SYSTEM ? "the system's" :
           mode == HAUL_PROXY_MODE_NONE ? "none" : "manual",
           mode == HAUL_PROXY_MODE_MANUAL && self->password != NULL ? " (with a password)" : "");
  g_signal_emit (self, signals[APPLIED], 0);
}

static void
settings_changed_cb (HaulProxySettings *self,
                     const char        *key,
                     GSettings         *settings)
{
  if (g_str_has_prefix (key, "proxy-"))
    apply_settings (self);
}

/**
 * haul_proxy_settings_new:
 * @settings: (nullable): Haul's settings (%NULL: the system's proxy)
 *
 * Gives @queue its proxy now, and again whenever the settings change.
 */
HaulProxySettings *
haul_proxy_settings_new (GSettings *settings,
                         HaulQueue *queue)
{
  HaulProxySettings *self = g_object_new (HAUL_TYPE_PROXY_SETTINGS, NULL);

  g_return_val_if_fail (HAUL_IS_QUEUE (queue), NULL);

  self->queue = g_object_ref (queue);
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed", G_CALLBACK (settings_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }
  apply_settings (self);
  return self;
}

/**
 * haul_proxy_settings_override:
 * @url: (nullable): `--proxy URL`, or %NULL for `--no-proxy`
 *
 * From now on the queue uses @url's proxy (or none), whatever the settings
 * say; the settings are not changed.
 */
void
haul_proxy_settings_override (HaulProxySettings  *self,
                              const HaulProxyUrl *url)
{
  g_autoptr(GProxyResolver) resolver = NULL;

  g_return_if_fail (HAUL_IS_PROXY_SETTINGS (self));

  self->overridden = TRUE;
  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  g_clear_pointer (&self->user, g_free);
  haul_auth_wipe (&self->password);

  resolver = url != NULL ? haul_proxy_resolver_new_for_url (url) : haul_proxy_resolver_new_none ();
  self->mode = url != NULL ? HAUL_PROXY_MODE_MANUAL : HAUL_PROXY_MODE_NONE;
  haul_queue_set_proxy_resolver (self->queue, resolver);
  if (url != NULL && strcmp (url->scheme, "socks5") != 0)
    haul_queue_set_proxy_credentials (self->queue, url->user, url->password);
  else
    haul_queue_set_proxy_credentials (self->queue, NULL, NULL);
  g_debug ("proxy: from the command line (%s)", url != NULL ? url->scheme : "none");
  g_signal_emit (self, signals[APPLIED], 0);
}

/**
 * haul_proxy_settings_reload_password:
 *
 * The proxy's password in the keyring changed (Preferences): asks for it
 * again and gives it to the queue.
 */
void
haul_proxy_settings_reload_password (HaulProxySettings *self)
{
  g_return_if_fail (HAUL_IS_PROXY_SETTINGS (self));

  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  g_clear_pointer (&self->user, g_free);
  haul_auth_wipe (&self->password);
  apply_settings (self);
}

/**
 * haul_proxy_settings_get_mode:
 *
 * Returns: what the queue was last given: %HAUL_PROXY_MODE_NONE also when
 *   the manual settings were not valid
 */
HaulProxyMode
haul_proxy_settings_get_mode (HaulProxySettings *self)
{
  g_return_val_if_fail (HAUL_IS_PROXY_SETTINGS (self), HAUL_PROXY_MODE_SYSTEM);
  return self->mode;
}

gboolean
haul_proxy_settings_is_overridden (HaulProxySettings *self)
{
  g_return_val_if_fail (HAUL_IS_PROXY_SETTINGS (self), FALSE);
  return self->overridden;
}

/**
 * haul_proxy_settings_has_password:
 *
 * Returns: whether the keyring's password of the proxy user was given to
 *   the queue
 */
gboolean
haul_proxy_settings_has_password (HaulProxySettings *self)
{
  g_return_val_if_fail (HAUL_IS_PROXY_SETTINGS (self), FALSE);
  return self->password != NULL;
}

static void
haul_proxy_settings_dispose (GObject *object)
{
  HaulProxySettings *self = HAUL_PROXY_SETTINGS (object);

  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->queue);

  G_OBJECT_CLASS (haul_proxy_settings_parent_class)->dispose (object);
}

static void
haul_proxy_settings_finalize (GObject *object)
{
  HaulProxySettings *self = HAUL_PROXY_SETTINGS (object);

  g_free (self->user);
  haul_auth_wipe (&self->password);

  G_OBJECT_CLASS (haul_proxy_settings_parent_class)->finalize (object);
}

static void
haul_proxy_settings_class_init (HaulProxySettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_proxy_settings_dispose;
  object_class->finalize = haul_proxy_settings_finalize;

  /**
   * HaulProxySettings::applied:
   *
   * The queue was given a proxy (from the settings, the keyring or the
   * command line).
   */
  signals[APPLIED] = g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
haul_proxy_settings_init (HaulProxySettings *self)
{
  self->mode = HAUL_PROXY_MODE_SYSTEM;
}

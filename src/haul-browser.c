/* haul-browser.c — browser integration: the endpoint following its setting, and the paired browsers
 *
 * HaulBrowser owns the HaulPairings and the HaulEndpoint, starts the
 * endpoint when "browser-integration" turns on and stops it when it turns
 * off (neither waits: haul-endpoint.c binds on its own thread), and says
 * where it listens, or why it could not, in "status" (the subtitle
 * Preferences shows). "handoff" passes the endpoint's on.
 *
 * The port is HAUL_ENDPOINT_PORT (42850, else 42851); HAUL_BROWSER_PORT in
 * the environment picks another one, 0 for any free one (the tests).
 *
 * Main thread only. GTK-free.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-browser"

#include "config.h"

#include <glib/gi18n.h>

#include "haul-browser.h"

struct _HaulBrowser
{
  GObject        parent_instance;

  GSettings     *settings;
  HaulPairings  *pairings;
  HaulEndpoint  *endpoint;
  GCancellable  *cancellable;   /* the start under way */
  char          *status;
  gboolean       failed;
};

G_DEFINE_FINAL_TYPE (HaulBrowser, haul_browser, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_HANDOFF,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_status (HaulBrowser *self,
            const char  *status,
            gboolean     failed)
{
  self->failed = failed;
  if (g_strcmp0 (self->status, status) == 0)
    return;
  g_free (self->status);
  self->status = g_strdup (status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static guint
wanted_port (void)
{
  const char *env = g_getenv ("HAUL_BROWSER_PORT");
  guint64 port;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 0, G_MAXUINT16, &port, NULL))
    return (guint) port;
  return HAUL_ENDPOINT_PORT;
}

static void
started_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HaulBrowser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  if (!haul_endpoint_start_finish (HAUL_ENDPOINT (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, error->message, TRUE);
      return;
    }
  /* Translators: the address browsers reach Haul at */
  status = g_strdup_printf (_("Listening on 127.0.0.1 and ::1, port %u"),
                            haul_endpoint_get_port (HAUL_ENDPOINT (source)));
  set_status (self, status, FALSE);
}

static void
apply_setting (HaulBrowser *self)
{
  gboolean on = g_settings_get_boolean (self->settings, "browser-integration");

  /* Off always applies: a start that failed left the endpoint stopped,
   * and its error must give way to the plain subtitle. */
  if (on && haul_endpoint_is_running (self->endpoint))
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (on)
    {
      self->cancellable = g_cancellable_new ();
      set_status (self, _("Starting…"), FALSE);
      haul_endpoint_start_async (self->endpoint, wanted_port (), self->cancellable,
                                 started_cb, g_object_ref (self));
    }
  else
    {
      haul_endpoint_stop (self->endpoint);
      haul_pairings_clear_code (self->pairings);
      set_status (self, _("Paired browsers can hand their downloads over to Haul"), FALSE);
    }
}

static void
settings_changed_cb (HaulBrowser *self,
                     const char  *key,
                     GSettings   *settings)
{
  if (g_strcmp0 (key, "browser-integration") == 0)
    apply_setting (self);
}

static void
handoff_cb (HaulBrowser  *self,
            HaulHandoff  *handoff,
            HaulEndpoint *endpoint)
{
  g_signal_emit (self, signals[SIGNAL_HANDOFF], 0, handoff);
}

HaulPairings *
haul_browser_get_pairings (HaulBrowser *self)
{
  g_return_val_if_fail (HAUL_IS_BROWSER (self), NULL);

  return self->pairings;
}

/* What Preferences shows under the switch: where Haul listens, or why not. */
const char *
haul_browser_get_status (HaulBrowser *self)
{
  g_return_val_if_fail (HAUL_IS_BROWSER (self), NULL);

  return self->status;
}

/* Whether the status says why the endpoint could not start. */
gboolean
haul_browser_get_failed (HaulBrowser *self)
{
  g_return_val_if_fail (HAUL_IS_BROWSER (self), FALSE);

  return self->failed;
}

/* 0 while it does not listen. */
guint
haul_browser_get_port (HaulBrowser *self)
{
  g_return_val_if_fail (HAUL_IS_BROWSER (self), 0);

  return haul_endpoint_get_port (self->endpoint);
}

static void
haul_browser_dispose (GObject *object)
{
  HaulBrowser *self = HAUL_BROWSER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  if (self->endpoint != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->endpoint, self);
      haul_endpoint_stop (self->endpoint);
    }
  g_clear_object (&self->endpoint);
  g_clear_object (&self->pairings);

  G_OBJECT_CLASS (haul_browser_parent_class)->dispose (object);
}

static void
haul_browser_finalize (GObject *object)
{
  HaulBrowser *self = HAUL_BROWSER (object);

  g_free (self->status);

  G_OBJECT_CLASS (haul_browser_parent_class)->finalize (object);
}

static void
haul_browser_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HaulBrowser *self = HAUL_BROWSER (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_browser_class_init (HaulBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = haul_browser_dispose;
  object_class->finalize = haul_browser_finalize;
  object_class->get_property = haul_browser_get_property;

  /**
   * HaulBrowser:status:
   *
   * Where the endpoint listens, that it is starting, why it could not, or
   * what turning it on would do.
   */
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HaulBrowser::handoff:
   * @handoff: (transfer none): what a paired browser handed over
   */
  signals[SIGNAL_HANDOFF] =
    g_signal_new ("handoff", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  HAUL_TYPE_HANDOFF | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
haul_browser_init (HaulBrowser *self)
{
}

/**
 * haul_browser_new:
 * @settings: Haul's settings ("browser-integration" is followed)
 * @pairings_path: (nullable): the file of paired browsers; %NULL for
 *   $XDG_CONFIG_HOME/haul/browsers.ini
 */
HaulBrowser *
haul_browser_new (GSettings  *settings,
                  const char *pairings_path)
{
  HaulBrowser *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HAUL_TYPE_BROWSER, NULL);
  self->settings = g_object_ref (settings);
  self->pairings = haul_pairings_new (pairings_path);
  self->endpoint = haul_endpoint_new (self->pairings);
  self->status = g_strdup (_("Paired browsers can hand their downloads over to Haul"));
  g_signal_connect_object (self->endpoint, "handoff", G_CALLBACK (handoff_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed", G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  apply_setting (self);
  return self;
}

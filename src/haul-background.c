/* haul-background.c — asking the desktop to let Haul run without a window
 *
 * When the window closes while downloads run, Haul keeps running
 * (haul-application.c). Under Flatpak it says so to the Background portal
 * (org.freedesktop.portal.Background.RequestBackground), so the desktop
 * lists Haul among the apps running in the background (GNOME's "Background
 * Apps") instead of treating a windowless sandboxed app as stray. Outside
 * a sandbox there is nothing to ask.
 *
 * Plain GDBus, not libportal: one method call and its Response signal do
 * not need a library (and libportal-gtk4 is not on the platform floor).
 * The Response signal is subscribed to before the call, on the request
 * path the portal will use (the handle_token), so it cannot be missed.
 *
 * Main thread (the task's context is the caller's).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-background"

#include "config.h"

#include "haul-background.h"

#define PORTAL_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"

typedef struct
{
  char  *request_path;
  guint  response_id;
} Request;

static void
request_free (gpointer data)
{
  Request *r = data;

  g_free (r->request_path);
  g_free (r);
}

/**
 * haul_background_is_sandboxed:
 *
 * Returns: whether Haul runs in a Flatpak sandbox (where the Background
 *   portal applies, and the file manager and man pages are out of reach)
 */
gboolean
haul_background_is_sandboxed (void)
{
  /* Flatpak sets FLATPAK_ID in every sandbox: no file to look at from
   * the main thread. */
  return g_getenv ("FLATPAK_ID") != NULL;
}

/* Drops the subscription (and its reference on @task). */
static void
unsubscribe (GTask *task)
{
  Request *r = g_task_get_task_data (task);
  GDBusConnection *bus = g_task_get_source_object (task);

  if (r->response_id != 0)
    g_dbus_connection_signal_unsubscribe (bus, r->response_id);
  r->response_id = 0;
}

static void
response_cb (GDBusConnection *bus,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  g_autoptr(GVariant) results = NULL;
  gboolean background = FALSE;
  guint32 response;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    return;
  unsubscribe (task);
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "background", "b", &background);
  if (response != 0 || !background)
    g_task_return_new_error (G_TASK (task), G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             "The desktop did not allow Haul to run in the background");
  else
    g_task_return_boolean (task, TRUE);
}

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GError) error = NULL;

  ret = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (ret == NULL && ((Request *) g_task_get_task_data (task))->response_id != 0)
    {
      unsubscribe (task);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

/**
 * haul_background_request_async:
 * @bus: the session bus
 * @reason: what a person is told, if the desktop asks them
 *
 * Asks the Background portal to let Haul run with no window open (not to
 * start it at login). Completes when the portal answered.
 */
void
haul_background_request_async (GDBusConnection     *bus,
                               const char          *reason,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (bus, cancellable, callback, user_data);
  g_autofree char *token = g_strdup_printf ("haul%u", g_random_int ());
  g_autofree char *sender = g_strdup (g_dbus_connection_get_unique_name (bus) + 1);
  GVariantBuilder options;
  Request *r = g_new0 (Request, 1);

  g_task_set_source_tag (task, haul_background_request_async);
  g_task_set_task_data (task, r, request_free);
  g_strdelimit (sender, ".", '_');
  r->request_path = g_strdup_printf (PORTAL_PATH "/request/%s/%s", sender, token);
  r->response_id = g_dbus_connection_signal_subscribe (bus, PORTAL_NAME, "org.freedesktop.portal.Request",
                                                       "Response", r->request_path, NULL,
                                                       G_DBUS_SIGNAL_FLAGS_NONE, response_cb,
                                                       g_object_ref (task), g_object_unref);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason", g_variant_new_string (reason));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (bus, PORTAL_NAME, PORTAL_PATH, "org.freedesktop.portal.Background",
                          "RequestBackground", g_variant_new ("(sa{sv})", "", &options),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                          call_done_cb, g_object_ref (task));
}

/**
 * haul_background_request_finish:
 *
 * Returns: %TRUE when the desktop lets Haul run in the background
 */
gboolean
haul_background_request_finish (GDBusConnection  *bus,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, bus), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

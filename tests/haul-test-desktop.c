/* haul-test-desktop.c — a fake desktop on the test's session bus
 *
 * org.freedesktop.Notifications, org.gnome.SessionManager and the
 * Background portal (org.freedesktop.portal.Desktop), served from a thread
 * of their own; every call the app makes is recorded as one line of
 * fields separated by \x1f:
 *   "Notify\x1fsummary\x1fbody\x1faction,label,…", "Inhibit\x1fflags", "Uninhibit",
 *   "RequestBackground\x1freason\x1f(no-)autostart".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "haul-test-desktop.h"

static const char desktop_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "  </interface>"
  "  <interface name='org.gnome.SessionManager'>"
  "    <method name='Inhibit'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='u' direction='in'/><arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='Uninhibit'><arg type='u' direction='in'/></method>"
  "    <method name='RegisterClient'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='o' direction='out'/>"
  "    </method>"
  "    <method name='IsInhibited'><arg type='u' direction='in'/><arg type='b' direction='out'/></method>"
  "  </interface>"
  "  <interface name='org.freedesktop.portal.Background'>"
  "    <method name='RequestBackground'>"
  "      <arg type='s' direction='in'/><arg type='a{sv}' direction='in'/><arg type='o' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GMutex        lock;
  GCond         ready_cond;
  gboolean      ready;
  GPtrArray    *calls;     /* "Notify\x1fsummary\x1fbody\x1factions", "Inhibit\x1fflags", "Uninhibit" */
  guint         n_inhibited;
} FakeDesktop;

static FakeDesktop desktop;

/* The Background portal: records the request, answers with its request
 * path, then grants it with a Response signal there. */
static char *
request_background (GDBusConnection       *connection,
                    const char            *sender,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) options = g_variant_get_child_value (parameters, 1);
  const char *token = "t", *reason = "";
  gboolean autostart = TRUE;
  g_autofree char *unique = g_strdup (sender + 1);
  g_autofree char *path = NULL;
  GVariantBuilder results;

  g_variant_lookup (options, "handle_token", "&s", &token);
  g_variant_lookup (options, "reason", "&s", &reason);
  g_variant_lookup (options, "autostart", "b", &autostart);
  g_strdelimit (unique, ".", '_');
  path = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", unique, token);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", path));

  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&results, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  g_dbus_connection_emit_signal (connection, sender, path, "org.freedesktop.portal.Request", "Response",
                                 g_variant_new ("(ua{sv})", 0, &results), NULL);
  return g_strdup_printf ("RequestBackground\x1f%s\x1f%s", reason, autostart ? "autostart" : "no-autostart");
}

static void
desktop_method (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  char *record = NULL;

  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary, *body;
      g_autofree const char **actions = NULL;
      g_autofree char *joined = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_variant_get_child (parameters, 5, "^a&s", &actions);
      joined = g_strjoinv (",", (char **) actions);
      record = g_strdup_printf ("Notify\x1f%s\x1f%s\x1f%s", summary, body, joined);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 1));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "fake", "haul", "1", "1.2"));
  else if (g_str_equal (method_name, "Inhibit"))
    {
      guint flags;

      g_variant_get_child (parameters, 3, "u", &flags);
      record = g_strdup_printf ("Inhibit\x1f%u", flags);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 42));
    }
  else if (g_str_equal (method_name, "Uninhibit"))
    {
      record = g_strdup ("Uninhibit");
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "RegisterClient"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(o)", "/org/gnome/SessionManager/Client1"));
  else if (g_str_equal (method_name, "RequestBackground"))
    record = request_background (connection, sender, parameters, invocation);
  else if (g_str_equal (method_name, "IsInhibited"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);

  if (record != NULL)
    {
      g_mutex_lock (&desktop.lock);
      g_ptr_array_add (desktop.calls, record);
      g_mutex_unlock (&desktop.lock);
    }
}

static gpointer
desktop_thread (gpointer data)
{
  static const GDBusInterfaceVTable vtable = { desktop_method, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (desktop_xml, NULL);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  const char *names[] = { "org.freedesktop.Notifications", "org.gnome.SessionManager",
                          "org.freedesktop.portal.Desktop" };

  g_main_context_push_thread_default (desktop.context);
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);

  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/gnome/SessionManager", info->interfaces[1],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/freedesktop/portal/desktop", info->interfaces[2],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *name = names[i];
      g_autoptr(GVariant) ret = NULL;

      ret = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "RequestName",
                                         g_variant_new ("(su)", name, 4 /* do not queue */),
                                         G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
    }

  g_mutex_lock (&desktop.lock);
  desktop.ready = TRUE;
  g_cond_signal (&desktop.ready_cond);
  g_mutex_unlock (&desktop.lock);

  g_main_loop_run (desktop.loop);
  g_main_context_pop_thread_default (desktop.context);
  return NULL;
}

void
fake_desktop_start (void)
{
  g_mutex_init (&desktop.lock);
  g_cond_init (&desktop.ready_cond);
  desktop.calls = g_ptr_array_new_with_free_func (g_free);
  desktop.context = g_main_context_new ();
  desktop.loop = g_main_loop_new (desktop.context, FALSE);
  desktop.thread = g_thread_new ("fake-desktop", desktop_thread, NULL);

  g_mutex_lock (&desktop.lock);
  while (!desktop.ready)
    g_cond_wait (&desktop.ready_cond, &desktop.lock);
  g_mutex_unlock (&desktop.lock);
}

void
fake_desktop_clear (void)
{
  g_mutex_lock (&desktop.lock);
  g_ptr_array_set_size (desktop.calls, 0);
  g_mutex_unlock (&desktop.lock);
}

/* The calls so far whose record starts with @prefix. */
GStrv
fake_desktop_calls (const char *prefix)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_mutex_lock (&desktop.lock);
  for (guint i = 0; i < desktop.calls->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (desktop.calls, i), prefix))
      g_strv_builder_add (builder, g_ptr_array_index (desktop.calls, i));
  g_mutex_unlock (&desktop.lock);
  return g_strv_builder_end (builder);
}

gboolean
has_call (gpointer prefix)
{
  g_auto(GStrv) calls = fake_desktop_calls (prefix);

  return calls[0] != NULL;
}

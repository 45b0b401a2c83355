/* haul-test-monitors.c — GIO's network and power monitors, driven by a test
 *
 * See haul-test-monitors.h. Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "haul-test-monitors.h"

/* ------------------------------------------------------------------ */
/* GNetworkMonitor */

struct _HaulTestNetworkMonitor
{
  GObject  parent_instance;
  gboolean available;
  gboolean metered;
};

enum {
  NET_PROP_0,
  NET_PROP_AVAILABLE,
  NET_PROP_METERED,
  NET_PROP_CONNECTIVITY,
};

static void net_monitor_iface_init (GNetworkMonitorInterface *iface);
static void net_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulTestNetworkMonitor, haul_test_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, net_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, net_monitor_iface_init))

static void
haul_test_network_monitor_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  HaulTestNetworkMonitor *self = HAUL_TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case NET_PROP_AVAILABLE: g_value_set_boolean (value, self->available); break;
    case NET_PROP_METERED: g_value_set_boolean (value, self->metered); break;
    case NET_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_test_network_monitor_class_init (HaulTestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = haul_test_network_monitor_get_property;
  g_object_class_override_property (object_class, NET_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, NET_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, NET_PROP_CONNECTIVITY, "connectivity");
}

static void
haul_test_network_monitor_init (HaulTestNetworkMonitor *self)
{
  self->available = TRUE;
}

static gboolean
net_initable_init (GInitable     *initable,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return TRUE;
}

/* Both monitors' GInitable: nothing can fail. */
static void
net_initable_iface_init (GInitableIface *iface)
{
  iface->init = net_initable_init;
}

static gboolean
net_can_reach (GNetworkMonitor     *monitor,
               GSocketConnectable  *connectable,
               GCancellable        *cancellable,
               GError             **error)
{
  if (HAUL_TEST_NETWORK_MONITOR (monitor)->available)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "Network unreachable (test)");
  return FALSE;
}

static void
net_can_reach_async (GNetworkMonitor     *monitor,
                     GSocketConnectable  *connectable,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (monitor, cancellable, callback, user_data);
  GError *error = NULL;

  if (net_can_reach (monitor, connectable, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
net_can_reach_finish (GNetworkMonitor  *monitor,
                      GAsyncResult     *result,
                      GError          **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
net_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = net_can_reach;
  iface->can_reach_async = net_can_reach_async;
  iface->can_reach_finish = net_can_reach_finish;
}

void
haul_test_network_monitor_set_available (HaulTestNetworkMonitor *self,
                                         gboolean                available)
{
  if (self->available != !!available)
    {
      self->available = !!available;
      g_object_notify (G_OBJECT (self), "network-available");
      g_object_notify (G_OBJECT (self), "connectivity");
    }
  g_signal_emit_by_name (self, "network-changed", self->available);
}

void
haul_test_network_monitor_set_metered (HaulTestNetworkMonitor *self,
                                       gboolean                metered)
{
  if (self->metered != !!metered)
    {
      self->metered = !!metered;
      g_object_notify (G_OBJECT (self), "network-metered");
    }
  g_signal_emit_by_name (self, "network-changed", self->available);
}

void
haul_test_network_monitor_changed (HaulTestNetworkMonitor *self)
{
  g_signal_emit_by_name (self, "network-changed", self->available);
}

/* ------------------------------------------------------------------ */
/* GPowerProfileMonitor */

struct _HaulTestPowerMonitor
{
  GObject  parent_instance;
  gboolean saver;
};

enum {
  POWER_PROP_0,
  POWER_PROP_SAVER,
};

static void power_monitor_iface_init (GPowerProfileMonitorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HaulTestPowerMonitor, haul_test_power_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, net_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_POWER_PROFILE_MONITOR, power_monitor_iface_init))

static void
haul_test_power_monitor_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  switch (prop_id)
    {
    case POWER_PROP_SAVER: g_value_set_boolean (value, HAUL_TEST_POWER_MONITOR (object)->saver); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_test_power_monitor_class_init (HaulTestPowerMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = haul_test_power_monitor_get_property;
  g_object_class_override_property (object_class, POWER_PROP_SAVER, "power-saver-enabled");
}

static void
haul_test_power_monitor_init (HaulTestPowerMonitor *self)
{
}

static void
power_monitor_iface_init (GPowerProfileMonitorInterface *iface)
{
}

void
haul_test_power_monitor_set_power_saver (HaulTestPowerMonitor *self,
                                         gboolean              enabled)
{
  if (self->saver == !!enabled)
    return;
  self->saver = !!enabled;
  g_object_notify (G_OBJECT (self), "power-saver-enabled");
}

/* ------------------------------------------------------------------ */
/* Installing */

/* Registers both as GIO's implementations of highest priority. The
 * extension points are registered first: GIO registers them lazily, and
 * registering an existing point again returns it. */
void
haul_test_monitors_install (void)
{
  g_io_extension_point_register (G_NETWORK_MONITOR_EXTENSION_POINT_NAME);
  g_io_extension_point_register (G_POWER_PROFILE_MONITOR_EXTENSION_POINT_NAME);
  g_io_extension_point_implement (G_NETWORK_MONITOR_EXTENSION_POINT_NAME,
                                  HAUL_TYPE_TEST_NETWORK_MONITOR, "haul-test", 1000);
  g_io_extension_point_implement (G_POWER_PROFILE_MONITOR_EXTENSION_POINT_NAME,
                                  HAUL_TYPE_TEST_POWER_MONITOR, "haul-test", 1000);
}

HaulTestNetworkMonitor *
haul_test_network_monitor_get_default (void)
{
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  g_assert_true (HAUL_IS_TEST_NETWORK_MONITOR (monitor));
  return HAUL_TEST_NETWORK_MONITOR (monitor);
}

HaulTestPowerMonitor *
haul_test_power_monitor_get_default (void)
{
  g_autoptr(GPowerProfileMonitor) monitor = g_power_profile_monitor_dup_default ();

  g_assert_true (HAUL_IS_TEST_POWER_MONITOR (monitor));
  /* GIO keeps its default for the process's life. */
  return HAUL_TEST_POWER_MONITOR (monitor);
}

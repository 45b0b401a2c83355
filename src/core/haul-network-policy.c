/* haul-network-policy.c — the queue steered by GIO's network and power monitors
 *
 * Follows a GNetworkMonitor ("network-available", "network-metered",
 * "network-changed") and a GPowerProfileMonitor ("power-saver-enabled")
 * and sets the queue's holds from them: OFFLINE while no network is
 * available, METERED while the connection is metered and
 * "pause-on-metered" is on, the power saver while the system's is on and
 * "save-power" is on; "network-changed" probes stalled connections
 * (haul_queue_network_changed()). Under Flatpak GIO reads both through the
 * portals by itself.
 *
 * Main thread only (GIO emits the monitors' signals in the thread-default
 * context of the thread that first made them: the main thread).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-network"

#include "config.h"

#include "haul-network-policy.h"

struct _HaulNetworkPolicy
{
  GObject               parent_instance;
  HaulQueue            *queue;
  GNetworkMonitor      *network;
  GPowerProfileMonitor *power;   /* nullable: no power monitor */
  gboolean              pause_on_metered;
  gboolean              save_power;
  gboolean              metered;
  gboolean              offline;
};

G_DEFINE_FINAL_TYPE (HaulNetworkPolicy, haul_network_policy, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PAUSE_ON_METERED,
  PROP_SAVE_POWER,
  PROP_METERED,
  PROP_OFFLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Reads the monitors and sets the queue's holds; notifies what changed. */
static void
apply (HaulNetworkPolicy *self)
{
  gboolean offline = !g_network_monitor_get_network_available (self->network);
  gboolean metered = g_network_monitor_get_network_metered (self->network);
  gboolean saver = self->power != NULL && g_power_profile_monitor_get_power_saver_enabled (self->power);

  /* Power first: a metered hold and fewer downloads both yield, in the
   * order that stops fewer. */
  haul_queue_set_power_saver (self->queue, saver && self->save_power);
  haul_queue_set_metered_hold (self->queue, metered && self->pause_on_metered);
  haul_queue_set_offline (self->queue, offline);

  if (self->offline != offline)
    {
      self->offline = offline;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE]);
    }
  if (self->metered != metered)
    {
      self->metered = metered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METERED]);
    }
}

static void
monitor_notify_cb (GObject           *monitor,
                   GParamSpec        *pspec,
                   HaulNetworkPolicy *self)
{
  apply (self);
}

static void
network_changed_cb (GNetworkMonitor   *monitor,
                    gboolean           available,
                    HaulNetworkPolicy *self)
{
  apply (self);
  if (available)
    haul_queue_network_changed (self->queue);
}

static void
haul_network_policy_dispose (GObject *object)
{
  HaulNetworkPolicy *self = HAUL_NETWORK_POLICY (object);

  if (self->network != NULL)
    g_signal_handlers_disconnect_by_data (self->network, self);
  if (self->power != NULL)
    g_signal_handlers_disconnect_by_data (self->power, self);
  g_clear_object (&self->network);
  g_clear_object (&self->power);
  g_clear_object (&self->queue);
  G_OBJECT_CLASS (haul_network_policy_parent_class)->dispose (object);
}

static void
haul_network_policy_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HaulNetworkPolicy *self = HAUL_NETWORK_POLICY (object);

  switch (prop_id)
    {
    case PROP_PAUSE_ON_METERED: g_value_set_boolean (value, self->pause_on_metered); break;
    case PROP_SAVE_POWER: g_value_set_boolean (value, self->save_power); break;
    case PROP_METERED: g_value_set_boolean (value, self->metered); break;
    case PROP_OFFLINE: g_value_set_boolean (value, self->offline); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_network_policy_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  HaulNetworkPolicy *self = HAUL_NETWORK_POLICY (object);

  switch (prop_id)
    {
    case PROP_PAUSE_ON_METERED:
      haul_network_policy_set_pause_on_metered (self, g_value_get_boolean (value));
      break;
    case PROP_SAVE_POWER:
      haul_network_policy_set_save_power (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
haul_network_policy_class_init (HaulNetworkPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = haul_network_policy_dispose;
  object_class->get_property = haul_network_policy_get_property;
  object_class->set_property = haul_network_policy_set_property;

  properties[PROP_PAUSE_ON_METERED] = g_param_spec_boolean ("pause-on-metered", NULL, NULL, TRUE, rw);
  properties[PROP_SAVE_POWER] = g_param_spec_boolean ("save-power", NULL, NULL, TRUE, rw);
  properties[PROP_METERED] = g_param_spec_boolean ("metered", NULL, NULL, FALSE, ro);
  properties[PROP_OFFLINE] = g_param_spec_boolean ("offline", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
haul_network_policy_init (HaulNetworkPolicy *self)
{
  self->pause_on_metered = TRUE;
  self->save_power = TRUE;
}

/**
 * haul_network_policy_new:
 * @queue: the queue to steer
 * @network: (nullable): %NULL: g_network_monitor_get_default()
 * @power: (nullable): %NULL: g_power_profile_monitor_dup_default()
 *
 * Follows the monitors from now on, and sets the queue's holds at once.
 * "pause-on-metered" and "save-power" start on.
 */
HaulNetworkPolicy *
haul_network_policy_new (HaulQueue            *queue,
                         GNetworkMonitor      *network,
                         GPowerProfileMonitor *power)
{
  HaulNetworkPolicy *self;

  g_return_val_if_fail (HAUL_IS_QUEUE (queue), NULL);
  g_return_val_if_fail (network == NULL || G_IS_NETWORK_MONITOR (network), NULL);
  g_return_val_if_fail (power == NULL || G_IS_POWER_PROFILE_MONITOR (power), NULL);

  self = g_object_new (HAUL_TYPE_NETWORK_POLICY, NULL);
  self->queue = g_object_ref (queue);
  self->network = g_object_ref (network != NULL ? network : g_network_monitor_get_default ());
  self->power = power != NULL ? g_object_ref (power) : g_power_profile_monitor_dup_default ();

  g_signal_connect (self->network, "notify::network-available", G_CALLBACK (monitor_notify_cb), self);
  g_signal_connect (self->network, "notify::network-metered", G_CALLBACK (monitor_notify_cb), self);
  g_signal_connect (self->network, "network-changed", G_CALLBACK (network_changed_cb), self);
  if (self->power != NULL)
    g_signal_connect (self->power, "notify::power-saver-enabled", G_CALLBACK (monitor_notify_cb), self);
  apply (self);
  return self;
}

void
haul_network_policy_set_pause_on_metered (HaulNetworkPolicy *self,
                                          gboolean           pause)
{
  g_return_if_fail (HAUL_IS_NETWORK_POLICY (self));

  if (self->pause_on_metered == !!pause)
    return;
  self->pause_on_metered = !!pause;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSE_ON_METERED]);
  if (self->queue != NULL)
    apply (self);
}

gboolean
haul_network_policy_get_pause_on_metered (HaulNetworkPolicy *self)
{
  g_return_val_if_fail (HAUL_IS_NETWORK_POLICY (self), TRUE);

  return self->pause_on_metered;
}

void
haul_network_policy_set_save_power (HaulNetworkPolicy *self,
                                    gboolean           save)
{
  g_return_if_fail (HAUL_IS_NETWORK_POLICY (self));

  if (self->save_power == !!save)
    return;
  self->save_power = !!save;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVE_POWER]);
  if (self->queue != NULL)
    apply (self);
}

gboolean
haul_network_policy_get_save_power (HaulNetworkPolicy *self)
{
  g_return_val_if_fail (HAUL_IS_NETWORK_POLICY (self), TRUE);

  return self->save_power;
}

/* Whether the connection is metered (whatever the policy does about it). */
gboolean
haul_network_policy_get_metered (HaulNetworkPolicy *self)
{
  g_return_val_if_fail (HAUL_IS_NETWORK_POLICY (self), FALSE);

  return self->metered;
}

/* Whether the network monitor says no network is available. */
gboolean
haul_network_policy_get_offline (HaulNetworkPolicy *self)
{
  g_return_val_if_fail (HAUL_IS_NETWORK_POLICY (self), FALSE);

  return self->offline;
}

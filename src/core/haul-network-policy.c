/* haul-network-policy.c — the queue steered by GIO's network and power monitors
 *
 * SKELETON: the helper building issue 18's network part replaces this.
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "haul-network"

#include "config.h"

#include "haul-network-policy.h"

struct _HaulNetworkPolicy
{
  GObject    parent_instance;
  HaulQueue *queue;
  gboolean   pause_on_metered;
  gboolean   save_power;
};

G_DEFINE_FINAL_TYPE (HaulNetworkPolicy, haul_network_policy, G_TYPE_OBJECT)

static void
haul_network_policy_finalize (GObject *object)
{
  HaulNetworkPolicy *self = HAUL_NETWORK_POLICY (object);

  g_clear_object (&self->queue);
  G_OBJECT_CLASS (haul_network_policy_parent_class)->finalize (object);
}

static void
haul_network_policy_class_init (HaulNetworkPolicyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = haul_network_policy_finalize;
}

static void
haul_network_policy_init (HaulNetworkPolicy *self)
{
  self->pause_on_metered = TRUE;
  self->save_power = TRUE;
}

HaulNetworkPolicy *
haul_network_policy_new (HaulQueue            *queue,
                         GNetworkMonitor      *network,
                         GPowerProfileMonitor *power)
{
  HaulNetworkPolicy *self = g_object_new (HAUL_TYPE_NETWORK_POLICY, NULL);

  self->queue = g_object_ref (queue);
  return self;
}

void
haul_network_policy_set_pause_on_metered (HaulNetworkPolicy *self,
                                          gboolean           pause)
{
  self->pause_on_metered = pause;
}

gboolean
haul_network_policy_get_pause_on_metered (HaulNetworkPolicy *self)
{
  return self->pause_on_metered;
}

void
haul_network_policy_set_save_power (HaulNetworkPolicy *self,
                                    gboolean           save)
{
  self->save_power = save;
}

gboolean
haul_network_policy_get_save_power (HaulNetworkPolicy *self)
{
  return self->save_power;
}

gboolean
haul_network_policy_get_metered (HaulNetworkPolicy *self)
{
  return FALSE;
}

gboolean
haul_network_policy_get_offline (HaulNetworkPolicy *self)
{
  return FALSE;
}

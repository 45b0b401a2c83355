/* haul-network-policy.h — the queue steered by GIO's network and power monitors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-queue.h"

G_BEGIN_DECLS

#define HAUL_TYPE_NETWORK_POLICY (haul_network_policy_get_type ())

G_DECLARE_FINAL_TYPE (HaulNetworkPolicy, haul_network_policy, HAUL, NETWORK_POLICY, GObject)

HaulNetworkPolicy *haul_network_policy_new                (HaulQueue            *queue,
                                                           GNetworkMonitor      *network,
                                                           GPowerProfileMonitor *power);
void               haul_network_policy_set_pause_on_metered (HaulNetworkPolicy  *self,
                                                           gboolean              pause);
gboolean           haul_network_policy_get_pause_on_metered (HaulNetworkPolicy  *self);
void               haul_network_policy_set_save_power     (HaulNetworkPolicy    *self,
                                                           gboolean              save);
gboolean           haul_network_policy_get_save_power     (HaulNetworkPolicy    *self);
gboolean           haul_network_policy_get_metered        (HaulNetworkPolicy    *self);
gboolean           haul_network_policy_get_offline        (HaulNetworkPolicy    *self);

G_END_DECLS

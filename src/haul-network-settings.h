/* haul-network-settings.h — the application's network, power, schedule and when-done settings applied to its queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "haul-network-policy.h"
#include "haul-queue.h"

G_BEGIN_DECLS

#define HAUL_TYPE_NETWORK_SETTINGS (haul_network_settings_get_type ())

G_DECLARE_FINAL_TYPE (HaulNetworkSettings, haul_network_settings, HAUL, NETWORK_SETTINGS, GObject)

HaulNetworkSettings *haul_network_settings_new        (HaulQueue           *queue,
                                                       GSettings           *settings);
HaulNetworkPolicy   *haul_network_settings_get_policy (HaulNetworkSettings *self);
HaulSchedule        *haul_network_settings_dup_schedule (GSettings         *settings);

G_END_DECLS

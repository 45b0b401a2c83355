/* haul-test-monitors.h — GIO's network and power monitors, driven by a test
 *
 * A GNetworkMonitor and a GPowerProfileMonitor installed as GIO's defaults
 * through GIO's own extension points (priority 1000, over netlink,
 * NetworkManager and the portals): call haul_test_monitors_install() in
 * main(), before anything asks GIO for its default monitors. The setters
 * change the state and emit what GIO's real monitors emit (notify, and
 * "network-changed").
 *
 * Main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HAUL_TYPE_TEST_NETWORK_MONITOR (haul_test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (HaulTestNetworkMonitor, haul_test_network_monitor, HAUL, TEST_NETWORK_MONITOR, GObject)

#define HAUL_TYPE_TEST_POWER_MONITOR (haul_test_power_monitor_get_type ())
G_DECLARE_FINAL_TYPE (HaulTestPowerMonitor, haul_test_power_monitor, HAUL, TEST_POWER_MONITOR, GObject)

void                    haul_test_monitors_install              (void);

/* GIO's defaults, asserted to be the test's: (transfer none) */
HaulTestNetworkMonitor *haul_test_network_monitor_get_default   (void);
HaulTestPowerMonitor   *haul_test_power_monitor_get_default     (void);

/* Sets network-available (and connectivity) and emits network-changed. */
void                    haul_test_network_monitor_set_available (HaulTestNetworkMonitor *self,
                                                                 gboolean                available);
/* Sets network-metered and emits network-changed. */
void                    haul_test_network_monitor_set_metered   (HaulTestNetworkMonitor *self,
                                                                 gboolean                metered);
/* Another network (a new Wi-Fi, a VPN): only network-changed. */
void                    haul_test_network_monitor_changed       (HaulTestNetworkMonitor *self);

void                    haul_test_power_monitor_set_power_saver (HaulTestPowerMonitor   *self,
                                                                 gboolean                enabled);

G_END_DECLS

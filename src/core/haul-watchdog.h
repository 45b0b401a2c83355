/* haul-watchdog.h — connect and stall timeouts for download attempts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _HaulWatchdog HaulWatchdog;

HaulWatchdog *haul_watchdog_start         (GCancellable *attempt,
                                           guint         connect_timeout_s,
                                           guint         stall_timeout_s);
void          haul_watchdog_stop          (HaulWatchdog *watchdog);
void          haul_watchdog_set_connected (HaulWatchdog *watchdog);
void          haul_watchdog_touch         (HaulWatchdog *watchdog);
gboolean      haul_watchdog_is_connected  (HaulWatchdog *watchdog);
gboolean      haul_watchdog_timed_out     (HaulWatchdog *watchdog);
gboolean      haul_watchdog_probed        (HaulWatchdog *watchdog);
void          haul_watchdog_probe_stalled (guint         threshold_s);

G_END_DECLS
